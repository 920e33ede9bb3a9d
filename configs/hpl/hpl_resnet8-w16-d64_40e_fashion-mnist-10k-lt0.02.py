# As hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01 with imbalance factor
# 0.02 (1,000 -> 20 images per class of the 10,000-image subset, 2,795 in
# all, seeded), tested on the balanced 10,000-image test split.
# Twins: fixed-proto_* and psc_*.
_base_ = ['./hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01.py']

train_dataloader = dict(dataset=dict(imbalance_factor=0.02))
