# Fixed prototypes without re-assignment (HPL Figure 4a's "w/o dynamic
# assignment"): the HPL config without PrototypeAssignmentHook, so class y
# keeps prototype y.
_base_ = ['./hpl_resnet8-w16-d3_6e_fashion-mnist-2k.py']

custom_hooks = []
