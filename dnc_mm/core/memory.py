"""A bounded first-in-first-out store of recent features and labels.

DNC clusters every class on the current batch *plus* the features of earlier
batches (§3, "external memory"; paper: 100 batches on CIFAR, 1,000 for
ResNet and 500 for Swin on ImageNet), so that classes absent from a batch
are still seen. The store keeps the last ``capacity`` rows, with their
labels and whether the sample was correctly classified when it was stored
(Algorithm 1 clusters correctly classified samples only).

Optionally rows older than ``max_age`` pushes (training iterations) are left
out of :meth:`rows` (staleness, beyond the paper): in a short run a memory of
100 batches spans almost the whole run, so the clustering keeps averaging
features, and "correct" flags, from the first iterations.

Everything lives in buffers (including the push clock and every row's
stamp): it is saved in checkpoints, restored on resume
and moved with the module. Storage can be float16 to halve the footprint;
rows are returned as views in the storage dtype.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

__all__ = ['FeatureMemory']


def _check_dtype(dtype: torch.dtype) -> None:
    if dtype not in (torch.float32, torch.float16, torch.bfloat16):
        raise ValueError(f'memory dtype must be float32, float16 or '
                         f'bfloat16, got {dtype}')


class FeatureMemory(nn.Module):
    """Ring buffer of ``(feature, label, correct)`` rows.

    Starts empty with capacity 0; :meth:`allocate` sizes it (the memory hook
    does this once the real global batch size is known).

    Args:
        dtype: Storage dtype of the features, ``torch.float32`` or
            ``torch.float16``.
        max_age: Rows pushed more than this many pushes before the newest
            one are not returned by :meth:`rows` (0: only the newest push);
            ``None``: no limit.
    """

    def __init__(self,
                 dtype: torch.dtype = torch.float32,
                 max_age: Optional[int] = None) -> None:
        super().__init__()
        _check_dtype(dtype)
        self.storage_dtype = dtype
        self.max_age = self._check_age(max_age)
        self.register_buffer('features', torch.zeros(0, 0, dtype=dtype))
        self.register_buffer('labels', torch.zeros(0, dtype=torch.long))
        self.register_buffer('correct', torch.zeros(0, dtype=torch.bool))
        self.register_buffer('cursor', torch.zeros((), dtype=torch.long))
        self.register_buffer('num_filled', torch.zeros((), dtype=torch.long))
        # push clock and the push number of every row (staleness)
        self.register_buffer('clock', torch.zeros((), dtype=torch.long))
        self.register_buffer('stamps', torch.zeros(0, dtype=torch.long))

    @staticmethod
    def _check_age(max_age: Optional[int]) -> Optional[int]:
        if max_age is not None and int(max_age) < 0:
            raise ValueError(f'max_age must be >= 0 or None, got {max_age}')
        return None if max_age is None else int(max_age)

    def set_max_age(self, max_age: Optional[int]) -> None:
        """Set the staleness limit (in pushes; ``None``: no limit)."""
        self.max_age = self._check_age(max_age)

    @staticmethod
    def capacity_for(size_in_batches: int,
                     batch_size: int,
                     world_size: int = 1) -> int:
        """Rows for ``size_in_batches`` earlier global batches plus the
        current one.

        The head pushes the current (all-gathered) batch *before* it
        clusters, so that the clustering reads the batch and the memory as
        one block of views instead of concatenating them (a copy of the
        whole memory every step); the store therefore holds one batch more
        than the earlier batches the paper's "memory size" counts.

        Args:
            size_in_batches: Earlier batches to keep (paper: 100 on CIFAR).
            batch_size: Per-rank batch size.
            world_size: Number of ranks.
        """
        return (int(size_in_batches) + 1) * int(batch_size) * int(world_size)

    @property
    def capacity(self) -> int:
        """Number of rows the store can hold."""
        return self.features.shape[0]

    @property
    def bytes_per_row(self) -> int:
        """Bytes one stored sample takes (feature + label + flag)."""
        dim = self.features.shape[1]
        return dim * self.features.element_size() + 8 + 1

    @property
    def nbytes(self) -> int:
        """Total bytes of the store."""
        return self.capacity * self.bytes_per_row

    def allocate(self,
                 capacity: int,
                 dim: int,
                 dtype: Optional[torch.dtype] = None) -> None:
        """Size the store for ``capacity`` rows of ``dim`` features.

        Keeps the content when shape and dtype are unchanged (e.g. it was
        just restored from a checkpoint); otherwise starts empty.

        Raises:
            ValueError: ``capacity`` or ``dim`` is smaller than 1.
        """
        if capacity < 1 or dim < 1:
            raise ValueError(f'memory needs capacity >= 1 and dim >= 1, got '
                             f'capacity={capacity}, dim={dim}')
        if dtype is not None:
            _check_dtype(dtype)
            self.storage_dtype = dtype
        if (tuple(self.features.shape) == (capacity, dim)
                and self.features.dtype == self.storage_dtype):
            return
        device = self.features.device
        self.features = torch.zeros(
            capacity, dim, dtype=self.storage_dtype, device=device)
        self.labels = torch.full((capacity, ),
                                 -1,
                                 dtype=torch.long,
                                 device=device)
        self.correct = torch.zeros(capacity, dtype=torch.bool, device=device)
        self.stamps = torch.zeros(capacity, dtype=torch.long, device=device)
        self.cursor.zero_()
        self.num_filled.zero_()

    @torch.no_grad()
    def push(self, features: Tensor, labels: Tensor, correct: Tensor) -> None:
        """Append rows, overwriting the oldest ones when full.

        Args:
            features: ``(N, D)`` features (detached, cast to storage dtype).
            labels: ``(N,)`` int class labels.
            correct: ``(N,)`` bool, correctly classified when stored.
        """
        if self.capacity == 0:
            return
        n = features.shape[0]
        if features.shape[1] != self.features.shape[1]:
            raise ValueError(f'memory stores {self.features.shape[1]}-d '
                             f'features, got {features.shape[1]}-d')
        if n >= self.capacity:  # only the newest rows survive
            features, labels, correct = (features[-self.capacity:],
                                         labels[-self.capacity:],
                                         correct[-self.capacity:])
            n = self.capacity
        idx = (self.cursor + torch.arange(n, device=self.cursor.device)) \
            % self.capacity
        self.features[idx] = features.detach().to(self.storage_dtype)
        self.labels[idx] = labels.to(torch.long)
        self.correct[idx] = correct.to(torch.bool)
        self.stamps[idx] = self.clock
        self.clock.add_(1)
        self.cursor.copy_((self.cursor + n) % self.capacity)
        self.num_filled.clamp_(max=self.capacity - n).add_(n)

    def rows(self) -> Tuple[Tensor, Tensor, Tensor]:
        """The filled rows (in storage order, not time order), as views.

        No copy is made: the features keep the storage dtype (the DNC core
        upcasts them chunk by chunk), so reading a float16 memory costs no
        float32 copy of it. With ``max_age`` the labels of stale rows are
        returned as -1 (a copy of the labels only), which every DNC
        function skips.

        Returns:
            ``(features (M, D), labels (M,), correct (M,))``.
        """
        m = int(self.num_filled)
        # not yet wrapped around: rows [0, m) are filled
        feats, labels, correct, stamps = (self.features[:m], self.labels[:m],
                                          self.correct[:m], self.stamps[:m])
        if self.max_age is not None:
            stale = (self.clock - 1 - stamps) > self.max_age
            labels = labels.masked_fill(stale, -1)
        return feats, labels, correct

    def newest_rows(self,
                    max_rows: Optional[int]) -> Tuple[Tensor, Tensor, Tensor]:
        """The newest ``max_rows`` filled rows, newest first (as
        :meth:`rows` when there are no more than that; ``None``: all).

        Returns:
            ``(features (M, D), labels (M,), correct (M,))``; the features
            of a selection are a float32 copy, stale rows have label -1 as
            in :meth:`rows`.
        """
        feats, labels, correct = self.rows()
        if max_rows is None or feats.shape[0] <= max_rows:
            return feats, labels, correct
        # the row written last is cursor - 1
        idx = (int(self.cursor) - 1 - torch.arange(
            max_rows, device=self.cursor.device)) % self.capacity
        return feats[idx].float(), labels[idx], correct[idx]

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # a checkpoint's store may have another size than this (empty) one:
        # take its shape, so resume restores the content exactly
        key = prefix + 'features'
        if key in state_dict and prefix + 'stamps' not in state_dict:
            # a checkpoint written before the staleness clock: every row
            # counts as pushed at step 0
            state_dict[prefix + 'stamps'] = torch.zeros(
                state_dict[key].shape[0], dtype=torch.long)
            state_dict[prefix + 'clock'] = torch.zeros((), dtype=torch.long)
        if key in state_dict and (state_dict[key].shape != self.features.shape
                                  or state_dict[key].dtype
                                  != self.features.dtype):
            saved = state_dict[key]
            self.storage_dtype = saved.dtype
            self.features = torch.zeros_like(
                saved, device=self.features.device)
            self.labels = torch.zeros(
                saved.shape[0], dtype=torch.long, device=self.labels.device)
            self.correct = torch.zeros(
                saved.shape[0], dtype=torch.bool, device=self.correct.device)
            self.stamps = torch.zeros(
                saved.shape[0], dtype=torch.long, device=self.stamps.device)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def extra_repr(self) -> str:
        return (f'capacity={self.capacity}, dim={self.features.shape[1]}, '
                f'dtype={self.storage_dtype}, filled={int(self.num_filled)}, '
                f'max_age={self.max_age}')
