"""Boolean masks of the spike channels: :func:`find_spikes`."""

from __future__ import annotations

import numpy as np

from ._inputs import _as_rows, _is_auto, _nav_mask, _sig_mask
from .model import _robust_lowrank
from .scores import _auto_sigma
from .threshold import derivative_histogram_threshold

_METHODS = ("lowrank", "derivative", "median")


def find_spikes(
    data,
    threshold="auto",
    method: str = "lowrank",
    signal_mask=None,
    navigation_mask=None,
    spectral_threshold=None,
    n_components=None,
    max_components: int = 40,
    max_num_bins: int = 1000,
    random_state=None,
    return_model: bool = False,
):
    """Boolean mask of the spike channels in a spectrum image.

    Parameters
    ----------
    data : array_like, shape (..., channels)
        Spectra with non-negative counts along the last axis.
    threshold : "auto" or float
        "lowrank": significance in Gaussian sigma of the excess over the
        low-rank model (auto: about 0.05 false detections over the whole data
        under Poisson noise, e.g. 5.6 for 64 x 64 x 1024). "derivative":
        threshold on ``|dI/dchannel|`` (auto: :func:`derivative_histogram_threshold`,
        HyperSpy's choice). "median": multiple of the robust noise of the
        residual from a 5-channel median filter (auto: 5, HyperSpy's
        ``threshold_factor``).
    method : {"lowrank", "derivative", "median"}
        See the module docstring; "derivative" and "median" look at each
        spectrum alone, as HyperSpy's ``spikes_removal_tool`` and
        ``remove_spikes`` do.
    signal_mask : array_like of bool, optional
        True for channels not to search (e.g. an edge of interest).
    navigation_mask : array_like of bool, optional
        True for spectra not to search (and, for "lowrank", not to model).
    spectral_threshold : float, optional
        "lowrank" only: the significance the single-channel test needs
        (default: the same as ``threshold``).
    n_components, max_components : int, optional
        "lowrank" only: see :func:`spike_model`.
    max_num_bins : int
        "derivative" with ``threshold="auto"``: histogram bins.
    random_state : int, Generator or None
        "lowrank" only: seed of the randomised SVD.
    return_model : bool
        "lowrank" only: also return the robust low-rank model, to pass to
        :func:`remove_spikes` and save refitting it.

    Returns
    -------
    mask : numpy.ndarray of bool, same shape as ``data``
        True at spike channels. With ``return_model``, ``(mask, model)``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> truth = np.outer(rng.uniform(50, 100, 400), np.linspace(1, 2, 64))
    >>> noisy = rng.poisson(truth).astype(float)
    >>> noisy[7, 30] += 300
    >>> [tuple(map(int, ij)) for ij in np.argwhere(find_spikes(noisy))]
    [(7, 30)]
    """
    import scipy.ndimage
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    rows, shape = _as_rows(data)
    n = shape[-1]
    nmask = _nav_mask(navigation_mask, shape)
    smask = _sig_mask(signal_mask, n)
    keep = np.ones(rows.shape[0], bool) if nmask is None else ~nmask
    # float32 halves the memory traffic; counts stay exact up to 2**24
    Xk = np.asarray(rows[keep] if nmask is not None else rows, dtype=np.float32)
    if not np.isfinite(Xk).all():
        raise ValueError("data hold NaN or infinite values; mask those spectra first")
    model = None

    if method == "lowrank":
        n_tests = Xk.shape[0] * (n if smask is None else int((~smask).sum()))
        T = _auto_sigma(n_tests) if _is_auto(threshold) else float(threshold)
        Ts = T if spectral_threshold is None else float(spectral_threshold)
        lr, cand, cflags = _robust_lowrank(
            Xk, T, Ts, n_components, max_components, 3, random_state
        )
        flags = np.zeros(Xk.shape, bool)
        flags[cand.r[cflags], cand.c[cflags]] = True
        if return_model:
            full = lr.full()
            np.maximum(full, 0.0, out=full)
            if nmask is not None:
                model = np.full(rows.shape, np.nan, dtype=np.float32)
                model[keep] = full
                full = model
            model = full.reshape(shape)
    elif method == "derivative":
        if _is_auto(threshold):
            thr = derivative_histogram_threshold(
                Xk, max_num_bins=max_num_bins, signal_mask=smask
            )
        else:
            thr = float(threshold)
        d = np.diff(Xk, axis=1)
        flags = np.zeros(Xk.shape, bool)
        flags[:, 1:] |= d > thr  # steep rise into channel j+1
        flags[:, :-1] |= -d > thr  # steep fall out of channel j
    else:
        factor = 5.0 if _is_auto(threshold) else float(threshold)
        med = scipy.ndimage.median_filter(Xk, size=(1, 5), mode="nearest")
        resid = Xk - med
        mad = np.median(np.abs(resid - np.median(resid, axis=1, keepdims=True)), axis=1)
        sigma = np.maximum(1.4826 * mad, 1e-12)[:, None]
        flags = resid > factor * sigma
    if smask is not None:
        flags &= ~smask[None, :]
    if nmask is None:
        out = flags
    else:
        out = np.zeros(rows.shape, bool)
        out[keep] = flags
    out = out.reshape(shape)
    if return_model:
        return out, model
    return out
