# Long-tailed Fashion-MNIST tested on the full, balanced 10,000-image test
# split (1,000 per class) instead of the 1,000-image subset: the
# 10,000-image training subset made long-tailed with an exponential profile,
# imbalance factor 0.01 (1,000 -> 10 images per class, 2,478 in all, seeded).
# Prepare with: bash tools/setup_data.sh
_base_ = ['./fashion_mnist_lt-0.01.py']

val_dataloader = dict(dataset=dict(data_root='data/fashion_mnist_10k'))
test_dataloader = val_dataloader
