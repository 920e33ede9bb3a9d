# Fixed simplex-ETF classifier (Yang et al.) on ImageNet-200, ResNet-32,
# d=c=200:
# the ETF column of Table 2. The head regresses to fixed ETF vertices with the
# same IPM (dot-regression) loss and never re-assigns (no hook).
_base_ = ['./hpl_resnet32-d200_1xb128-250e_imagenet200.py']

model = dict(head=dict(prototype_type='etf', prototype_file=None))
custom_hooks = []
