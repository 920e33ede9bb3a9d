# DNC Table 3 at the scale of the bundled benchmark: the parametric FCN of
# fcn_r18-w16-d8_1k_fashion-scenes-128x128.py with its backbone initialised
# from the linear Fashion-MNIST classifier
# configs/dnc/linear_resnetv1c18-w16_5e_fashion-mnist-10k.py (row "FCN /
# ResNet"). Make the file with (1-channel stem adapted to RGB):
#   python tools/model_converters/cls_to_seg_backbone.py \
#       work_dirs/linear_resnetv1c18-w16_5e_fashion-mnist-10k/epoch_5.pth \
#       configs/fcn/fcn_r18-w16-d8-fmnist-pre_1k_fashion-scenes-128x128.py \
#       checkpoints/<the file named in init_cfg below> \
#       --adapt-in-channels
_base_ = ['./fcn_r18-w16-d8_1k_fashion-scenes-128x128.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/'
            'linear_resnetv1c18-w16_5e_fashion-mnist-10k_seg-backbone.pth')))
