# The main job's DNC model (dnc_resnet18-w16_5e_fashion-mnist-10k.py: K=4,
# Sinkhorn, mu 0.999, memory of 100 batches) on the thin ResNet-V1c-18 of
# linear_resnetv1c18-w16_5e_fashion-mnist-10k.py, whose backbone transfers to
# the bundled segmentation benchmark (DNC Table 3 at a small scale).
_base_ = ['./dnc_resnet18-w16_5e_fashion-mnist-10k.py']

# The plain LayerNorm of class scores: the normalisation the transfer figures
# were measured with (docs/methods/dnc_segmentation.md); the main job has
# since moved to 'learned_scale', not yet measured here.
model = dict(
    backbone=dict(type='ResNetV1c', strides=(1, 2, 1, 1)),
    head=dict(logit_normalization='layernorm'))
