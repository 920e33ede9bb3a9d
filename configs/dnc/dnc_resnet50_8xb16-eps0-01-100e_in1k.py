# DNC ResNet-50 on ImageNet-1k with Sinkhorn eps = 0.01: DNC paper Table 22
# (§J; eps = 0.05 is dnc_resnet50_8xb16-100e_in1k.py).
_base_ = ['./dnc_resnet50_8xb16-100e_in1k.py']

model = dict(head=dict(classifier=dict(clustering=dict(epsilon=0.01))))
