"""Classification checkpoint -> segmentation backbone init (DNC §4.2).

DNC's transfer claim (Table 3) is that *every* parameter learned on ImageNet
lives in the embedding network and carries over to segmentation. This module
takes the ``backbone.*`` tensors of an mmpretrain checkpoint (DNC or linear
head), renames them to the mmseg backbone's names, checks them tensor by
tensor against a backbone built from the target config, and returns a
state dict that mmengine's ``Pretrained`` initialisation (or
``load_checkpoint``) loads into ``model.backbone``.

Name differences handled (mmpretrain 1.x -> mmseg 1.x):

* ``ResNetV1c``/``ResNetV1d`` deep stem: mmpretrain stores
  ``stem.{i}.conv``/``stem.{i}.bn`` (``ConvModule``), mmseg a flat
  ``Sequential`` ``stem.{3i}`` (conv) / ``stem.{3i+1}`` (norm);
* everything else of ResNet and Swin has the same names in both toolboxes.

What is *not* transferred is reported, never silently dropped: the
classifier's head (the linear layer, or DNC's projection and sub-centroids),
the neck, and target tensors the source cannot provide (e.g. the output
norms ``norm0``-``norm2`` that a segmentation Swin adds for its extra
outputs). A checkpoint that does not fit (another depth or width, a missing
stage) is refused with the list of offending tensors.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from torch import Tensor, nn

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

__all__ = [
    'BackboneTransferError', 'TransferReport', 'ALLOWED_MISSING',
    'backbone_tensors', 'rename_backbone_key', 'transfer_backbone'
]

#: Target tensors a classification backbone legitimately lacks: output
#: norms of extra stages (Swin's ``norm0``..``norm2``) and BN step counters.
ALLOWED_MISSING: Tuple[str, ...] = (r'^norm\d+\.', r'num_batches_tracked$')

_STEM = re.compile(r'^stem\.(\d+)\.(conv|bn)\.(.+)$')


class BackboneTransferError(ValueError):
    """The checkpoint does not fit the target backbone."""


@dataclass
class TransferReport:
    """What :func:`transfer_backbone` did.

    Attributes:
        state_dict: Target-named tensors to load into the backbone.
        mapped: ``(source name, target name, shape)`` of every copied tensor.
        adapted: Target names whose input channels were adapted.
        dropped: Source tensors outside the backbone (head, neck ...).
        missing: Target tensors left at their initialisation (all matched
            by ``allowed_missing``).
    """
    state_dict: Dict[str, Tensor] = field(default_factory=dict)
    mapped: List[Tuple[str, str, Tuple[int,
                                       ...]]] = field(default_factory=list)
    adapted: List[str] = field(default_factory=list)
    dropped: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)

    @property
    def num_mapped_elements(self) -> int:
        return sum(self.state_dict[t].numel() for _, t, _ in self.mapped)

    def summary(self, max_lines: int = 20) -> str:
        """Human-readable account of the mapped and unmapped tensors."""
        lines = [
            f'mapped {len(self.mapped)} backbone tensors '
            f'({self.num_mapped_elements:,} values)'
        ]
        renamed = [(s, t) for s, t, _ in self.mapped if s != t]
        for s, t in renamed[:max_lines]:
            lines.append(f'  renamed {s} -> {t}')
        if len(renamed) > max_lines:
            lines.append(f'  ... and {len(renamed) - max_lines} more renamed')
        for t in self.adapted:
            lines.append(f'  adapted input channels of {t}')
        lines.append(f'not transferred from the checkpoint '
                     f'(outside the backbone): {len(self.dropped)} tensors')
        for name in _group(self.dropped)[:max_lines]:
            lines.append(f'  {name}')
        lines.append('target tensors left at their initialisation: '
                     f'{len(self.missing)}')
        for name in self.missing[:max_lines]:
            lines.append(f'  {name}')
        return '\n'.join(lines)


def _group(names: Sequence[str]) -> List[str]:
    """``head.x``, ``head.y`` -> ``head.* (2 tensors)``."""
    groups: Dict[str, List[str]] = {}
    for name in names:
        groups.setdefault('.'.join(name.split('.')[:2]), []).append(name)
    return [
        f'{k}.* ({len(v)} tensors)' if len(v) > 1 else v[0]
        for k, v in groups.items()
    ]


def backbone_tensors(
        state_dict: Mapping[str, Tensor],
        prefix: str = 'backbone.') -> Tuple[Dict[str, Tensor], List[str]]:
    """Split a classifier's state dict into backbone tensors and the rest.

    Args:
        state_dict: Full model state dict (``backbone.*``, ``neck.*``,
            ``head.*``; a ``module.`` prefix of DDP is stripped).
        prefix: Prefix of the backbone's tensors.

    Returns:
        ``({name without prefix: tensor}, [names of the other tensors])``.

    Raises:
        BackboneTransferError: No tensor starts with ``prefix``.
    """
    backbone, rest = {}, []
    for name, value in state_dict.items():
        if name.startswith('module.'):
            name = name[len('module.'):]
        if name.startswith(prefix):
            backbone[name[len(prefix):]] = value
        else:
            rest.append(name)
    if not backbone:
        raise BackboneTransferError(
            f'no tensor named {prefix}* in the checkpoint (first names: '
            f'{list(state_dict)[:5]}); expected an mmpretrain classifier '
            'checkpoint (ImageClassifier with a backbone). For another '
            'layout pass --prefix.')
    return backbone, rest


def rename_backbone_key(name: str, target_keys: Sequence[str]) -> str:
    """mmpretrain backbone tensor name -> mmseg name (see module doc)."""
    if name in target_keys:
        return name
    match = _STEM.match(name)
    if match:
        i, kind, rest = int(match.group(1)), match.group(2), match.group(3)
        return f'stem.{3 * i + (0 if kind == "conv" else 1)}.{rest}'
    return name


def _adapt_in_channels(value: Tensor, in_channels: int) -> Tensor:
    """First-conv weight ``(O, I, kh, kw)`` for ``in_channels`` inputs.

    1 -> N: the grey filter is repeated and divided by N, so an image whose
    channels are all equal gives the same response as in the source.
    N -> 1: the filters are summed over the input channels (the response to
    a grey image stays the same).
    """
    src = value.shape[1]
    if src == 1:
        return value.repeat(1, in_channels, 1, 1) / in_channels
    if in_channels == 1:
        return value.sum(dim=1, keepdim=True)
    raise BackboneTransferError(
        f'cannot adapt a first convolution with {src} input channels to '
        f'{in_channels}: only 1 <-> N is defined')


def transfer_backbone(
        state_dict: Mapping[str, Tensor],
        target: nn.Module,
        prefix: str = 'backbone.',
        adapt_in_channels: bool = False,
        allowed_missing: Sequence[str] = ALLOWED_MISSING) -> TransferReport:
    """Map a classifier checkpoint onto a segmentation backbone.

    Nothing is written into ``target``: it is only inspected for names and
    shapes. Every source backbone tensor must land on a target tensor of the
    same shape (or, with ``adapt_in_channels``, a first convolution that
    differs only in input channels), and every target tensor must be
    provided unless its name matches ``allowed_missing``.

    Args:
        state_dict: The classifier's full state dict.
        target: The segmentation backbone (built from the target config).
        prefix: Prefix of the backbone tensors in ``state_dict``.
        adapt_in_channels: Adapt first-conv weights between 1 and N input
            channels (e.g. a Fashion-MNIST backbone for RGB scenes).
        allowed_missing: Regexes of target names that may stay initialised.

    Returns:
        A :class:`TransferReport` with the target-named ``state_dict``.

    Raises:
        BackboneTransferError: The checkpoint does not fit ``target``.
    """
    source, rest = backbone_tensors(state_dict, prefix)
    target_sd = target.state_dict()
    report = TransferReport(dropped=sorted(rest))
    unknown, mismatched, channels_only = [], [], False
    for name, value in source.items():
        new = rename_backbone_key(name, target_sd)
        if new not in target_sd:
            unknown.append(name)
            continue
        want = target_sd[new].shape
        if value.shape != want:
            in_channels_differ = (
                value.dim() == 4 and len(want) == 4
                and value.shape[0] == want[0] and value.shape[2:] == want[2:])
            channels_only |= in_channels_differ
            if not (adapt_in_channels and in_channels_differ):
                mismatched.append(f'{name}: checkpoint {tuple(value.shape)} '
                                  f'vs backbone {tuple(want)}')
                continue
            value = _adapt_in_channels(value, want[1])
            report.adapted.append(new)
        report.state_dict[new] = value.detach().clone()
        report.mapped.append((name, new, tuple(value.shape)))
    patterns = [re.compile(p) for p in allowed_missing]
    missing = [k for k in target_sd if k not in report.state_dict]
    not_allowed = [
        k for k in missing if not any(p.search(k) for p in patterns)
    ]
    problems = []
    if mismatched:
        hint = (' (input channels differ: pass --adapt-in-channels to '
                'adapt a 1-channel stem to N channels or back)'
                if channels_only and not adapt_in_channels else '')
        problems.append(f'{len(mismatched)} tensors have other shapes{hint}:' +
                        ''.join(f'\n  {m}' for m in mismatched[:10]))
    if unknown:
        problems.append(f'{len(unknown)} checkpoint backbone tensors have no '
                        'counterpart in the target backbone:' +
                        ''.join(f'\n  {u}' for u in unknown[:10]))
    if not_allowed:
        problems.append(f'{len(not_allowed)} target backbone tensors are '
                        'not in the checkpoint:' +
                        ''.join(f'\n  {m}' for m in not_allowed[:10]))
    if problems:
        raise BackboneTransferError(
            'the checkpoint does not fit the target backbone '
            f'({type(target).__name__}); check depth, widths, stem type and '
            'in_channels of the segmentation config against the '
            'classification config:\n' + '\n'.join(problems))
    report.missing = missing
    return report


def load_checkpoint_state_dict(
        path: str,
        map_location: Optional[str] = 'cpu') -> Tuple[Dict[str, Tensor], dict]:
    """``(state_dict, meta)`` of an mmengine/mmpretrain checkpoint file."""
    ckpt = load_checkpoint_file(path, map_location=map_location)
    if isinstance(ckpt, dict) and 'state_dict' in ckpt:
        return dict(ckpt['state_dict']), dict(ckpt.get('meta', {}) or {})
    if isinstance(ckpt, dict) and all(
            isinstance(v, Tensor) for v in ckpt.values()):
        return dict(ckpt), {}
    raise BackboneTransferError(
        f'{path} holds neither an mmengine checkpoint (a dict with '
        "'state_dict') nor a plain state dict")
