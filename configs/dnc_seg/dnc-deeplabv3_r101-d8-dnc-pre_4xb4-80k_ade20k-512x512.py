# DNC Table 5 (ablations on ADE20K): DNC-DeepLabV3 + DNC-ResNet-101 trained 80k
# iterations (DNC §4.4) with K=10 and mu=0.999 (the default row of Tables 5a
# and 5c); the -k*/-mu* configs change one setting.
_base_ = ['./dnc-deeplabv3_r101-d8-dnc-pre_4xb4-160k_ade20k-512x512.py']

max_iters = 80000
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
