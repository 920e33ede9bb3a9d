# CBP + OCCL (Chen et al., Pattern Recognition 2024, Table 1) on
# COCO-Stuff-10k: ./fcn_r101-d8-v1c_4xb4-80k_coco-stuff10k-512x512.py with
# frozen category-basis prototypes of length 0.3 instead of the 1x1 conv_seg
# and OCCL with lambda 1.0, phi 0.3, tau 0.07 (paper §4.2).
_base_ = ['./fcn_r101-d8-v1c_4xb4-80k_coco-stuff10k-512x512.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisFCNHead',
        classifier=dict(type='CategoryBasisClassifier', length=0.3),
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=1.0,
                category_weight=0.3,
                temperature=0.07)
        ]))
