# PSC*: PSC + 1e-2 * L_uni on the normalised class weights (Table 8),
# CIFAR-100, ResNet-32, d=64.
_base_ = ['./psc_resnet32-d64_1xb128-250e_cifar100.py']

model = dict(head=dict(uniformity_weight=0.01, uniformity_t=2.0))
