# Parametric (linear softmax) ResNet-50 on ImageNet-1k: the baseline row of DNC
# paper Tables 2/11.
# Twin of dnc_resnet50_8xb16-100e_in1k.py: same backbone, data, schedule and
# seed; only the head differs.
# Paper settings (§4.1): 8 GPUs x batch 16, 100 epochs, SGD lr 0.1 with a step
# policy, K=4, mu=0.999, memory of 1,000 batches (8 x 16 x 1000 = 128,000
# features of 2,048 dims, 1.0 GiB in float32 per GPU; pass dtype='float16' to
# the memory hook to halve it).
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/imagenet_bs16.py',
    '../_base_/schedules/imagenet_bs128_step-100e.py',
    '../_base_/default_runtime_cls.py',
]
