"""JSON parsing as strict readers do it (JavaScript, RFC 8259)."""
import json
from typing import Any


def strict_json_loads(text: str) -> Any:
    """``json.loads`` that refuses ``NaN`` and ``Infinity``, which Python
    writes and accepts but JSON does not have."""

    def reject(constant: str):
        raise ValueError(f'{constant} is not JSON')

    return json.loads(text, parse_constant=reject)
