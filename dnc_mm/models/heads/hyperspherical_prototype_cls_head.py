"""HPL's head for mmpretrain: fixed hyperspherical prototypes.

HPL: Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024, https://arxiv.org/abs/2403.16937
(code: https://github.com/msed-Ebrahimi/DL2PA_CVPR24).

* :class:`HypersphericalPrototypeClsHead` — prototypes fixed before training
  (uniformity-estimated, loaded from ``tools/estimate_prototypes.py``'s file,
  or a simplex ETF), the label-to-prototype assignment ``A`` and the class
  means ``z̄`` as buffers, the IPM loss (Eq. 6) and prediction by the
  nearest prototype under ``A``. ``PrototypeAssignmentHook`` re-assigns
  ``A`` (Eq. 9); without the hook the assignment stays fixed (the
  "fixed prototypes" and ETF baselines).

Its baselines (PSC, PSC*, cosine softmax) are
:class:`~.uniformity_linear_cls_head.UniformityLinearClsHead`.
"""
import os
import os.path as osp
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine import dist
from mmengine.logging import print_log
from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from dnc_mm.core._utils import check_choice
from dnc_mm.core.class_means import (MEAN_SOURCES, mean_weights,
                                     update_class_means)
from dnc_mm.core.hyperspherical_prototypes import (estimate_prototypes,
                                                   prototype_statistics,
                                                   simplex_etf)
from dnc_mm.core.linear_assignment import SOLVERS
from dnc_mm.core.prototype_assignment import (assignment_changes,
                                              hungarian_assignment)
from ..losses.ipm_loss import IPMLoss
from ..utils import all_reduce_fn, finite_on_all_ranks, renamed_type

PROTOTYPE_TYPES = ('uniform', 'etf')
ESTIMATE_DEFAULTS = dict(iters=1000, lr=0.1, t=2.0, subset_size=None, seed=0)


def prototype_file_name(num_classes: int, dims: int, seed: int = 0) -> str:
    """File name under which prototypes of ``(d, c, seed)`` are cached."""
    return f'hpl_d{dims}_c{num_classes}_seed{seed}.pt'


def save_prototypes(path: str, prototypes: Tensor, **meta) -> None:
    """Write ``prototypes`` ``(c, d)`` and ``meta`` atomically to ``path``."""
    dirname = osp.dirname(osp.abspath(path))
    os.makedirs(dirname, exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    c, d = prototypes.shape
    torch.save(
        dict(prototypes=prototypes.cpu(), num_classes=c, dims=d, **meta), tmp)
    os.replace(tmp, path)


def load_prototypes(path: str, num_classes: int, dims: int) -> Tensor:
    """Read a prototype file and check it fits ``(num_classes, dims)``."""
    data = torch.load(path, map_location='cpu', weights_only=True)
    protos = data['prototypes'] if isinstance(data, dict) else data
    hint = (f'estimate matching ones with `python tools/estimate_prototypes.py'
            f' --classes {num_classes} --dims {dims} --out {path}` or point '
            'prototype_file to another file')
    if not isinstance(protos, Tensor) or protos.dim() != 2:
        raise ValueError(f'{path} does not hold a (classes, dims) prototype '
                         f'tensor: {hint}')
    if tuple(protos.shape) != (num_classes, dims):
        raise ValueError(
            f'{path} holds {protos.shape[0]} prototypes of dimension '
            f'{protos.shape[1]}, but the head has num_classes={num_classes} '
            f'and embed_dims={dims}: {hint}')
    norms = protos.float().norm(dim=1)
    if not torch.allclose(norms, torch.ones_like(norms), atol=1e-3):
        raise ValueError(f'{path}: prototypes are not unit vectors (norms '
                         f'{float(norms.min()):.3f}-{float(norms.max()):.3f})')
    return protos.float()


@MODELS.register_module()
class HypersphericalPrototypeClsHead(ClsHead):
    """Fixed hyperspherical prototypes with a label-to-prototype assignment.

    The pooled feature is (optionally) projected to ``embed_dims`` and
    l2-normalised to ``z``; the score of class ``y`` is
    ``logit_scale · zᵀ w_{A(y)}``. Training regresses the own-class score to
    1 (``IPMLoss``, Eq. 6) and, after the loss, updates the exponential
    moving average of each class's ``z`` (all samples of the global batch,
    or with Mixup / CutMix those that ``class_mean_source`` selects,
    all-reduced over ranks; :mod:`dnc_mm.core.class_means`).

    State (buffers, in checkpoints, restored by ``--resume``):
    ``prototypes (C, d)``, ``assignment (C,)`` (``A[y]`` is the prototype
    row of class ``y``; identity at start), ``class_means (C, d)``,
    ``class_counts (C,)`` (samples seen) and ``prototypes_ready``.

    Prototypes are created by :meth:`init_weights` (the runner calls it
    before loading a checkpoint) or on first use, from, in this order:
    ``prototype_type='etf'`` → a seeded simplex ETF (needs
    ``d >= C - 1``); else ``prototype_file`` if it exists (shape checked);
    else estimated with ``estimate_cfg`` (seeded, reproducible) and written
    to ``prototype_file`` when one is given (rank 0). On several ranks the
    result is broadcast from rank 0.

    Args:
        num_classes: ``C``.
        in_channels: Channels of the pooled backbone feature.
        embed_dims: Prototype dimension ``d``; ``None`` = ``in_channels``
            (no projection), else a learnable linear projection.
        prototype_type: ``'uniform'`` (Eq. 5) or ``'etf'``.
        prototype_file: Path of a prototype file (see
            ``tools/estimate_prototypes.py``).
        estimate_cfg: Overrides of :data:`ESTIMATE_DEFAULTS` (``iters``,
            ``lr``, ``t``, ``subset_size``, ``seed``); ``seed`` also seeds
            the ETF rotation.
        class_mean_momentum: ``α`` of the class-mean EMA.
        class_mean_source: Which samples of a Mixup / CutMix batch update
            the class means (:func:`dnc_mm.core.class_means.mean_weights`):
            ``'mixed'`` (every sample with its mixing weights, the
            default), ``'unmixed'`` (only samples whose target is one
            class) or ``'dominant'`` (each sample for its dominant label
            only, with its mixing weight). Same for hard labels.
        assignment_solver: ``'auto'``, ``'sparse'`` or ``'dense'`` (force
            :func:`scipy.optimize.linear_sum_assignment`); all give the same
            assignment (:mod:`dnc_mm.core.linear_assignment`).
        logit_scale: Factor on the cosine scores (1 for ``IPMLoss``; larger
            for the fixed-prototypes + cross-entropy baseline, Table 9).
        loss: Loss config (``IPMLoss`` or e.g. ``CrossEntropyLoss``).
        topk: Top-k accuracy reported when ``cal_acc``.
        cal_acc: Report training accuracy.
        init_cfg: Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 embed_dims: Optional[int] = None,
                 prototype_type: str = 'uniform',
                 prototype_file: Optional[str] = None,
                 estimate_cfg: Optional[dict] = None,
                 class_mean_momentum: float = 0.9,
                 class_mean_source: str = 'mixed',
                 assignment_solver: str = 'auto',
                 logit_scale: float = 1.0,
                 loss: dict = dict(type='IPMLoss', loss_weight=1.0),
                 topk: Union[int, Tuple[int]] = (1, ),
                 cal_acc: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            loss=loss, topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        if num_classes < 2:
            raise ValueError(f'num_classes must be >= 2, got {num_classes}')
        if in_channels < 1:
            raise ValueError(f'in_channels must be >= 1, got {in_channels}')
        dims = in_channels if embed_dims is None else embed_dims
        if dims < 2:
            raise ValueError(f'embed_dims must be >= 2, got {dims}')
        if prototype_type not in PROTOTYPE_TYPES:
            raise ValueError(f'prototype_type must be one of '
                             f'{PROTOTYPE_TYPES}, got {prototype_type!r}')
        if prototype_type == 'etf' and dims < num_classes - 1:
            raise ValueError(
                f'a simplex ETF of {num_classes} classes needs embed_dims >= '
                f"{num_classes - 1}, got {dims}: use prototype_type='uniform'")
        unknown = set(estimate_cfg or {}) - set(ESTIMATE_DEFAULTS)
        if unknown:
            raise ValueError(f'unknown estimate_cfg keys {sorted(unknown)}; '
                             f'allowed: {sorted(ESTIMATE_DEFAULTS)}')
        if not 0.0 <= class_mean_momentum < 1.0:
            raise ValueError(f'class_mean_momentum must be in [0, 1), got '
                             f'{class_mean_momentum}')
        check_choice('class_mean_source', class_mean_source, MEAN_SOURCES)
        check_choice('assignment_solver', assignment_solver, SOLVERS)
        if isinstance(self.loss_module, IPMLoss) and logit_scale != 1.0:
            raise ValueError('IPMLoss regresses cosines to 1: keep '
                             f'logit_scale=1.0 (got {logit_scale})')
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.embed_dims = dims
        self.prototype_type = prototype_type
        self.prototype_file = prototype_file
        self.estimate_cfg = {**ESTIMATE_DEFAULTS, **(estimate_cfg or {})}
        self.class_mean_momentum = class_mean_momentum
        self.class_mean_source = class_mean_source
        self.assignment_solver = assignment_solver
        self.logit_scale = logit_scale
        self.projection = (
            nn.Identity() if dims == in_channels else nn.Linear(
                in_channels, dims))
        self.register_buffer('prototypes', torch.zeros(num_classes, dims))
        self.register_buffer('assignment', torch.arange(num_classes))
        self.register_buffer('class_means', torch.zeros(num_classes, dims))
        self.register_buffer('class_counts', torch.zeros(num_classes))
        self.register_buffer('prototypes_ready', torch.tensor(False))

    # ------------------------------------------------------------ prototypes
    def init_weights(self) -> None:
        super().init_weights()
        self.init_prototypes()

    @torch.no_grad()
    def init_prototypes(self) -> None:
        """Create the fixed prototypes once (see the class docstring)."""
        if bool(self.prototypes_ready):
            return
        c, d = self.num_classes, self.embed_dims
        cfg = self.estimate_cfg
        if self.prototype_type == 'etf':
            protos = simplex_etf(c, d, seed=cfg['seed'])
            source = f'simplex ETF (seed {cfg["seed"]})'
        elif self.prototype_file and osp.isfile(self.prototype_file):
            protos = load_prototypes(self.prototype_file, c, d)
            source = self.prototype_file
        else:
            protos = estimate_prototypes(c, d, **cfg)
            source = f'estimated ({cfg})'
            if self.prototype_file and dist.is_main_process():
                save_prototypes(
                    self.prototype_file,
                    protos,
                    **cfg,
                    stats=prototype_statistics(protos))
                source += f', saved to {self.prototype_file}'
        protos = protos.to(self.prototypes.device)
        dist.broadcast(protos, src=0)  # a no-op outside distributed runs
        self.prototypes.copy_(protos)
        self.prototypes_ready.fill_(True)
        stats = prototype_statistics(protos)
        print_log(
            f'HPL prototypes ({c} x {d}) from {source}: max cos '
            f'{stats["max_cos"]:.3f}, min cos {stats["min_cos"]:.3f}',
            logger='current')

    # --------------------------------------------------------------- forward
    def pre_logits(self, feats: Tuple[Tensor]) -> Tensor:
        """l2-normalised embedding ``z`` ``(N, d)`` of the last feature."""
        x = feats[-1]
        if x.dim() != 2:
            raise ValueError(
                'HypersphericalPrototypeClsHead expects pooled (N, C) '
                'features,'
                f' got {tuple(x.shape)}: add a neck such as '
                'GlobalAveragePooling')
        if x.shape[1] != self.in_channels:
            raise ValueError(f'in_channels={self.in_channels} but the neck '
                             f'gives {x.shape[1]} channels')
        return F.normalize(self.projection(x).float(), dim=1)

    def class_prototypes(self) -> Tensor:
        """``(C, d)`` prototype of each class under the assignment."""
        if not bool(self.prototypes_ready):
            self.init_prototypes()
        return self.prototypes[self.assignment]

    def forward(self, feats: Tuple[Tensor]) -> Tensor:
        """Class scores ``logit_scale · zᵀ w_{A(y)}`` ``(N, C)``."""
        z = self.pre_logits(feats)
        return self.logit_scale * (z @ self.class_prototypes().t())

    def loss(self, feats: Tuple[Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """The configured loss on the scores, then the class-mean update."""
        z = self.pre_logits(feats)
        scores = self.logit_scale * (z @ self.class_prototypes().t())
        losses = self._get_loss(scores, data_samples, **kwargs)
        if self.training and finite_on_all_ranks(
                z.detach(), what='HPL class means'):
            if 'gt_score' in data_samples[0]:  # Mixup / CutMix
                targets = torch.stack([s.gt_score for s in data_samples])
            else:
                targets = torch.cat([s.gt_label for s in data_samples])
            targets = targets.to(z.device)
            if targets.dim() == 2 and self.class_mean_source != 'mixed':
                targets = mean_weights(targets, self.num_classes,
                                       self.class_mean_source)
            update_class_means(self.class_means, self.class_counts, z.detach(),
                               targets, self.class_mean_momentum,
                               all_reduce_fn())
        return losses

    # ------------------------------------------------------------ assignment
    @torch.no_grad()
    def reassign(self, means: Optional[Tensor] = None) -> int:
        """Hungarian re-assignment on ``−z̄ Wᵀ`` (Eq. 9); returns #changes.

        Rank 0 solves and broadcasts, so all ranks hold the same ``A``
        (their means are already identical: the update is all-reduced).

        Args:
            means: ``(C, d)`` class means to use instead of the running
                ``class_means`` buffer (e.g. from an evaluation-mode pass,
                ``PrototypeAssignmentHook(means_from='eval_pass')``); they
                must be identical on every rank. The buffer is not changed.
        """
        if not bool(self.prototypes_ready):
            self.init_prototypes()
        if means is None:
            means = self.class_means
        elif tuple(means.shape) != tuple(self.class_means.shape):
            raise ValueError(f'means must be {tuple(self.class_means.shape)}'
                             f', got {tuple(means.shape)}')
        new = hungarian_assignment(
            means,
            self.prototypes,
            solver=self.assignment_solver,
            previous=self.assignment)
        new = new.to(self.assignment.device)
        dist.broadcast(new, src=0)  # a no-op outside distributed runs
        changed = assignment_changes(self.assignment, new)
        self.assignment.copy_(new)
        return changed


MODELS.register_module(
    name='HypersphericalPrototypeHead',
    module=renamed_type(
        'HypersphericalPrototypeHead', 'HypersphericalPrototypeClsHead',
        'classification heads end in ClsHead, as in mmpretrain'))
