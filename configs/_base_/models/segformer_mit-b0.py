# Segformer with a MiT-B0 encoder (mmseg's segformer_mit-b0 base) starting
# from the ImageNet-1k MiT-B0 weights that mmseg's Segformer configs use. The
# all-MLP head has 256 channels (>= 171 classes, as CBP needs).
_base_ = ['mmseg::_base_/models/segformer_mit-b0.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/'
            'pretrain/segformer/mit_b0_20220624-7e0fe6dd.pth')))
