# Parametric (linear softmax) ResNet-101 on CIFAR-100 coarse (20
# super-classes): the "ResNet" row of DNC paper Table 13 (20 classes; 100
# classes by 1-NN).
# 200 epochs, one GPU x batch 128 (§4.1). Twin of
# dnc_resnet101_1xb128-200e_cifar100-coarse.py: same backbone, data, schedule
# and seed; only the head differs.
# Train on the 20 coarse labels; the paper's 100-class figure is the 1-NN
# induction accuracy on the fine labels (§E).
# Data: CIFAR100Coarse (20 official super-classes, fine label kept); the
# 100-class figure: python tools/induction_eval.py CONFIG CHECKPOINT --k 1
_base_ = [
    'mmpretrain::_base_/models/resnet101_cifar.py',
    '../_base_/datasets/cifar100-coarse_bs128.py',
    '../_base_/schedules/cifar100_bs128_200e.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(head=dict(num_classes=20))
