# Parametric (linear softmax) twin of dnc_resnet18-w16_5e_fashion-mnist-10k:
# same backbone, data, schedule and seed; only the head differs.
_base_ = [
    '../_base_/models/resnet18-w16_fashion-mnist.py',
    '../_base_/datasets/fashion_mnist_10k.py',
    '../_base_/schedules/fashion_mnist_sgd_5e.py',
    '../_base_/default_runtime_cls.py',
]

# 28x28 images are drawn 10x larger by `tools/test.py --show-dir`
default_hooks = dict(visualization=dict(rescale_factor=10))
