# The DNC pixel classifier of the paper's segmentation models (DNC §4.2): K=10
# sub-centroids per class, momentum 0.999, class-wise Sinkhorn clustering (eps
# 0.05, 3 iterations) of the correctly classified pixels of every batch, no
# memory. The class scores go through a LayerNorm over the classes with
# learnable scale and bias, as in the official code (ProtoSeg's and DNC's
# nn.LayerNorm(num_classes)); the paper does not say. A DNC segmentation
# config takes its parametric twin and sets
#   model = dict(
#       decode_head=dict(type='SubCentroidFCNHead', **_base_.dnc_head))
# (or SubCentroidASPPHead / SubCentroidUPerHead); arguments:
# dnc_mm/models/decode_heads/subcentroid_head_mixin.py (head) and
# dnc_mm/models/layers/subcentroid_classifier.py (classifier).
dnc_head = dict(
    classifier=dict(
        type='SubCentroidClassifier',
        num_subcentroids=10,  # K (§4.2)
        momentum=0.999,  # mu of Eq. 8
        clustering=dict(type='sinkhorn', epsilon=0.05, num_iters=3)),
    projection='layernorm',
    logit_normalization='layernorm_affine')
