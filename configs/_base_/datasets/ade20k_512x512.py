# ADE20K (150 classes) in mmseg's standard layout
# (data/ade/ADEChallengeData2016/{images,annotations}/{training,validation}):
# mmseg's dataset base -- random rescale 0.5-2.0 of 2048x512, 512x512 crops,
# flip, photometric distortion; test at short side 512.
_base_ = ['mmseg::_base_/datasets/ade20k.py']

# mIoU, plus the per-class F1 grouped by training-pixel frequency (CBP paper
# Fig. 5: 15 groups of 10 classes, rarest first; pixels counted once from the
# training annotations at the first evaluation).
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(
        type='FrequencyF1Metric',
        class_pixel_counts='data/ade/ADEChallengeData2016/annotations/'
        'training',
        reduce_zero_label=True,
        num_groups=15),
]
test_evaluator = val_evaluator
