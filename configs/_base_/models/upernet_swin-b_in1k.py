# UperNet with Swin-B (window 7) starting from the public ImageNet-1k Swin-B
# weights that mmseg's swin-base-patch4-window7-in1k-pre_upernet config uses
# (./upernet_swin-b.py starts from this project's own classifiers instead).
_base_ = ['./upernet_swin-b.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/'
            'pretrain/swin/swin_base_patch4_window7_224_20220317-e9b98025.pth')
    ))
