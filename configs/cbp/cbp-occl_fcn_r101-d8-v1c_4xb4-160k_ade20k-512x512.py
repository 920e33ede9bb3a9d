# CBP + OCCL (Chen et al., Pattern Recognition 2024, Table 1) on ADE20K:
# ./fcn_r101-d8-v1c_4xb4-160k_ade20k-512x512.py with frozen category-basis
# prototypes of length 2.0 instead of the 1x1 conv_seg and OCCL with lambda
# 0.4, phi 0.1, tau 0.07 (paper §4.2; length not stated for FCN on ADE20K: the
# default 2).
_base_ = ['./fcn_r101-d8-v1c_4xb4-160k_ade20k-512x512.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisFCNHead',
        classifier=dict(type='CategoryBasisClassifier', length=2.0),
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=0.4,
                category_weight=0.1,
                temperature=0.07)
        ]))
