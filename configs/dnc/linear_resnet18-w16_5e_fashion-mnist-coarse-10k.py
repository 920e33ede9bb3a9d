# Linear softmax head trained on our 3 coarse Fashion-MNIST classes: the
# parametric side of the induction benchmark (train on coarse labels, 1-NN on
# the 10 fine labels, DNC paper §E / Tables 13-14). Twin of
# dnc_resnet18-w16_5e_fashion-mnist-coarse-10k.py: same backbone, data,
# schedule and seed; only the head differs.
_base_ = ['./linear_resnet18-w16_5e_fashion-mnist-10k.py']

model = dict(head=dict(num_classes=3))

# our 3 coarse classes (not an official hierarchy, see
# dnc_mm/datasets/coarse_labels.py); samples keep `fine_label`
data_preprocessor = dict(num_classes=3)
train_dataloader = dict(dataset=dict(type='FashionMNISTCoarse'))
val_dataloader = dict(dataset=dict(type='FashionMNISTCoarse'))
test_dataloader = val_dataloader
