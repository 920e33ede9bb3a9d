# Fixed-assignment twin of hpl_resnet8-w16-d3_6e_fashion-mnist-lt0.01.
_base_ = ['./hpl_resnet8-w16-d3_6e_fashion-mnist-lt0.01.py']

custom_hooks = [dict(type='ClassBalancedLossHook')]
