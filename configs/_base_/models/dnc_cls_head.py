# The DNC sub-centroid classifier of the paper's classification models
# (Wang et al., ICLR 2023, https://arxiv.org/abs/2209.07383): K=4
# sub-centroids per class (§4.1), momentum 0.999 (Eq. 8, §4.1), class-wise
# Sinkhorn clustering with eps 0.05 (Eq. 6, §3) and 3 iterations
# (Algorithm 1). A DNC classification config lists this file among its bases
# and writes classifier=_base_.dnc_classifier in its SubCentroidClsHead;
# options: dnc_mm/models/layers/subcentroid_classifier.py.
dnc_classifier = dict(
    type='SubCentroidClassifier',
    num_subcentroids=4,
    momentum=0.999,
    clustering=dict(type='sinkhorn', epsilon=0.05, num_iters=3))
