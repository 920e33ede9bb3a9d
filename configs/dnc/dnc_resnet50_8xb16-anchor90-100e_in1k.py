# DNC ResNet-50 on ImageNet-1k with sub-centroids anchored to real training
# images: the "real observation" row of DNC paper Table 4 (§4.3; the "cluster
# center" row is dnc_resnet50_8xb16-100e_in1k.py).
# "In the first 90 epochs, the model is trained in a standard manner ... Then
# we anchor each sub-centroid to its closest training image ... In the final 10
# epochs, the sub-centroids are only updated as the features of their anchored
# training images." Everything else as dnc_resnet50_8xb16-100e_in1k.py.
# SubCentroidAnchorHook computes the features of the whole training set with
# the test pipeline once, at the start of epoch 91.
_base_ = ['./dnc_resnet50_8xb16-100e_in1k.py']

custom_hooks = [
    dict(type='SubCentroidMemoryHook', size_in_batches=1000),
    dict(type='SubCentroidAnchorHook', anchor_epoch=90),
]
