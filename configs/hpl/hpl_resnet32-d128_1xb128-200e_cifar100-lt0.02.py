# HPL on long-tailed CIFAR-100, imbalance 0.02 (Table 4).
_base_ = ['./hpl_resnet32-d128_1xb128-200e_cifar100-lt0.01.py']

train_dataloader = dict(dataset=dict(imbalance_factor=0.02))
