# Fixed simplex-ETF classifier on long-tailed CIFAR-100, imbalance 0.005, d=128
# (Table 4): ETF vertices, dot-regression (IPM) loss, no re-assignment.
_base_ = ['./hpl_resnet32-d128_1xb128-200e_cifar100-lt0.005.py']

model = dict(head=dict(prototype_type='etf', prototype_file=None))
custom_hooks = [dict(type='ClassBalancedLossHook')]
