# Long-tailed CIFAR-10 (HPL §4.3, §7.2): the training split made long-tailed
# by LongTailedDataset (exponential profile, class 0 keeps 5,000 images,
# imbalance factor 0.01 here; configs override it: 0.005 / 0.01 / 0.02);
# the test split stays balanced.
_base_ = ['./cifar10_bs128.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='LongTailedDataset',
        imbalance_factor=0.01,
        seed=0,
        dataset=dict(
            type={{_base_.dataset_type}},
            data_root={{_base_.data_root}},
            split='train',
            download=False,
            pipeline={{_base_.train_pipeline}})))
