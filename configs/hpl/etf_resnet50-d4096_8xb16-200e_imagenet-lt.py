# Fixed simplex-ETF classifier on ImageNet-LT, ResNet-50, d=4096 (Table 5).
_base_ = ['./hpl_resnet50-d4096_8xb16-200e_imagenet-lt.py']

model = dict(head=dict(prototype_type='etf', prototype_file=None))
custom_hooks = [dict(type='ClassBalancedLossHook')]
