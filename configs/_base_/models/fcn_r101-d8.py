# FCN with a dilated ResNet-101 (output stride 8): mmseg's fcn_r50-d8.py with
# depth 101 and the plain ResNet (V1b, 7x7 stem) of the ImageNet classifiers in
# configs/dnc/ (mmseg's own FCN uses ResNet-V1c): the backbone starts from OUR
# classification checkpoint, converted with
#   python tools/model_converters/cls_to_seg_backbone.py \
#       work_dirs/linear_resnet101_8xb16-100e_in1k/epoch_100.pth \
#       <this segmentation config> <checkpoint below>
# ("ResNet101" rows of DNC Table 3; the "-dnc-pre" configs use the DNC one).
_base_ = ['mmseg::_base_/models/fcn_r50-d8.py']

model = dict(
    pretrained=None,
    backbone=dict(
        type='ResNet',
        depth=101,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/'
            'linear_resnet101_8xb16-100e_in1k_seg-backbone.pth')))
