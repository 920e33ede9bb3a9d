# Table 9: the optimised prototypes fixed in place of PSC's classifier,
# trained with cross-entropy instead of L_IPM, no re-assignment. The cosine
# scores are multiplied by 10 before the softmax (the paper's PSC logits are
# unnormalised; a scale is needed for cross-entropy on cosines; the value is
# an assumption).
_base_ = ['./hpl_resnet32-d50_1xb128-250e_cifar100.py']

model = dict(
    head=dict(logit_scale=10.0,
              loss=dict(_delete_=True, type='CrossEntropyLoss',
                        loss_weight=1.0)))
custom_hooks = []
