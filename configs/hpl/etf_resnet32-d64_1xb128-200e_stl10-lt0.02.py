# Fixed simplex-ETF classifier on long-tailed STL-10, imbalance 0.02, d=64
# (Table 6): ETF vertices, dot-regression (IPM) loss, no re-assignment.
_base_ = ['./hpl_resnet32-d64_1xb128-200e_stl10-lt0.02.py']

model = dict(head=dict(prototype_type='etf', prototype_file=None))
custom_hooks = [dict(type='ClassBalancedLossHook')]
