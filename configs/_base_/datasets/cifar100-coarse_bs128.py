# CIFAR-100 with its 20 *coarse* (super-class) labels, "CIFAR-20" of the DNC
# paper's Table 13 (§E: train on the 20 coarse classes, then measure the
# 1-nearest-neighbour "induction accuracy" on the 100 fine classes).
# Same images, pipeline and normalisation as cifar100_bs128.py.
# `CIFAR100Coarse` (dnc_mm) reads `coarse_labels` from the standard
# cifar-100-python pickles and keeps each image's fine label as
# `fine_label`.
_base_ = ['./cifar100_bs128.py']

dataset_type = 'CIFAR100Coarse'
data_preprocessor = dict(num_classes=20)
train_dataloader = dict(dataset=dict(type=dataset_type))
val_dataloader = dict(dataset=dict(type=dataset_type))
test_dataloader = val_dataloader
# Top-1 on the 20 coarse classes (Table 13, "20 classes" column). The
# "100 classes" column (1-NN on the fine labels, train images as the
# gallery) is measured after training with
#   python tools/induction_eval.py CONFIG CHECKPOINT --k 1
