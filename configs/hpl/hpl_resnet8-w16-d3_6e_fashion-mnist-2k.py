# HPL on Fashion-MNIST (2k training images), d=3 << c=10: fixed uniformity
# prototypes, IPM loss, class means, Hungarian re-assignment once per epoch.
# Twins: fixed-proto_* (no re-assignment) and psc_* (linear softmax).
_base_ = [
    '../_base_/models/resnet8-w16_hpl-d3_fashion-mnist.py',
    '../_base_/datasets/fashion_mnist_2k.py',
    '../_base_/schedules/fashion_mnist_sgd_6e.py',
    '../_base_/default_runtime_cls.py',
]

custom_hooks = [
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True)
]
default_hooks = dict(
    logger=dict(interval=10), visualization=dict(rescale_factor=10))
