# Runtime shared by every segmentation (mmseg) config of dnc_mm.
default_scope = 'mmseg'
custom_imports = dict(imports=['dnc_mm'], allow_failed_imports=False)

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when no GPU is present
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='SegLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
# deterministic=True breaks bilinear upsampling backward on CUDA
# (docs/get_started.md, troubleshooting)
randomness = dict(seed=0, deterministic=False)
tta_model = dict(type='SegTTAModel')
