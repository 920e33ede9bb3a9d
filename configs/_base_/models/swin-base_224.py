# Swin-Base for ImageNet (224x224) with a linear softmax classifier: the
# parametric baseline of the DNC paper. mmpretrain's
# swin_transformer/base_224.py (drop path 0.5, label smoothing 0.1,
# Mixup 0.8 / CutMix 1.0, truncated-normal init); otherwise as Swin-Small.
# DNC configs replace `head` with SubCentroidClsHead (in_channels=1024).
_base_ = ['./swin-small_224.py']

model = dict(
    backbone=dict(arch='base', drop_path_rate=0.5),
    head=dict(in_channels=1024))
