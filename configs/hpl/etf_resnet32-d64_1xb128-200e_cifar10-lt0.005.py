# Fixed simplex-ETF classifier on long-tailed CIFAR-10, imbalance 0.005, d=64
# (Table 6): ETF vertices, dot-regression (IPM) loss, no re-assignment.
_base_ = ['./hpl_resnet32-d64_1xb128-200e_cifar10-lt0.005.py']

model = dict(head=dict(prototype_type='etf', prototype_file=None))
custom_hooks = [dict(type='ClassBalancedLossHook')]
