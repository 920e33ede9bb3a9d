from .cls_seg_capture import ClsSegCaptureMixin
from .dist import all_gather_rows, all_reduce_fn, broadcast_fn
from .finite_guard import finite_on_all_ranks
from .renamed import renamed_type
from .seg_labels import labels_at

__all__ = [
    'ClsSegCaptureMixin', 'all_gather_rows', 'all_reduce_fn', 'broadcast_fn',
    'finite_on_all_ranks', 'labels_at', 'renamed_type'
]
