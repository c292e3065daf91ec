"""The robust low-rank model of the spike-free data, and the spike tests against it.

:func:`spike_model` and the search behind ``find_spikes(method="lowrank")``:
the model is fitted a few times, each time with the entries that look like
spikes replaced by the model (see the docstring of :mod:`emunmix.preprocess.spikes`).
"""

from __future__ import annotations

import numpy as np

from emunmix.threads import single_blas_thread

from ._inputs import _as_rows, _is_auto, _nav_mask
from .interpolate import _interpolate_masked
from .lowrank import _SubspaceFit
from .scores import _auto_sigma, _Candidates, _poisson_upper_z, _row_sample


def _misfit_scale(z):
    """Per-channel spread of the model's misfit, in units of the Poisson noise.

    The larger of two estimates, each 1 for pure noise: the root mean square
    of the negative residuals (times sqrt 2), which spikes cannot inflate, and
    that of all residuals clipped to +-5, which also sees a model running
    below the data (where counts are low, the negative residuals cannot show
    it); one spike moves the latter by at most 25 / (spectra sampled).
    Widened to the neighbouring channels, since a shifted peak leaves a
    positive and a negative lobe next to each other. At least 1.
    """
    neg = np.minimum(z, 0.0)
    s_neg = 2.0 * np.mean(neg * neg, axis=0, dtype=np.float64)
    zc = np.clip(z, -5.0, 5.0)
    if z.shape[0] < _SMALL:
        # few spectra: one spike would dominate the mean, so each channel's largest
        # residual is left out
        zc = np.sort(zc, axis=0)[:-1] if z.shape[0] > 2 else np.minimum(zc, 0.0)
    s_all = np.mean(zc * zc, axis=0, dtype=np.float64)
    s = np.sqrt(np.maximum(np.maximum(s_neg, s_all), 1.0))
    if z.shape[0] < _SMALL:  # and a feature moved in energy misfits all channels it reaches
        import scipy.ndimage
        return scipy.ndimage.maximum_filter1d(s, size=2 * _SHIFT_REACH + 1, mode="nearest")
    s[1:] = np.maximum(s[1:], s[:-1].copy())
    s[:-1] = np.maximum(s[:-1], s[1:].copy())
    return s


# --------------------------------------------------------------------------- tests
# chi-square (4 dof) of the model residuals of the 4 neighbours of a spike:
# exceeded by noise with probability 5e-4
_NEIGHBOUR_CHI2 = 20.0
_N_ITER = 0  # power iterations of the subspace search
_SHIFT_REACH = 3  # channels a feature may move between spectra (energy instability)
_SHIFTS = np.arange(-_SHIFT_REACH, _SHIFT_REACH + 0.01, 0.25)  # channels
# within _SHIFT_REACH channels of a channel where _BUSY or more spectra peak sharply, a
# spike must at least double the model's value
_GROSS_EXCESS = 1.0
_BUSY = 3
# fewer spectra than this (a short line scan): a model of at most a quarter as many
# components as spectra, "rare" and "busy" features counted in single spectra (see
# _robust_lowrank), and a misfit scale that leaves out each channel's largest residual and
# covers the +-_SHIFT_REACH channels a feature may move (see _misfit_scale)
_SMALL = 16
_MIN_SPECTRA = 3


def _shape_test(X, r, c, model, g, scale, limit):
    """Whether the entries look like spikes once the model may move in energy.

    Where the data are shifted in energy by different amounts from pixel to
    pixel, the low-rank model can put a peak or an edge a channel or two from
    where a spectrum has it. So the model's spectrum is moved by each shift in
    +-3 channels (a quarter channel apart); a shift is *plausible* when the four
    neighbours of the entry then fit it (chi-square below the bound, residuals in
    units of the channel's misfit ``scale``). An entry is a spike when some
    shift is plausible and, at every plausible shift, the entry itself stays
    above ``limit`` (in sigma): a spike several times the local signal cannot
    be fitted by moving a peak, while a misplaced peak is fitted at some shift.
    """
    C = X.shape[1]
    half = int(np.ceil(np.abs(_SHIFTS).max())) + 3
    offs = np.arange(-half, half + 1)
    cols = np.clip(c[:, None] + offs[None, :], 0, C - 1)
    win = np.einsum("ik,kiw->iw", model.L[r], model.F[:, cols])  # model around each entry
    obs_d = np.array([-2, -1, 0, 1, 2])
    obs_c = c[:, None] + obs_d[None, :]
    valid = (obs_c >= 0) & (obs_c <= C - 1)
    obs_c = np.clip(obs_c, 0, C - 1)
    obs = X[r[:, None], obs_c].astype(np.float64)
    sc = scale[obs_c]
    plausible = np.zeros(r.size, bool)
    explained = np.zeros(r.size, bool)
    for s in _SHIFTS:
        # the model moved up by s channels, read at the observed channels
        pos = obs_d - s + half
        lo = np.floor(pos).astype(int)
        f = pos - lo
        m = (1 - f) * win[:, lo] + f * win[:, np.minimum(lo + 1, 2 * half)]
        lam = np.maximum(m, 0.0)
        z = (obs - lam) / np.sqrt(g * np.maximum(lam, g)) / sc
        chi2 = (np.where(valid, z, 0.0)[:, [0, 1, 3, 4]] ** 2).sum(axis=1)
        ok = chi2 < _NEIGHBOUR_CHI2
        plausible |= ok
        explained |= ok & (z[:, 2] < limit / sc[:, 2])
    return plausible & ~explained


def _spike_test(X, cand, model, T, Ts, exact):
    """Flags among the candidates, and the model there.

    A spike lies far above the model (in units of the model's misfit in that
    channel) and above its spectral neighbours, and passes :func:`_shape_test`.
    """
    g = cand.g
    sub = _row_sample(X.shape[0], 512)
    lam_s = np.maximum(model.rows(sub), 0.0)
    z_s = (X[sub] - lam_s) / np.sqrt(g * np.maximum(lam_s, g))
    scale = _misfit_scale(z_s)
    lam = np.maximum(model.at(cand.r, cand.c), 0.0)
    # where the model dips below the spectrum's own level (a misfit, common at low
    # counts), the neighbours' mean is the safer expectation
    lam_t = np.maximum(lam, cand.lam_nb)
    z = (cand.x - lam_t) / np.sqrt(g * np.maximum(lam_t, g))
    sd = np.sqrt(g * np.maximum(lam_t, g) * cand.vf)
    flags = (z > T * scale[cand.c]) & (cand.excess > Ts * sd) & (cand.z_binom > Ts)
    flags &= ~cand.busy | (cand.x - lam_t > _GROSS_EXCESS * np.maximum(lam_t, g))
    if flags.any():
        # a spike leaves its neighbours on the model (moved in energy if need be)
        i = np.flatnonzero(flags)
        flags[i] = _shape_test(X, cand.r[i], cand.c[i], model, g, scale, T * scale[cand.c[i]])
    if exact and flags.any():
        # the Gaussian z overstates significance at low counts: exact Poisson tail
        i = np.flatnonzero(flags)
        z_exact = _poisson_upper_z(cand.x[i] / g, lam_t[i] / g)
        flags[i] = z_exact > T * scale[cand.c[i]]
    return flags, lam


def _unique_entries(r, c, values, C):
    """Drop repeated (r, c) entries, keeping the last value given for each."""
    flat = r * C + c
    _, first_of_reversed = np.unique(flat[::-1], return_index=True)
    keep = flat.size - 1 - first_of_reversed
    return r[keep], c[keep], values[keep]


def _robust_lowrank(X, T, Ts, n_components, max_components, n_rounds, random_state, known=None):
    """Low-rank model refitted with spike-like entries replaced by the model.

    Returns the model (a :class:`_LowRank`), the candidates and the final flags
    among them.
    """
    import scipy.ndimage
    P, C = X.shape
    if P < _MIN_SPECTRA or C < 5:
        raise ValueError(
            f"the low-rank spike search needs at least {_MIN_SPECTRA} spectra of at least 5 "
            f"channels; got {P} x {C}. For one or two spectra use method='derivative'."
        )
    rng = np.random.default_rng(0 if random_state is None else random_state)
    # few spectra: a model of as many components as spectra would fit each one,
    # spikes and replaced entries included, so it gets at most a quarter of them
    cap = P - 1 if P >= _SMALL else max(1, P // 4)
    kmax = int(max(1, min(max_components, cap, C - 1)))
    if n_components is not None:
        kmax = int(min(max(int(n_components), 1), cap, C - 1))
    cand = _Candidates(X, Ts)
    # Round 0 has no model: replace the single-channel outliers by their neighbours'
    # median, but only in channels where they are rare (a sharp peak present in many
    # spectra is real), or where they dwarf the channel's other outliers.
    sel = _first_replacements(cand, P, C)
    # only local maxima: a spike also lifts the excess two channels away (the
    # interpolation weighs it by -1/6), and the median of the neighbours, unlike the
    # interpolation, is not dragged down by a spike among them
    peak = cand.x > cand.neighbours.max(axis=1)
    sel &= peak & (cand.z_binom > Ts)
    # Channels where several spectra peak sharply hold a real, sharp feature: there the
    # model is least trustworthy (a model averaged over spectra shifted in energy is
    # blunter than each), so a spike must also be a gross excess over it.
    # Shifted from spectrum to spectrum, such a feature can sit a few channels away.
    peaks_near = scipy.ndimage.maximum_filter1d(
        np.bincount(cand.c[peak], minlength=C), size=2 * _SHIFT_REACH + 1, mode="constant"
    )
    cand.busy = (peaks_near >= (_BUSY if P >= _SMALL else 2))[cand.c]
    r0, c0, v0 = cand.r[sel], cand.c[sel], np.median(cand.neighbours[sel], axis=1)
    kr = kc = np.zeros(0, np.intp)
    if known is not None:
        kr, kc = np.nonzero(known)
        spiky, inv = np.unique(kr, return_inverse=True)
        bridged = _interpolate_masked(X[spiky].astype(np.float64), known[spiky])
        kv = bridged[inv, kc]
        r0, c0, v0 = _unique_entries(
            np.concatenate([r0, kr]), np.concatenate([c0, kc]), np.concatenate([v0, kv]), C
        )
    # one BLAS thread: threaded, OpenBLAS made the thin QR and SVD steps tens of times
    # slower on a busy machine, and products with a few dozen vectors gain little
    with single_blas_thread():
        return _robust_rounds(X, T, Ts, n_components, kmax, n_rounds, rng, cand, sel,
                              r0, c0, v0, known, kr, kc)


def _first_replacements(cand, P, C):
    """Which candidates round 0 replaces: single-channel outliers in channels where
    they are rare (a sharp peak present in many spectra is real), or that dwarf the
    channel's other outliers (by 4 times their geometric mean).

    With fewer than ``_SMALL`` spectra both are counted over the +-``_SHIFT_REACH``
    channels a feature may move to (a peak shifted in energy is an outlier a channel
    or two away in each spectrum), among local maxima only (a spike's shoulders are
    candidates too), and "the others" leave out the candidate itself.
    """
    zs = cand.excess / cand.sd_nb
    if P >= _SMALL:
        counts = np.bincount(cand.c, minlength=C)
        typical = np.exp(  # geometric mean per channel
            np.bincount(cand.c, np.log(zs), minlength=C) / np.maximum(counts, 1))
        return (counts <= max(3, 0.002 * P))[cand.c] | (zs > 4.0 * typical[cand.c])
    top = cand.x > cand.neighbours.max(axis=1)
    window = np.ones(2 * _SHIFT_REACH + 1)
    near = np.convolve(np.bincount(cand.c[top], minlength=C), window, mode="same")
    logs = np.convolve(np.bincount(cand.c[top], np.log(zs[top]), minlength=C), window,
                       mode="same")
    own = np.where(top, np.log(zs), 0.0)
    others = near[cand.c] - top
    typical = np.exp((logs[cand.c] - own) / np.maximum(others, 1))
    rare = near[cand.c] <= (1 if P < 5 else max(2, P // 5))
    return rare | ((others > 0) & (zs > 4.0 * typical))


def _robust_rounds(X, T, Ts, n_components, kmax, n_rounds, rng, cand, sel, r0, c0, v0,
                   known, kr, kc):
    C = X.shape[1]
    fitter = _SubspaceFit(X, r0, c0, v0, kmax, n_components, rng, _N_ITER)
    model = fitter.fit(r0, c0, v0)
    for r in range(1, max(int(n_rounds), 1) + 1):
        last = r == n_rounds
        flags, lam = _spike_test(X, cand, model, T, Ts, exact=last)
        if last:
            break
        # what round 0 replaced stays replaced: a misfit next to a spike must not
        # release it into the fit, where a component would absorb it
        clip = flags | sel
        rr, cc, vv = cand.r[clip], cand.c[clip], lam[clip]
        if known is not None:
            rr, cc, vv = _unique_entries(
                np.concatenate([rr, kr]), np.concatenate([cc, kc]),
                np.concatenate([vv, np.maximum(model.at(kr, kc), 0.0)]), C,
            )
        model = fitter.fit(rr, cc, vv)
    return model, cand, flags


def spike_model(
    data,
    mask=None,
    n_components=None,
    max_components: int = 40,
    n_rounds: int = 3,
    threshold="auto",
    navigation_mask=None,
    random_state=None,
) -> np.ndarray:
    """Robust low-rank estimate of the spike-free data.

    Parameters
    ----------
    data : array_like, shape (..., channels)
        Non-negative spectra (counts, or data whose noise variance is
        proportional to the signal); at least 3 of them.
    mask : array_like of bool, optional
        Entries known to be spikes (same shape as ``data``): they never
        influence the model.
    n_components : int, optional
        Number of components. Default: those whose singular values of the
        Poisson-normalised data stand above the noise (at most
        ``max_components``).
    max_components : int
        Upper bound for the automatic choice.
    n_rounds : int
        Fits; after each but the last, entries that look like spikes (far
        above the model and single-channel narrow) are replaced by the model.
    threshold : "auto" or float
        Significance, in Gaussian sigma, of those entries (see :func:`find_spikes`).
    navigation_mask : array_like of bool, optional
        True for spectra left out; their model is NaN.
    random_state : int, Generator or None
        Seed of the randomised SVD (None means 0: results are reproducible).

    Returns
    -------
    numpy.ndarray of float32, same shape as ``data``
        The model (non-negative).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> truth = np.outer(rng.uniform(50, 100, 400), np.linspace(1, 2, 64))
    >>> noisy = rng.poisson(truth).astype(float)
    >>> noisy[7, 30] += 500
    >>> model = spike_model(noisy)
    >>> bool(abs(model[7, 30] - truth[7, 30]) < 10)
    True
    """
    rows, shape = _as_rows(data)
    nmask = _nav_mask(navigation_mask, shape)
    keep = np.ones(rows.shape[0], bool) if nmask is None else ~nmask
    X = np.asarray(rows[keep], dtype=np.float32)
    if not np.isfinite(X).all():
        raise ValueError("data hold NaN or infinite values; mask those spectra first")
    known = None
    if mask is not None:
        m = np.asarray(mask, bool)
        if m.shape != tuple(shape):
            raise ValueError(f"mask has shape {m.shape}; expected the data shape {tuple(shape)}")
        known = m.reshape(rows.shape)[keep]
        if not known.any():
            known = None
    T = _auto_sigma(X.size) if _is_auto(threshold) else float(threshold)
    lr, _, _ = _robust_lowrank(X, T, T, n_components, max_components, n_rounds, random_state,
                               known=known)
    out = np.full(rows.shape, np.nan, dtype=np.float32)
    out[keep] = np.maximum(lr.full(), 0.0)
    return out.reshape(shape)

