# DNC Table 5c: momentum mu=0.99 (80k iterations on ADE20K).
_base_ = ['./dnc-deeplabv3_r101-d8-dnc-pre_4xb4-80k_ade20k-512x512.py']

model = dict(decode_head=dict(classifier=dict(momentum=0.99)))
