from .seg_labels import labels_at

__all__ = ['labels_at']
