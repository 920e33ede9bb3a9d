# HPL on long-tailed STL-10, imbalance 0.005 (Table 6).
_base_ = ['./hpl_resnet32-d64_1xb128-200e_stl10-lt0.01.py']

train_dataloader = dict(dataset=dict(imbalance_factor=0.005))
