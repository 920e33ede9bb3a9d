# Table 9: CBP length 3.0 (otherwise
# ./cbp-occl_segformer_mit-b0_8xb2-40k_ade20k-512x512.py) (Chen et al., Pattern
# Recognition 2024, §4.3: Segformer-B0, ADE20K, 40k iterations, lambda 1.0,
# phi 0.3, length 3).
_base_ = ['./segformer_mit-b0_8xb2-40k_ade20k-512x512.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisSegformerHead',
        classifier=dict(type='CategoryBasisClassifier', length=3.0),
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=1.0,
                category_weight=0.3,
                temperature=0.07)
        ]))
