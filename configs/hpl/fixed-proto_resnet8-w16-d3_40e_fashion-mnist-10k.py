# Fixed prototypes without re-assignment (HPL Figure 4a's "w/o dynamic
# assignment") at the HPL config's 40 epochs: the HPL config without
# PrototypeAssignmentHook, so class y keeps prototype y.
_base_ = ['./hpl_resnet8-w16-d3_40e_fashion-mnist-10k.py']

custom_hooks = []
