# Baseline of the CBP paper (Chen et al., Pattern Recognition 2024) on ADE20K:
# UperNet, Swin-B (window 7, ImageNet-1k), learned 1x1 conv_seg and
# cross-entropy; 160k iterations, batch 16 (8 GPUs x 2), crop 512x512. The
# validation also logs the class separability CS of the classifier weights
# (Eq. 8) and the per-class F1 grouped by training-pixel frequency (Fig. 5,
# 15 groups).
_base_ = [
    '../_base_/models/upernet_swin-b_in1k.py',
    '../_base_/datasets/ade20k_512x512.py',
    '../_base_/schedules/seg_adamw_160k_swin.py',
    '../_base_/default_runtime_seg_cs.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150),
)
train_dataloader = dict(batch_size=2)
