# mmseg's SGD schedule: lr 0.01, momentum 0.9, wd 5e-4, poly (power 0.9) over
# 160k iterations, validation and checkpoints every 16k.
_base_ = ['mmseg::_base_/schedules/schedule_160k.py']
