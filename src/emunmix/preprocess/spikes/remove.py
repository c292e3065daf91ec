"""Replacing spike channels: :func:`remove_spikes`."""

from __future__ import annotations

import numpy as np

from ._inputs import _as_rows
from .interpolate import _dilate_channels, _interpolate_masked
from .model import spike_model

_REPLACEMENTS = ("auto", "lowrank", "interpolate")


def remove_spikes(
    data,
    mask,
    add_noise: bool = True,
    default_spike_width: int = 5,
    interpolator_kind: str = "linear",
    replacement: str = "auto",
    model=None,
    random_state=None,
) -> np.ndarray:
    """Replace spike channels; returns a new array.

    Parameters
    ----------
    data : array_like, shape (..., channels)
        Spectra along the last axis.
    mask : array_like of bool, same shape
        True at spike channels (e.g. from :func:`find_spikes`).
    add_noise : bool
        Add Poisson noise to the replaced values (they are noise-free
        estimates otherwise).
    default_spike_width : int
        "interpolate" only: channels bridged on each side of a flagged run
        (HyperSpy's default 5).
    interpolator_kind : {"linear", "cubic"}
        "interpolate" only: a straight line between the channels either side,
        or a cubic Hermite curve that also follows their slopes.
    replacement : {"auto", "lowrank", "interpolate"}
        "lowrank": the robust low-rank model's value at each flagged channel,
        nothing else changes. "interpolate": HyperSpy's bridge. "auto":
        "lowrank" when there are at least 16 spectra, else "interpolate" (the bridge is
        safer than a model of few spectra).
    model : array_like, optional
        "lowrank" only: a model from ``find_spikes(..., return_model=True)`` or
        :func:`spike_model`; computed (treating ``mask`` as missing) if None.
    random_state : int, Generator or None
        Seed of the added noise (and of the model's randomised SVD).

    Returns
    -------
    numpy.ndarray
        A float copy of ``data`` with the spikes replaced.

    Examples
    --------
    >>> x = np.full((1, 9), 10.0)
    >>> x[0, 4] = 90.0
    >>> remove_spikes(x, x > 50, add_noise=False, default_spike_width=1)
    array([[10., 10., 10., 10., 10., 10., 10., 10., 10.]])
    """
    if replacement not in _REPLACEMENTS:
        raise ValueError(f"replacement must be one of {_REPLACEMENTS}, got {replacement!r}")
    if interpolator_kind not in ("linear", "cubic"):
        raise ValueError(
            f"interpolator_kind must be 'linear' or 'cubic', got {interpolator_kind!r}"
        )
    rows, shape = _as_rows(data)
    m = np.asarray(mask, dtype=bool)
    if m.shape != tuple(shape):
        raise ValueError(f"mask has shape {m.shape}; expected the data shape {tuple(shape)}")
    m = m.reshape(rows.shape)
    dtype = rows.dtype if np.issubdtype(rows.dtype, np.floating) else np.float64
    out = rows.astype(dtype, copy=True)
    if not m.any():
        return out.reshape(shape)
    rng = np.random.default_rng(random_state)
    if replacement == "auto":
        replacement = "lowrank" if rows.shape[0] >= 16 and rows.shape[1] >= 5 else "interpolate"

    if replacement == "lowrank":
        if model is None:
            model = spike_model(rows, mask=m, random_state=random_state).reshape(shape)
        mod = np.asarray(model)
        if mod.shape != tuple(shape):
            raise ValueError(f"model has shape {mod.shape}; expected the data shape {tuple(shape)}")
        values = mod.reshape(rows.shape)[m].astype(np.float64)
        fallback = ~np.isfinite(values)
        replace = m
    else:
        spiky = np.flatnonzero(m.any(axis=1))  # only spectra with spikes are touched
        wide = _dilate_channels(m[spiky], default_spike_width)
        bridged = _interpolate_masked(rows[spiky].astype(np.float64), wide, interpolator_kind)
        replace = np.zeros(rows.shape, bool)
        replace[spiky] = wide
        values = bridged[wide]
        fallback = np.zeros(values.shape, bool)
    if fallback.any():  # masked-out spectra have no model: bridge those channels
        lin = _interpolate_masked(rows.astype(np.float64), m)
        values = np.where(fallback, lin[m], values)
    values = np.maximum(values, 0.0)
    if add_noise:
        values = rng.poisson(values).astype(np.float64)
    out[replace] = values.astype(dtype)
    return out.reshape(shape)
