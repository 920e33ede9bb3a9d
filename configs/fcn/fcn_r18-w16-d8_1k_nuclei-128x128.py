# Parametric FCN baseline on the bundled binary nuclei benchmark.
_base_ = [
    '../_base_/models/fcn_r18-w16-d8.py',
    '../_base_/datasets/nuclei_128x128.py',
    '../_base_/schedules/seg_cpu_1k.py',
    '../_base_/default_runtime_seg.py',
]
model = dict(decode_head=dict(num_classes=2))
