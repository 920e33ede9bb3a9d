# HPL on ImageNet-1K with ResNet-101, d=512 (Table 3): the ResNet-50 config
# hpl_resnet50-d512_8xb128-100e_in1k.py (SGD lr 0.5, same head, data and
# schedule) with a 101-layer backbone.
_base_ = ['./hpl_resnet50-d512_8xb128-100e_in1k.py']

model = dict(backbone=dict(depth=101))
