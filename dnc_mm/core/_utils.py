"""Small helpers shared by the DNC core modules (pure PyTorch).

Nothing in here is specific to one equation of the paper: a context manager
that switches autocast off (so that clustering always runs in fp32), the type
of the distributed reduction hook, a safe "finite or zero" helper used by
the log-domain normalisations, and the one-line checks of option values and
of ``dict(type=..., **options)`` configs.
"""
import contextlib
from typing import (Any, Callable, Dict, Iterator, Mapping, Optional, Sequence,
                    Tuple)

import torch
from torch import Tensor

#: A distributed reduction hook: ``reduce_fn(tensor, op)`` with ``op`` in
#: ``{'sum', 'max'}`` must return the element-wise reduction of ``tensor``
#: over all ranks (it may work in place and return its argument). ``None``
#: means "single process". The heads build it with
#: :func:`dnc_mm.models.utils.dist.all_reduce_fn` (on ``mmengine.dist``).
ReduceFn = Callable[[Tensor, str], Tensor]


@contextlib.contextmanager
def autocast_disabled(device: torch.device) -> Iterator[None]:
    """Disable autocast for ``device``'s type inside the block.

    Works for CUDA and CPU autocast (``torch.autocast('cpu', torch.bfloat16)``)
    and quietly does nothing for device types autocast does not know.

    Args:
        device: The device the enclosed computation runs on.
    """
    try:
        ctx = torch.autocast(device_type=device.type, enabled=False)
    except (RuntimeError, ValueError):  # device type without autocast support
        ctx = contextlib.nullcontext()
    with ctx:
        yield


def finite_or_zero(x: Tensor) -> Tensor:
    """Replace non-finite entries (``±inf``, NaN) by 0.

    Used on log-normalisers: an empty row/column has log-sum-exp ``-inf`` and
    subtracting it would turn its ``-inf`` entries into NaN; subtracting 0
    keeps them at ``-inf`` (probability 0).

    Args:
        x: Any float tensor.

    Returns:
        Tensor of the same shape and dtype.
    """
    return torch.where(torch.isfinite(x), x, torch.zeros_like(x))


def maybe_reduce(x: Tensor, op: str, reduce_fn: Optional[ReduceFn]) -> Tensor:
    """Apply ``reduce_fn(x, op)`` if a hook is given, else return ``x``.

    Args:
        x: Tensor to reduce across ranks.
        op: ``'sum'`` or ``'max'``.
        reduce_fn: Optional distributed hook.

    Returns:
        The (possibly) reduced tensor.
    """
    if reduce_fn is None:
        return x
    return reduce_fn(x, op)


def check_choice(name: str, value: Any, choices: Sequence) -> None:
    """Refuse ``value`` unless it is one of ``choices``, in one line.

    Args:
        name: The option's name, as the user writes it.
        value: The value given.
        choices: The allowed values.

    Raises:
        ValueError: ``"<name> must be one of (...), got <value>"``.
    """
    if value not in choices:
        raise ValueError(f'{name} must be one of {tuple(choices)}, got '
                         f'{value!r}')


def typed_options(name: str, cfg: Any, options_by_type: Mapping[str,
                                                                Sequence[str]],
                  example: str) -> Tuple[str, Dict[str, Any]]:
    """Split a config ``dict(type=..., **options)``, refusing in one line.

    Args:
        name: The option's name, as the user writes it (``'clustering'``).
        cfg: The config dict given.
        options_by_type: For every allowed type, the options it reads.
        example: A valid config, quoted in the message for a missing type.

    Returns:
        ``(type, options)``.

    Raises:
        ValueError: ``cfg`` is not a dict with a ``type``, the type is not
            allowed, or an option is one its type does not read (typically
            inherited from a base config of another type: the message names
            ``_delete_=True``).
    """
    if not isinstance(cfg, Mapping) or 'type' not in cfg:
        raise ValueError(f"{name} must be a dict with a 'type' (one of "
                         f'{tuple(options_by_type)}), e.g. {example}, got '
                         f'{cfg!r}')
    options = dict(cfg)
    kind = options.pop('type')
    check_choice(f'{name} type', kind, tuple(options_by_type))
    unread = sorted(set(options) - set(options_by_type[kind]))
    if unread:
        takes = ', '.join(options_by_type[kind]) or 'no options'
        raise ValueError(
            f'{name} type {kind!r} takes {takes}, got {unread} (a config '
            f'that changes the type of an inherited {name} needs '
            f'_delete_=True in its {name} dict)')
    return kind, options
