# Baseline of the CBP paper (Chen et al., Pattern Recognition 2024) on
# COCO-Stuff-10k: FCN, ResNet-V1c-101 (dilated, output stride 8), learned 1x1
# conv_seg and cross-entropy; 80k iterations, batch 16 (4 GPUs x 4), crop
# 512x512. The validation also logs the class separability CS of the classifier
# weights (Eq. 8).
_base_ = [
    '../_base_/models/fcn_r101-d8_v1c.py',
    '../_base_/datasets/coco-stuff10k_512x512.py',
    '../_base_/schedules/seg_sgd_80k.py',
    '../_base_/default_runtime_seg_cs.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=171),
    auxiliary_head=dict(num_classes=171),
)
train_dataloader = dict(batch_size=4)
