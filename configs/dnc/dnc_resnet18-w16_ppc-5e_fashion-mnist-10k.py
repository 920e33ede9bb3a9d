# The main job's DNC model (dnc_resnet18-w16_5e_fashion-mnist-10k.py) with
# ProtoSeg's sample-sub-centroid contrast and distance losses added to the
# class-score cross-entropy (Zhou et al., "Rethinking Semantic Segmentation:
# A Prototype View", CVPR 2022; weights 0.01 / 0.001 of its code): each
# sample is contrasted with every sub-centroid, its own class's other
# sub-centroids included, to keep a class's sub-centroids from collapsing
# onto one direction. Beyond the DNC paper (docs/methods/dnc.md).
_base_ = ['./dnc_resnet18-w16_5e_fashion-mnist-10k.py']

model = dict(
    head=dict(
        loss_contrast=dict(
            type='SubCentroidContrastLoss',
            contrast_weight=0.01,
            distance_weight=0.001,
            temperature=0.1)))
