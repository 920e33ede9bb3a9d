# Parametric (linear softmax) Swin-B on ImageNet-1k: the baseline row of DNC
# paper Tables 2/11.
# Twin of dnc_swin-base_8xb16-300e_in1k.py: same backbone, data, schedule and
# seed; only the head differs.
# Paper settings (§4.1): 8 GPUs x batch 16, 300 epochs, lr 0.0005 with a
# polynomial annealing policy, K=4, mu=0.999, memory of 500 batches (8 x 16 x
# 500 = 64,000 features).
_base_ = [
    'mmpretrain::_base_/models/swin_transformer/base_224.py',
    '../_base_/datasets/imagenet_bs16_swin_224.py',
    '../_base_/schedules/imagenet_bs128_adamw-poly-300e_swin.py',
    '../_base_/default_runtime_cls.py',
]
