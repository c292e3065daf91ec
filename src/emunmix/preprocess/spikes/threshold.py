"""HyperSpy's automatic spike threshold on the derivative magnitude."""

from __future__ import annotations

import numpy as np

from ._inputs import _as_rows, _nav_mask, _sig_mask


def derivative_histogram_threshold(
    data, max_num_bins: int = 1000, navigation_mask=None, signal_mask=None
) -> float:
    """HyperSpy's automatic spike threshold on the derivative magnitude.

    The magnitudes ``|x_{j+1} - x_j|`` (for 2000 spectra or more, the largest
    per spectrum) are histogrammed (Freedman-Diaconis bins, at most
    ``max_num_bins``); the threshold is the left edge of the first empty bin.

    Parameters
    ----------
    data : array_like, shape (..., channels)
    max_num_bins : int
    navigation_mask : array_like of bool, optional
        True for spectra to leave out.
    signal_mask : array_like of bool, optional
        True for channels to leave out.

    Returns
    -------
    float
        The threshold; the largest magnitude when no bin is empty.

    Notes
    -----
    With fine bins the first empty one often lies in the tail of the noise,
    which is why this threshold flags many channels that are not spikes; it
    is provided to match HyperSpy and to seed the interactive tool.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.poisson(100.0, (50, 64)).astype(float)
    >>> x[3, 10] += 400
    >>> round(derivative_histogram_threshold(x), 1)  # in the noise tail, as upstream
    44.1
    """
    rows, shape = _as_rows(data)
    rows = rows.astype(float, copy=False)
    nmask = _nav_mask(navigation_mask, shape)
    smask = _sig_mask(signal_mask, shape[-1])
    if nmask is not None:
        rows = rows[~nmask]
    der = np.abs(np.diff(rows, axis=1))
    if smask is not None:
        der = der[:, ~(smask[1:] | smask[:-1])]
    if der.size == 0:
        raise ValueError("no derivative values left after masking")
    values = der.max(axis=1) if der.shape[0] >= 2000 else der.ravel()
    values = values[np.isfinite(values)]
    edges = np.histogram_bin_edges(values, bins="fd")
    if not 3 <= len(edges) - 1 <= max_num_bins:
        # too many bins, or Freedman-Diaconis degenerate (zero interquartile range)
        n_bins = int(np.clip(np.ceil(np.sqrt(values.size)), 3, max(int(max_num_bins), 3)))
        edges = np.histogram_bin_edges(values, bins=n_bins)
    hist, edges = np.histogram(values, bins=edges)
    empty = np.flatnonzero(hist == 0)
    return float(edges[empty[0]]) if empty.size else float(values.max())
