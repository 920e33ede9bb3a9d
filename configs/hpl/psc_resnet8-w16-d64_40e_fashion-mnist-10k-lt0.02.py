# PSC twin of hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.02
# (class-balanced cross-entropy, Mixup alpha 1, 64 -> 64 projection + linear
# classifier).
_base_ = ['./psc_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01.py']

train_dataloader = dict(dataset=dict(imbalance_factor=0.02))
