# Parametric twin of dnc_resnetv1c18-w16_5e_fashion-mnist-10k.py: the linear
# Fashion-MNIST baseline with the thin ResNet-V1c-18 whose backbone has the
# layout of the bundled segmentation benchmark's backbone
# (configs/_base_/models/fcn_r18-w16-d8.py), so that it transfers with
# tools/model_converters/cls_to_seg_backbone.py. Same data, schedule and seed
# as linear_resnet18-w16_5e_fashion-mnist-10k.py.
_base_ = ['./linear_resnet18-w16_5e_fashion-mnist-10k.py']

# the deep stem (three 3x3 convs, stride 2, max-pooling) takes 28x28 to 7x7,
# the stride-2 second stage to 4x4; strides change the feature size, not the
# weights (the segmentation twin dilates the last stages instead)
model = dict(backbone=dict(type='ResNetV1c', strides=(1, 2, 1, 1)))
