# Parametric (linear softmax) MobileNet-V2 on ImageNet-1k: the baseline row of
# DNC paper Table 8.
# Twin of dnc_mobilenet-v2_8xb32-300e_in1k.py: same backbone, data, schedule
# and seed; only the head differs.
# The paper (Table 8, §B) gives no MobileNet-V2 settings: mmpretrain's defaults
# are used (8 GPUs x batch 32, 300 epochs, SGD lr 0.045, x0.98 per epoch), with
# DNC's general K=4, mu=0.999 and the memory size the paper uses for CNNs
# (ResNet) on ImageNet, 1,000 batches (8 x 32 x 1000 = 256,000 features of
# 1,280 dims).
_base_ = [
    'mmpretrain::_base_/models/mobilenet_v2_1x.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/schedules/imagenet_bs256_epochstep.py',
    '../_base_/default_runtime_cls.py',
]
