# ImageNet schedule of the DNC paper for Swin (§4.1): 300 epochs, batch 16
# per GPU x 8 GPUs = 128, initial lr 0.0005, "polynomial annealing policy".
# Not stated in the paper, taken from mmpretrain's Swin recipe
# (`imagenet_bs1024_adamw_swin.py`, `swin-*_16xb64_in1k.py`): AdamW
# (weight decay 0.05, betas (0.9, 0.999), eps 1e-8, no decay on norms,
# biases and position tables), 20-epoch linear warm-up from 1e-3 x lr,
# gradient clipping at max-norm 5.
# The polynomial decay uses mmengine's PolyLR defaults (power 1.0, i.e.
# linear, down to eta_min 0) after the warm-up; the paper gives no power.
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW',
        lr=0.0005,
        weight_decay=0.05,
        eps=1e-8,
        betas=(0.9, 0.999)),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.0),
            '.relative_position_bias_table': dict(decay_mult=0.0)
        }),
    clip_grad=dict(max_norm=5.0),
)

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        end=20,
        convert_to_iter_based=True),
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=20,
        end=300,
        convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=128)
