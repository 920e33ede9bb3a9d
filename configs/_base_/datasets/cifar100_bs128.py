# CIFAR-100 (100 fine classes), 32x32 RGB, batch 128 on one GPU (the DNC
# paper's CIFAR setting, §4.1 / §B): CIFAR-10's pipeline and loaders with
# mmpretrain's CIFAR-100 dataset and normalisation (`cifar100_bs16.py`).
# Layout: data/cifar100/cifar-100-python/ (the official python pickles).
# download=False: nothing is fetched at run time; put the data there first.
_base_ = ['./cifar10_bs128.py']

dataset_type = 'CIFAR100'
data_root = 'data/cifar100'

data_preprocessor = dict(
    num_classes=100,
    # RGB normalisation of mmpretrain's CIFAR-100 configs (0-255 scale)
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418])

train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
