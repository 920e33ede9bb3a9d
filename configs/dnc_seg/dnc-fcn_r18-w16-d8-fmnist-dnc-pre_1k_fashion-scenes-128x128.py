# DNC-FCN with the backbone of the DNC Fashion-MNIST classifier (row
# "DNC-FCN / DNC-ResNet" of DNC Table 3 at the bundled benchmark's scale):
# every learned parameter of the classifier's embedding network carries over.
# Make the backbone file from a trained
# configs/dnc/dnc_resnetv1c18-w16_5e_fashion-mnist-10k.py with
#   python tools/model_converters/cls_to_seg_backbone.py \
#       work_dirs/dnc_resnetv1c18-w16_5e_fashion-mnist-10k/epoch_5.pth \
#       configs/dnc_seg/<this file> \
#       checkpoints/<the file named in init_cfg below> \
#       --adapt-in-channels
_base_ = ['./dnc-fcn_r18-w16-d8-fmnist-pre_1k_fashion-scenes-128x128.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            checkpoint='checkpoints/'
            'dnc_resnetv1c18-w16_5e_fashion-mnist-10k_seg-backbone.pth')))
