# CBP + OCCL (Chen et al., Pattern Recognition 2024, Table 1) on
# COCO-Stuff-10k: ./segformer_mit-b0_8xb2-80k_coco-stuff10k-512x512.py with
# frozen category-basis prototypes of length 1.0 instead of the 1x1 conv_seg
# and OCCL with lambda 1.0, phi 0.1, tau 0.07 (paper §4.2).
_base_ = ['./segformer_mit-b0_8xb2-80k_coco-stuff10k-512x512.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisSegformerHead',
        classifier=dict(type='CategoryBasisClassifier', length=1.0),
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=1.0,
                category_weight=0.1,
                temperature=0.07)
        ]))
