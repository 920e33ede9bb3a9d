# ImageNet-LT (Liu et al. 2019; HPL Table 5): the standard long-tailed split
# of ImageNet (115.8k training images, 1,280 to 5 per class), read through
# the split files of the OLTR release placed next to the images:
#   data/imagenet/ImageNet_LT_train.txt, data/imagenet/ImageNet_LT_test.txt
# (lines "train/n01440764/n01440764_190.JPEG 0"); tested on the balanced
# 50k-image ImageNet-LT test split. 8 GPUs x 16 = batch 128 (the paper's
# long-tailed batch size).
_base_ = ['./imagenet_bs16.py']

train_dataloader = dict(
    dataset=dict(ann_file='ImageNet_LT_train.txt', data_prefix='', split=''))
val_dataloader = dict(
    dataset=dict(ann_file='ImageNet_LT_test.txt', data_prefix='', split=''))
test_dataloader = val_dataloader
