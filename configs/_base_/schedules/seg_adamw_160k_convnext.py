# ConvNeXt/UperNet schedule (mmseg): AdamW lr 1e-4, wd 0.05, stage-wise lr
# decay 0.9 over 12 layers; 1,500 linear warm-up iterations, then poly
# (power 1) to 0 at 160k. mmseg trains it with AMP: add --amp on a GPU.
_base_ = ['mmseg::_base_/schedules/schedule_160k.py']

max_iters = 160000
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(decay_rate=0.9, decay_type='stage_wise', num_layers=12),
    constructor='LearningRateDecayOptimizerConstructor')
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
