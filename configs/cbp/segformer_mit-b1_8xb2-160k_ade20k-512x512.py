# Baseline of the CBP paper (Chen et al., Pattern Recognition 2024): Segformer
# with MiT-B1, i.e. ./segformer_mit-b0_8xb2-160k_ade20k-512x512.py with the
# MiT-B1 encoder (sizes and ImageNet-1k weights from
# ../_base_/models/segformer_mit-b1.py).
_base_ = [
    './segformer_mit-b0_8xb2-160k_ade20k-512x512.py',
    '../_base_/models/segformer_mit-b1.py',
]

model = dict(
    backbone=_base_.mit_backbone,
    decode_head=dict(in_channels=_base_.mit_in_channels))
