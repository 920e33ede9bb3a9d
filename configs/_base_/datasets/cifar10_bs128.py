# CIFAR-10, 32x32 RGB, batch 128 on one GPU (DNC paper §4.1: "For CIFAR-10,
# we train ResNet for 200 epochs, with batch size 128"): mmpretrain's
# `cifar10_bs16.py` (pipeline and normalisation) with the paper's batch.
# Layout: data/cifar10/cifar-10-batches-py/ (the official python pickles).
# download=False: nothing is fetched at run time; put the data there first.
_base_ = ['mmpretrain::_base_/datasets/cifar10_bs16.py']

data_root = 'data/cifar10'

train_dataloader = dict(
    batch_size=128, dataset=dict(data_root=data_root, download=False))
val_dataloader = dict(
    batch_size=128, dataset=dict(data_root=data_root, download=False))
test_dataloader = val_dataloader
