# HPL on long-tailed CIFAR-10 (imbalance 0.01), ResNet-32, d=64: Table 6.
# Long-tailed recipe of §7.2 (../_base_/models/hpl-lt_resnet32.py):
# inverse-frequency class weights, Mixup (alpha 1), SGD lr 0.1, 200 epochs,
# lr / 10 at 160 and 180.
_base_ = [
    '../_base_/models/hpl-lt_resnet32.py',
    '../_base_/datasets/cifar10-lt_bs128.py',
    '../_base_/schedules/hpl_bs128_sgd-0.1-200e_lt.py',
    '../_base_/default_runtime_cls.py',
]
