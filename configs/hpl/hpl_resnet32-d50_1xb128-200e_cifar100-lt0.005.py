# HPL on long-tailed CIFAR-100, imbalance 0.005, d=50 (Table 4).
_base_ = ['./hpl_resnet32-d128_1xb128-200e_cifar100-lt0.005.py']

model = dict(
    head=dict(
        embed_dims=50,
        prototype_file='work_dirs/prototypes/hpl_d50_c100_seed0.pt'))
