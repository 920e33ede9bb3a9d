# Parametric (linear softmax) ResNet-18 on CIFAR-10: the "ResNet" row of DNC
# paper Table 6.
# 200 epochs, one GPU x batch 128 (§4.1). Twin of
# dnc_resnet18_1xb128-200e_cifar10.py: same backbone, data, schedule and seed;
# only the head differs.
_base_ = [
    'mmpretrain::_base_/models/resnet18_cifar.py',
    '../_base_/datasets/cifar10_bs128.py',
    'mmpretrain::_base_/schedules/cifar10_bs128.py',
    '../_base_/default_runtime_cls.py',
]
