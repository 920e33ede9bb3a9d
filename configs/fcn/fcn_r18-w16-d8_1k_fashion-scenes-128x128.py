# Parametric FCN baseline on the bundled multi-class benchmark.
_base_ = [
    '../_base_/models/fcn_r18-w16-d8.py',
    '../_base_/datasets/fashion_scenes_128x128.py',
    '../_base_/schedules/seg_cpu_1k.py',
    '../_base_/default_runtime_seg.py',
]
