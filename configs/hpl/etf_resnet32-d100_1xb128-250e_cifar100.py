# Fixed simplex-ETF classifier (Yang et al.) on CIFAR-100, ResNet-32,
# d=c=100:
# the ETF column of Table 2. The head regresses to fixed ETF vertices with the
# same IPM (dot-regression) loss and never re-assigns (no hook).
_base_ = ['./hpl_resnet32-d100_1xb128-250e_cifar100.py']

model = dict(head=dict(prototype_type='etf', prototype_file=None))
custom_hooks = []
