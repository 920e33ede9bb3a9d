# COCO-Stuff-10k (171 classes) in mmseg's standard layout
# (data/coco_stuff10k, prepared with mmseg's tools/dataset_converters/
# coco_stuff10k.py): mmseg's dataset base, 512x512 crops.
_base_ = ['mmseg::_base_/datasets/coco-stuff10k.py']
