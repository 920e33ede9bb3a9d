# DNC-k-means ResNet-50 on CIFAR-100: DNC paper Table 17 (§H), the
# sub-centroids are estimated by classic k-means instead of Sinkhorn-Knopp (the
# table compares top-1 and training time; DNC-Sinkhorn =
# dnc_resnet50_1xb128-200e_cifar100.py). Everything else as
# dnc_resnet50_1xb128-200e_cifar100.py.
# The paper does not give the number of k-means iterations; this uses the
# default (num_iters=3, Lloyd iterations per training step).
_base_ = ['./dnc_resnet50_1xb128-200e_cifar100.py']

model = dict(
    head=dict(
        classifier=dict(
            clustering=dict(_delete_=True, type='kmeans', num_iters=3))))
