"""HyperSpy's RGB(A) data types: a colour per pixel as one structured value.

``change_dtype("rgb8")`` turns a signal whose one signal axis holds 3 channels (4 for
"rgba") into an image of structured ``(R, G, B[, A])`` values, the last two navigation
axes becoming the image axes; RosettaSciIO's readers ask for this (colour DigitalSurf
surfaces) and HyperSpy files store it.
"""

from __future__ import annotations

import numpy as np

RGB_DTYPES = {
    name: np.dtype([(c, base) for c in ("R", "G", "B", "A")[:n]])
    for name, base, n in (("rgb8", "u1", 3), ("rgb16", "u2", 3),
                          ("rgba8", "u1", 4), ("rgba16", "u2", 4))
}


def is_rgb_name(dtype) -> bool:
    return isinstance(dtype, str) and dtype.lower() in RGB_DTYPES


def to_rgb(data, axes: list[dict], name: str):
    """(data, axes) with the last (channel) axis folded into the RGB(A) dtype ``name``."""
    rgb = RGB_DTYPES[name.lower()]
    n = len(rgb.names)
    if not axes or axes[-1].get("navigate", True) or data.shape[-1] != n:
        raise ValueError(
            f"change_dtype({name!r}) needs one signal axis of {n} channels "
            f"({'R, G, B, A' if n == 4 else 'R, G, B'}); the data have shape {data.shape}"
        )
    if sum(1 for a in axes if not a.get("navigate", True)) != 1 or len(axes) < 3:
        raise ValueError(f"change_dtype({name!r}) needs two navigation axes (the image) "
                         "and the channel axis as the only signal axis")
    base = rgb.fields["R"][0]
    if np.asarray(data).dtype != base:
        raise ValueError(f"change_dtype({name!r}) needs {base} data (change_dtype('{base}') "
                         f"first); the data are {np.asarray(data).dtype}")
    packed = np.ascontiguousarray(np.asarray(data)).view(rgb).reshape(data.shape[:-1])
    new_axes = [dict(a) for a in axes[:-1]]
    for a in new_axes[-2:]:
        a["navigate"] = False
    return packed, new_axes
