"""The axes a LearningResults came from, as flat keys for ``.npz``/``.hspy`` files.

``LearningResults.axes`` is a list of axis dictionaries (RosettaSciIO/HyperSpy form:
``name``, ``units``, ``scale``, ``offset``, ``size``, ``navigate``, ...; ``axis`` for a
non-uniform axis) in array order. In files each entry becomes ``axes__<i>__<key>``: a
flat key of a plain value, which HyperSpy 2.5 loads as an unused attribute of its own
``learning_results`` (it updates the object's ``__dict__`` with the stored keys), so
files stay readable by both.
"""

from __future__ import annotations

import numbers

import numpy as np

PREFIX = "axes"
_SEP = "__"


def flatten_axes(axes) -> dict:
    """``{"axes__0__name": ..., ...}`` for a list of axis dictionaries."""
    out = {}
    for i, axis in enumerate(axes or ()):
        for key, value in dict(axis).items():
            if value is None:
                continue
            if isinstance(value, (str, bool, np.bool_, numbers.Number)):
                out[f"{PREFIX}{_SEP}{i}{_SEP}{key}"] = value
            else:
                out[f"{PREFIX}{_SEP}{i}{_SEP}{key}"] = np.asarray(value)
    return out


def unflatten_axes(flat: dict) -> list:
    """Inverse of :func:`flatten_axes` (``flat`` maps ``"<i>__<key>"`` to values);
    an entry whose index is not a number is ignored."""
    by_index: dict = {}
    for sub, value in flat.items():
        index, sep, key = sub.partition(_SEP)
        if not (sep and index.isdigit() and key):
            continue
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, np.generic):
            value = value.item()
        if key == "size":
            value = int(value)
        elif key in ("navigate", "is_binned"):
            value = bool(value)
        elif key in ("scale", "offset"):
            value = float(value)
        by_index.setdefault(int(index), {})[key] = value
    return [by_index[i] for i in sorted(by_index)]
