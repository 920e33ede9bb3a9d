# Parametric (linear softmax) ResNet-50 on CIFAR-100: the "ResNet" row of DNC
# paper Table 7.
# 200 epochs, one GPU x batch 128 (§4.1). Twin of
# dnc_resnet50_1xb128-200e_cifar100.py: same backbone, data, schedule and seed;
# only the head differs.
_base_ = [
    'mmpretrain::_base_/models/resnet50_cifar.py',
    '../_base_/datasets/cifar100_bs128.py',
    '../_base_/schedules/cifar100_bs128_200e.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(head=dict(num_classes=100))
