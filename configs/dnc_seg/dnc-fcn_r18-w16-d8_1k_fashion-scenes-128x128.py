# DNC-FCN on the bundled multi-class benchmark: the parametric twin
# ../fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py with the 1x1 conv_seg
# replaced by K=10 sub-centroids per class (paper: K=10, mu=0.999).
_base_ = ['../fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py']

model = dict(
    decode_head=dict(
        type='SubCentroidFCNHead',
        num_subcentroids=10,
        momentum=0.999,
        projection='layernorm',
        logit_normalization='layernorm',
        clustering='sinkhorn',
        sinkhorn_epsilon=0.05,
        sinkhorn_iters=3))
