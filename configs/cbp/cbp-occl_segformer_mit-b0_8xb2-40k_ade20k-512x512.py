# Tables 3-5 and 9, the full method: frozen CBP + OCCL (Chen et al., Pattern
# Recognition 2024, §4.3: Segformer-B0, ADE20K, 40k iterations, lambda 1.0,
# phi 0.3, length 2). Also the "Frozen" row of Table 4, the "Equal + Ortho"
# row of Table 5 and length 2 of Table 9.
_base_ = ['./segformer_mit-b0_8xb2-40k_ade20k-512x512.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisSegformerHead',
        classifier=dict(type='CategoryBasisClassifier', length=2.0),
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=1.0,
                category_weight=0.3,
                temperature=0.07)
        ]))
