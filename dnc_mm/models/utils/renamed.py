"""Registry entries for renamed types: a config with the old name fails with
one line that names the new one, instead of "not in the registry"."""
from typing import Callable

__all__ = ['renamed_type']


def renamed_type(old: str, new: str, rule: str) -> Callable:
    """A builder to register under ``old`` that refuses with the fix.

    Args:
        old: The former registered name.
        new: The name to write in the config instead.
        rule: Why it was renamed, in a few words.

    Returns:
        A function that raises ``ValueError`` whatever it is called with.
    """

    def build(*args, **kwargs):
        raise ValueError(
            f"{old} was renamed {new} ({rule}): write type='{new}' "
            'in the config')

    build.__name__ = build.__qualname__ = old
    return build
