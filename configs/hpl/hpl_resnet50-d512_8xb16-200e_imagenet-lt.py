# HPL on ImageNet-LT, ResNet-50, d=512 (Table 5).
_base_ = ['./hpl_resnet50-d4096_8xb16-200e_imagenet-lt.py']

model = dict(
    head=dict(
        embed_dims=512,
        prototype_file='work_dirs/prototypes/hpl_d512_c1000_seed0.pt'))
