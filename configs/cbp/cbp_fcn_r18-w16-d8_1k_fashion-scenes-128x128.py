# CBP only (Table 3, row "CBP") on the bundled benchmark: frozen
# category-basis prototypes (length 2) instead of the 1x1 conv_seg, no OCCL.
_base_ = ['./baseline_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py']

model = dict(
    decode_head=dict(
        type='CategoryBasisFCNHead',
        classifier=dict(type='CategoryBasisClassifier', length=2.0)))
