# Fixed-assignment twin of hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01.
_base_ = ['./hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01.py']

custom_hooks = [dict(type='ClassBalancedLossHook')]
