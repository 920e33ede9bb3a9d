# Baseline of the CBP + OCCL comparison on the bundled benchmark: the
# parametric FCN ../fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py (learned
# 1x1 conv_seg, cross-entropy). Validation also logs the class separability
# CS of the classifier weights (Eq. 8) and the per-class F1 grouped by
# training-pixel frequency (Fig. 5: 5 groups of the 11 classes, rarest first).
_base_ = ['../fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py']

custom_hooks = [dict(type='ClassSeparabilityHook')]
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(
        type='FrequencyF1Metric',
        class_pixel_counts='data/seg_benchmark/fashion_scenes/ann_dir/train',
        num_groups=5),
]
test_evaluator = val_evaluator
