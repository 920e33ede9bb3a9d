# OCCL only (Table 3, row "OCCL") on the bundled benchmark: mmseg's learned
# 1x1 conv_seg (classifier=None) whose weights serve as the prototypes of the
# category loss, plus OCCL (lambda 0.4, phi 0.1 as for FCN on ADE20K).
_base_ = ['./baseline_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisFCNHead',
        classifier=None,
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=0.4,
                category_weight=0.1,
                temperature=0.07)
        ]))
