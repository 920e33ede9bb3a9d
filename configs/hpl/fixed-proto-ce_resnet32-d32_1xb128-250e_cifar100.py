# Table 9 (d=32): the optimised prototypes fixed in place of PSC's
# classifier, trained with cross-entropy instead of L_IPM, no re-assignment.
# The cosine scores are multiplied by 10 before the softmax (PSC's logits
# are unnormalised; cross-entropy on raw cosines in [-1, 1] barely trains;
# the value 10 is an assumption, the paper gives none).
_base_ = ['./hpl_resnet32-d32_1xb128-250e_cifar100.py']

model = dict(
    head=dict(
        logit_scale=10.0,
        loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)))
custom_hooks = []
