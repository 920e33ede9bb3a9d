# DeepNCM-style ResNet-50 on CIFAR-10: the "DeepNCM [52]" row of DNC paper
# Table 18 (§I; its DNC row is dnc_resnet50_1xb128-200e_cifar10.py).
# As the paper describes it, DeepNCM "abstracts each class into one single
# class mean" and "computes class mean on each batch": K=1, momentum 0 (the
# class mean of the current batch replaces the centroid), every sample of the
# class counts (not only the correctly classified ones), no memory.
# Backbone, data, schedule and seed are those of
# dnc_resnet50_1xb128-200e_cifar10.py.
# Differences from the original DeepNCM paper (Guerriero et al., 2018) that the
# DNC paper does not discuss: DeepNCM uses a squared Euclidean distance and an
# online/decayed mean over batches; here the DNC head's cosine similarity with
# LayerNorm-scaled logits is kept, so only the centroid estimation differs from
# DNC.
_base_ = ['./dnc_resnet50_1xb128-200e_cifar10.py']

model = dict(
    head=dict(
        classifier=dict(
            num_subcentroids=1, momentum=0.0, update_correct_only=False)))
# no feature memory: class means come from the current batch only
custom_hooks = []
