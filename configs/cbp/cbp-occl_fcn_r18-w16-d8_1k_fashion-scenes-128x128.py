# CBP + OCCL on the bundled multi-class benchmark: the baseline
# ./baseline_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py with the 1x1 conv_seg
# replaced by frozen category-basis prototypes (length 2) and the online
# centroid contrastive loss (lambda 0.4, phi 0.1: the paper's FCN values on
# ADE20K, Chen et al., Pattern Recognition 2024, §4.2). The decoder has 64
# channels >= 11 classes.
_base_ = ['./baseline_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py']

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
