# default_runtime_seg.py plus the class separability CS (CBP paper, Eq. 8) of
# the decode head's classifier weights, logged with the validation metrics.
_base_ = ['./default_runtime_seg.py']

custom_hooks = [dict(type='ClassSeparabilityHook')]
