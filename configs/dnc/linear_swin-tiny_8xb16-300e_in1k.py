# Parametric (linear softmax) Swin-T on ImageNet-1k: the baseline row of DNC
# paper Table 8.
# Twin of dnc_swin-tiny_8xb16-300e_in1k.py: same backbone, data, schedule and
# seed; only the head differs.
# The paper (Table 8, §B) gives no Swin-T-specific settings; the Swin settings
# of §4.1 are used: 8 GPUs x batch 16, 300 epochs, lr 0.0005 with polynomial
# annealing, K=4, mu=0.999, memory of 500 batches.
_base_ = [
    'mmpretrain::_base_/models/swin_transformer/tiny_224.py',
    '../_base_/datasets/imagenet_bs16_swin_224.py',
    '../_base_/schedules/imagenet_bs128_adamw-poly-300e_swin.py',
    '../_base_/default_runtime_cls.py',
]
