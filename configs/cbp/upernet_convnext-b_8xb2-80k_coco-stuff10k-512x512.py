# Baseline of the CBP paper (Chen et al., Pattern Recognition 2024) on
# COCO-Stuff-10k: UperNet, ConvNeXt-B, learned 1x1 conv_seg and cross-entropy;
# 80k iterations, batch 16 (8 GPUs x 2), crop 512x512. The validation also logs
# the class separability CS of the classifier weights (Eq. 8).
_base_ = [
    '../_base_/models/upernet_convnext-b.py',
    '../_base_/datasets/coco-stuff10k_512x512.py',
    '../_base_/schedules/seg_adamw_80k_convnext.py',
    '../_base_/default_runtime_seg_cs.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=171),
    auxiliary_head=dict(num_classes=171),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(341, 341)),
)
train_dataloader = dict(batch_size=2)
