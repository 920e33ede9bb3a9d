# mmseg's SGD schedule over 80k iterations (validation/checkpoints every 8k).
_base_ = ['mmseg::_base_/schedules/schedule_80k.py']
