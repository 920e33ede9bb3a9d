"""Capture what a decode head's pixel classifier saw, for ``loss_by_feat``.

Every mmseg decode head computes its logits with ``self.cls_seg(feat)`` at
the end of ``forward``; ``loss()`` runs that forward and then
``loss_by_feat(seg_logits, data_samples)``, which only receives the logits.
Heads whose training step needs more than the logits — DNC's sub-centroid
update needs the pixel embedding, CBP's feature losses the classifier input
— keep it here between the two calls:

* :meth:`ClsSegCaptureMixin.loss` opens a capture window around the head's
  own ``loss`` (any signature) and always closes it;
* the head's ``cls_seg`` calls :meth:`~ClsSegCaptureMixin._capture` with
  whatever it wants to keep (a second call in one forward pass is an
  error: the head would update from one pass and train on another);
* the head's ``loss_by_feat`` calls :meth:`~ClsSegCaptureMixin._end_capture`
  first (the forward pass is over) and
  :meth:`~ClsSegCaptureMixin._take_captured` where it needs the value.
"""
from typing import Any

__all__ = ['ClsSegCaptureMixin']


class ClsSegCaptureMixin:
    """Keep a value computed in ``cls_seg`` during ``loss()`` for
    ``loss_by_feat``. Mix in before the mmseg decode head class; call
    :meth:`_init_capture` in ``__init__``."""

    def _init_capture(self) -> None:
        self._capturing = False
        self._captured: Any = None

    def _wants_capture(self) -> bool:
        """Whether this training step needs the value (default: always)."""
        return True

    def loss(self, *args, **kwargs) -> dict:
        """The head's own ``loss`` (forward + ``loss_by_feat``) with the
        capture window open around it."""
        self._captured = None
        self._capturing = self._wants_capture()
        try:
            return super().loss(*args, **kwargs)
        finally:
            self._capturing = False
            self._captured = None

    def _capture(self, value: Any) -> None:
        """Keep ``value`` when called inside the window (from ``cls_seg``)."""
        if not self._capturing:
            return
        if self._captured is not None:
            raise RuntimeError(
                f'{type(self).__name__}.cls_seg ran twice in one training '
                'forward pass; the head trains from one pixel classification '
                'per forward')
        self._captured = value

    def _end_capture(self) -> None:
        """Close the window (the forward pass is over)."""
        self._capturing = False

    def _take_captured(self, needed_for: str) -> Any:
        """The captured value, once; raise if the forward pass left none.

        Args:
            needed_for: What the value is for, for the error message.
        """
        value, self._captured = self._captured, None
        if value is None:
            raise RuntimeError(
                f'{type(self).__name__}.loss_by_feat in training needs '
                f'{needed_for} of the same forward pass: call '
                'head.loss(inputs, data_samples, train_cfg) (it runs forward '
                'and loss_by_feat together), and make sure the head\'s '
                'forward ends with self.cls_seg(feat)')
        return value
