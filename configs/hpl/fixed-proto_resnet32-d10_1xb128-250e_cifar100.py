# Fixed uniformity prototypes WITHOUT re-assignment (class y keeps prototype
# y): the "w/o dynamic assignment" curve of Figure 4a, CIFAR-100, d=10.
_base_ = ['./hpl_resnet32-d10_1xb128-250e_cifar100.py']

custom_hooks = []
