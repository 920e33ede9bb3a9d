# HPL on long-tailed Fashion-MNIST (imbalance 0.01, 2,478 training images):
# the paper's long-tailed recipe (§7.2) at small scale: inverse-frequency
# class weights (ClassBalancedLossHook) and Mixup (alpha 1); re-assignment
# once per epoch. Twins: fixed-proto_* and psc_*.
_base_ = [
    '../_base_/models/resnet8-w16_hpl-d3_fashion-mnist.py',
    '../_base_/datasets/fashion_mnist_lt-0.01.py',
    '../_base_/schedules/fashion_mnist_sgd_6e.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(train_cfg=dict(augments=dict(type='Mixup', alpha=1.0)))
custom_hooks = [
    dict(type='ClassBalancedLossHook'),
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True),
]
default_hooks = dict(
    logger=dict(interval=10), visualization=dict(rescale_factor=10))
