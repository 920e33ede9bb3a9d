# Long-tailed CIFAR-100 (HPL Table 4): class 0 keeps 500 images, the last
# 500 x imbalance factor (0.01 here; configs override it).
_base_ = ['./cifar100_bs128.py']

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
