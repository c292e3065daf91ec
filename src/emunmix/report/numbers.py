"""How the report writes numbers: the same text on the page as in ``summary.json``.

Floats are rounded to :data:`SIGNIFICANT` significant digits once, when they enter a
report, and both the page and the JSON file print that rounded value with Python's
shortest round-trip ``repr`` (what :mod:`json` writes), so a number read in one is found,
character for character, in the other.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

SIGNIFICANT = 6


def clean(value):
    """A JSON-ready copy of ``value``: floats rounded, numpy scalars and arrays made plain.

    Non-finite floats become None (JSON has no NaN); tuples become lists; dictionary keys
    become strings.

    Examples
    --------
    >>> clean({"a": np.float32(0.1), "b": (1, 2.123456789), "c": float("nan")})
    {'a': 0.1, 'b': [1, 2.12346], 'c': None}
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            return None
        return float(f"{v:.{SIGNIFICANT}g}")
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if value is None or isinstance(value, str):
        return value
    return str(value)


def fmt(value) -> str:
    """Text of a cleaned value on the page (numbers exactly as ``json.dumps`` writes them).

    Examples
    --------
    >>> fmt(0.5), fmt(3), fmt(None), fmt(True), fmt([1, 2.5])
    ('0.5', '3', '-', 'True', '1, 2.5')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def leaf_numbers(value) -> list:
    """Every int or float (not bool) inside a cleaned structure, in order.

    Examples
    --------
    >>> leaf_numbers({"a": [1, {"b": 2.5}], "c": True, "d": "x"})
    [1, 2.5]
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [n for v in value for n in leaf_numbers(v)]
