# DeepLabV3 (ASPP) with a dilated ResNet-101 (output stride 8): mmseg's
# deeplabv3_r50-d8.py with depth 101 and the plain ResNet (V1b) of our ImageNet
# classifiers; backbone weights from a converted classification checkpoint, as
# in fcn_r101-d8.py.
_base_ = ['mmseg::_base_/models/deeplabv3_r50-d8.py']

model = dict(
    pretrained=None,
    backbone=dict(
        type='ResNet',
        depth=101,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/'
            'linear_resnet101_8xb16-100e_in1k_seg-backbone.pth')))
