# DNC with a per-class K found during training (split/merge, in the spirit of
# DeepDPM; DNC §O future work) on our 3 coarse Fashion-MNIST classes.
# K_max = 6 slots per class, 1 active at the start; from iteration 40, every
# 40 iterations a split round then a merge round (alternating) on the head's
# memory, until iteration 320 of 395 so the last epoch trains with a fixed K
# (the schedule ends on a split: the merge round at 320 is skipped). A class
# takes part once half its memory rows are classified correctly, and its
# samples are spread over its sub-centroids by DNC's balanced transport.
# The true numbers of fine classes per coarse class are 4, 3, 3.
_base_ = ['./dnc_resnet18-w16_5e_fashion-mnist-coarse-10k.py']

model = dict(head=dict(classifier=dict(num_subcentroids=6)))
custom_hooks = [
    dict(type='SubCentroidMemoryHook', size_in_batches=100),
    dict(
        type='SubCentroidSplitMergeHook',
        init_num_subcentroids=1,
        start_iter=40,
        interval=40,
        end_iter=320,
        split_ratio=1.2,
        merge_ratio=1.1,
        min_samples=20,
        assignment='balanced',
        final_round='split',
        min_accuracy=0.5),
    dict(type='SubCentroidHealthHook', interval=50),
]
