# Fashion-MNIST, seeded class-stratified 2,000-image training subset (200
# per class) and 1,000 test images (100 per class), 28x28 greyscale: small
# enough for HPL's 72-run benchmark on 2 CPU cores.
# Prepare with: bash tools/setup_data.sh
_base_ = ['./fashion_mnist_10k.py']

data_root = 'data/fashion_mnist_2000_1000'
train_dataloader = dict(batch_size=64, dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
