# Segformer's schedule (mmseg): AdamW lr 6e-5, wd 0.01, 10x lr for the head,
# no decay on norms and positional blocks; 1,500 linear warm-up iterations,
# then poly (power 1) to 0 at 160k.
_base_ = ['mmseg::_base_/schedules/schedule_160k.py']

max_iters = 160000
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=0.00006, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys={
            'pos_block': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.),
            'head': dict(lr_mult=10.)
        }))
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=1.0,
        begin=1500,
        end=max_iters,
        by_epoch=False)
]
