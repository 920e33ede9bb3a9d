# DNC ResNet-50 on ImageNet-1k with K varying between 1 and 4 with the class's
# number of training images: DNC paper Table 23 (§J; paper top-1 / top-5 76.55%
# / 93.10%, vs "unique value 4" 76.49% / 93.08% =
# dnc_resnet50_8xb16-100e_in1k.py).
# Rule (§J): 732-874 images -> K=1, 875-1016 -> 2, 1017-1158 -> 3, 1159-1300 ->
# 4; SubCentroidClsHead applies it when given `class_counts` (the C per-class
# training counts) with num_subcentroids=K_max=4.
#
# TODO: the head cannot read the counts from the dataset; they must be written
# here. Until `class_counts` is filled in, this config trains with K=4 for
# every class (the "unique value 4" row). To fill it, paste the output of:
#   import collections
#   with open('data/imagenet/meta/train.txt') as f:
#       counts = collections.Counter(int(line.split()[-1]) for line in f)
#   print([counts[i] for i in range(1000)])
_base_ = ['./dnc_resnet50_8xb16-100e_in1k.py']

model = dict(
    head=dict(
        num_subcentroids=4,  # K_max
        class_counts=None,  # TODO: the 1,000 ImageNet train counts
    ))
