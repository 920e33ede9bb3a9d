# Table 4, row "Penalty": learnable prototypes kept at equal norm, plus an
# orthogonality penalty of weight 0.01 (Chen et al., Pattern Recognition 2024,
# §4.3: Segformer-B0, ADE20K, 40k iterations, lambda 1.0, phi 0.3, length 2).
_base_ = ['./segformer_mit-b0_8xb2-40k_ade20k-512x512.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisSegformerHead',
        classifier=dict(
            type='CategoryBasisClassifier', length=2.0, mode='penalty'),
        feature_losses=[
            dict(
                type='OnlineCentroidContrastiveLoss',
                centroid_weight=1.0,
                category_weight=0.3,
                temperature=0.07)
        ]))
