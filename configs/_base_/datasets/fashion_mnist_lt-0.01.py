# Long-tailed Fashion-MNIST (HPL §7.2 set-up): the 10,000-image subset made
# long-tailed with an exponential profile, imbalance factor 0.01 (class 0
# keeps 1,000 images, class 9 keeps 10; 2,478 in all, seeded); tested on
# the balanced 1,000 test images of data/fashion_mnist_2000_1000.
# Prepare with: bash tools/setup_data.sh
_base_ = ['./fashion_mnist_10k.py']

train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='LongTailedDataset',
        imbalance_factor=0.01,
        seed=0,
        dataset=dict(
            type='PreparedFashionMNIST',
            data_root='data/fashion_mnist_10k',
            split='train',
            pipeline={{_base_.train_pipeline}})))
val_dataloader = dict(dataset=dict(data_root='data/fashion_mnist_2000_1000'))
test_dataloader = val_dataloader
