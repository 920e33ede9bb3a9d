# HPL on CIFAR-100, ResNet-32, d=10 (Table 1).
_base_ = ['./hpl_resnet32-d50_1xb128-250e_cifar100.py']

model = dict(
    head=dict(
        embed_dims=10,
        prototype_file='work_dirs/prototypes/hpl_d10_c100_seed0.pt'))
