# 6 epochs of SGD (20-iteration linear warm-up, then cosine decay to 1e-4 per
# iteration): HPL's small Fashion-MNIST runs, sized for 2 CPU cores.
_base_ = ['./fashion_mnist_sgd_5e.py']

max_epochs = 6
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        T_max=max_epochs,
        eta_min=1e-4,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=64)
