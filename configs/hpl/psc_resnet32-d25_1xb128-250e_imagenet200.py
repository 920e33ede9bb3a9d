# PSC baseline on ImageNet-200, ResNet-32, d=25 (Table 1).
_base_ = ['./psc_resnet32-d100_1xb128-250e_imagenet200.py']

model = dict(head=dict(embed_dims=25))
