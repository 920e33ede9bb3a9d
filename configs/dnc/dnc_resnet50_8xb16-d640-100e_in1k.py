# DNC ResNet-50 on ImageNet-1k with a 640-d output embedding: DNC paper Table
# 21 (§J; the 2,048-d row is dnc_resnet50_8xb16-100e_in1k.py, which has no
# learnable projection).
# The 2,048-d pooled feature goes through Linear(2048, 640) + LayerNorm, then
# l2 normalisation. The paper does not say how it reduced the dimension nor
# whether the memory was enlarged for the smaller features (it suggests more
# features fit in memory); the memory is kept at 1,000 batches.
_base_ = ['./dnc_resnet50_8xb16-100e_in1k.py']

model = dict(head=dict(embed_dims=640, projection='linear'))
