# PSC twin of hpl_swin-tiny-d512_8xb128-100e_in1k.py: Swin-T's linear head with
# label smoothing (the Swin recipe), same data, schedule and seed.
_base_ = ['./hpl_swin-tiny-d512_8xb128-100e_in1k.py']

model = dict(
    head=dict(
        _delete_=True,
        type='LinearClsHead',
        num_classes=1000,
        in_channels=768,
        init_cfg=None,
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))
custom_hooks = []
