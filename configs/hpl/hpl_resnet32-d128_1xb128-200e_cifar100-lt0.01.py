# HPL on long-tailed CIFAR-100 (imbalance 0.01), ResNet-32, d=128: Table 4.
# Long-tailed recipe of §7.2 (../_base_/models/hpl-lt_resnet32.py):
# inverse-frequency class weights, Mixup (alpha 1), SGD lr 0.1, 200 epochs,
# lr / 10 at 160 and 180.
_base_ = [
    '../_base_/models/hpl-lt_resnet32.py',
    '../_base_/datasets/cifar100-lt_bs128.py',
    '../_base_/schedules/hpl_bs128_sgd-0.1-200e_lt.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(
    head=dict(
        num_classes=100,
        embed_dims=128,  # metric-space dimension d
        prototype_file='work_dirs/prototypes/hpl_d128_c100_seed0.pt'))
