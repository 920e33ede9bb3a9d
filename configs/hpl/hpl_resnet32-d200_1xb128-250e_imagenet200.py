# HPL on ImageNet-200, ResNet-32, d=200 (Table 1).
_base_ = ['./hpl_resnet32-d100_1xb128-250e_imagenet200.py']

model = dict(
    head=dict(
        embed_dims=200,
        prototype_file='work_dirs/prototypes/hpl_d200_c200_seed0.pt'))
