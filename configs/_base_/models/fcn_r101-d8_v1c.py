# FCN with a dilated ResNet-V1c-101 (output stride 8) starting from mmseg's
# ImageNet-1k ResNet-V1c-101 weights: mmseg's fcn_r101-d8 ADE20K model
# (./fcn_r101-d8.py starts from this project's own classifiers instead).
_base_ = ['mmseg::_base_/models/fcn_r50-d8.py']

model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
