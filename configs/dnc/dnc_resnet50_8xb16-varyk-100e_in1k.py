# DNC ResNet-50 on ImageNet-1k with K varying between 1 and 4 with the class's
# number of training images: DNC paper Table 23 (§J; "unique value 4" is
# dnc_resnet50_8xb16-100e_in1k.py).
# Rule (§J): 732-874 images -> K=1, 875-1016 -> 2, 1017-1158 -> 3, 1159-1300 ->
# 4. SubCentroidClassCountsHook counts the training labels before training
# and applies it, with num_subcentroids=K_max=4.
_base_ = ['./dnc_resnet50_8xb16-100e_in1k.py']

model = dict(head=dict(classifier=dict(num_subcentroids=4)))  # K_max
custom_hooks = [
    dict(type='SubCentroidMemoryHook', size_in_batches=1000),
    dict(type='SubCentroidClassCountsHook', min_subcentroids=1),
]
