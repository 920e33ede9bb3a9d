# UperNet with Swin-B (window 7, ImageNet-1k 224x224 pre-training): mmseg's
# upernet_swin.py with the Swin-B settings of mmseg's
# swin-base-patch4-window7-in1k-pre_upernet config; the backbone starts from
# OUR classification checkpoint
# (configs/dnc/linear_swin-base_8xb16-300e_in1k.py or its DNC twin) converted
# with tools/model_converters/cls_to_seg_backbone.py (mmpretrain and mmseg name
# Swin's tensors alike; the segmentation model's extra output norms norm0-norm2
# start from their initialisation).
_base_ = ['mmseg::_base_/models/upernet_swin.py']

model = dict(
    backbone=dict(
        embed_dims=128,
        depths=[2, 2, 18, 2],
        num_heads=[4, 8, 16, 32],
        window_size=7,
        drop_path_rate=0.3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/'
            'linear_swin-base_8xb16-300e_in1k_seg-backbone.pth')),
    decode_head=dict(in_channels=[128, 256, 512, 1024]),
    auxiliary_head=dict(in_channels=512))
