# Fixed-assignment twin of hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.02.
_base_ = ['./fixed-proto_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01.py']

train_dataloader = dict(dataset=dict(imbalance_factor=0.02))
