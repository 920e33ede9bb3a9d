# ResNet-101 for ImageNet (224x224) with a linear softmax classifier: the
# parametric baseline of the DNC paper. mmpretrain's resnet101.py: ResNet-50
# (resnet50.py) with depth 101.
# DNC configs replace `head` with SubCentroidClsHead (in_channels=2048).
_base_ = ['./resnet50.py']

model = dict(backbone=dict(depth=101))
