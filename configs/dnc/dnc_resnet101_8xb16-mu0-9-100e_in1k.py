# DNC ResNet-101 on ImageNet-1k, ablation mu = 0.9: DNC paper Table 5c (§4.4,
# "we train ResNet101 ... for 100 epochs"). Everything else as
# dnc_resnet101_8xb16-100e_in1k.py (K=4, memory 1,000 batches, mu=0.999: the
# default row of Tables 5a-c).
_base_ = ['./dnc_resnet101_8xb16-100e_in1k.py']

model = dict(head=dict(classifier=dict(momentum=0.9)))
