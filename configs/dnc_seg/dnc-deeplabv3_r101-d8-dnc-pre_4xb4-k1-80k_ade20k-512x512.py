# DNC Table 5a: K=1 sub-centroids per class (80k iterations on ADE20K). K=1:
# every class is its pixels' mean (no clustering).
_base_ = ['./dnc-deeplabv3_r101-d8-dnc-pre_4xb4-80k_ade20k-512x512.py']

model = dict(decode_head=dict(classifier=dict(num_subcentroids=1)))
