from .finite_guard import finite_on_all_ranks
from .seg_labels import labels_at

__all__ = ['finite_on_all_ranks', 'labels_at']
