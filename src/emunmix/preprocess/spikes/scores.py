"""Single-channel statistics of the spike search, and the candidates they find.

The excess of a channel over the cubic interpolation from its neighbours, its
noise, the Gaussian equivalents of binomial and Poisson tails, the gain (noise
variance per unit signal), and :class:`_Candidates`: the entries that stand out
from their spectral neighbours, found by one scan of the data.
"""

from __future__ import annotations

import numpy as np

_FALSE_ALARMS = 0.05  # expected false detections over the whole data for threshold="auto"


def _auto_sigma(n_tests: int) -> float:
    """One-sided Gaussian threshold with ``_FALSE_ALARMS`` expected exceedances."""
    from scipy.special import ndtri
    p = _FALSE_ALARMS / max(int(n_tests), 1)
    return float(-ndtri(min(p, 0.5)))


def _binomial_upper_z(x, n, p):
    """Equivalent Gaussian z of P(Binomial(n, p) >= x) (continuous in x and n)."""
    from scipy.special import betainc, ndtri
    x = np.maximum(x, 1e-12)
    n = np.maximum(n, x)
    # P(X >= x) = I_p(x, n - x + 1), the regularised incomplete beta function
    prob = betainc(x, n - x + 1.0, p)
    return -ndtri(np.clip(prob, 1e-300, 0.5))


def _poisson_upper_z(x, lam):
    """Equivalent Gaussian z of P(Poisson(lam) >= x), for x > lam (vectorised)."""
    from scipy.special import gammainc, ndtri
    lam = np.maximum(lam, 1e-6)
    # P(X >= x) = P(x, lam), the regularised lower incomplete gamma (continuous in x)
    p = gammainc(np.maximum(x, 1e-12), lam)
    return -ndtri(np.clip(p, 1e-300, 0.5))


def _var_factor(C: int) -> np.ndarray:
    """var(x_j - prediction_j) / var(x_j) for the predictions of :func:`_neighbour_terms`."""
    vf = np.full(C, 70.0 / 36.0)  # 1 + (16 + 16 + 1 + 1) / 36
    vf[[1, -2]] = 1.5  # 1 + (1 + 1) / 4
    vf[[0, -1]] = 6.0  # 1 + 4 + 1
    return vf


def _neighbour_terms(X):
    """Excess over the neighbours' prediction, and the neighbours' mean.

    Inside, the prediction is the cubic interpolation from channels j-2, j-1,
    j+1, j+2; one channel from an end, the mean of j-1 and j+1; at the ends,
    the straight line through the next two channels. A channel never predicts
    itself.
    """
    pred = np.empty_like(X)
    lam = np.empty_like(X)
    near = X[:, 1:-3] + X[:, 3:-1]
    far = X[:, :-4] + X[:, 4:]
    pred[:, 2:-2] = (4.0 * near - far) / 6.0
    lam[:, 2:-2] = 0.25 * (near + far)
    pred[:, 1] = lam[:, 1] = 0.5 * (X[:, 0] + X[:, 2])
    pred[:, -2] = lam[:, -2] = 0.5 * (X[:, -3] + X[:, -1])
    pred[:, 0] = 2.0 * X[:, 1] - X[:, 2]
    pred[:, -1] = 2.0 * X[:, -2] - X[:, -3]
    lam[:, 0] = 0.5 * (X[:, 1] + X[:, 2])
    lam[:, -1] = 0.5 * (X[:, -2] + X[:, -3])
    return X - pred, lam


def _neighbour_terms_at(X, r, c):
    """:func:`_neighbour_terms` at the entries (r, c) only, in float64."""
    C = X.shape[1]
    idx = np.clip(c[:, None] + np.arange(-2, 3)[None, :], 0, C - 1)
    w = X[r[:, None], idx].astype(np.float64)  # channels c-2 .. c+2 (clipped)
    pred = (4.0 * (w[:, 1] + w[:, 3]) - w[:, 0] - w[:, 4]) / 6.0
    lam = 0.25 * (w[:, 0] + w[:, 1] + w[:, 3] + w[:, 4])
    one = (c == 1) | (c == C - 2)
    pred = np.where(one, 0.5 * (w[:, 1] + w[:, 3]), pred)
    lam = np.where(one, 0.5 * (w[:, 1] + w[:, 3]), lam)
    first, last = c == 0, c == C - 1
    pred = np.where(first, 2.0 * w[:, 3] - w[:, 4], np.where(last, 2.0 * w[:, 1] - w[:, 0], pred))
    lam = np.where(first, 0.5 * (w[:, 3] + w[:, 4]),
                   np.where(last, 0.5 * (w[:, 1] + w[:, 0]), lam))
    return w[:, 2] - pred, lam


def spectral_outlier_score(rows, level=None, gain: float = 1.0):
    """Excess of each channel over the cubic interpolation from its neighbours.

    Parameters
    ----------
    rows : array_like, shape (pixels, channels)
        Spectra (counts, or data whose variance is ``gain`` times the signal).
    level : array_like, shape (pixels, channels), optional
        Expected value of each channel (e.g. a model), used for the noise:
        the noise level is the larger of this and the mean of the four
        neighbours.
    gain : float
        Noise variance per unit of signal (1 for counts).

    Returns
    -------
    excess, sd : ndarray, shape (pixels, channels)
        ``x_j - (-x_{j-2} + 4 x_{j-1} + 4 x_{j+1} - x_{j+2}) / 6`` (lower-order
        predictions in the first and last two channels) and its standard
        deviation under Poisson noise.

    Notes
    -----
    The interpolation is exact for cubic polynomials, so a peak a few channels
    wide barely registers, while a single-channel spike keeps its full height.
    The noise comes from the neighbours' mean rather than from the
    interpolation, which falls far below the truth where, at low counts, a
    far neighbour happens to be high.

    Examples
    --------
    >>> x = np.array([[10.0, 10, 10, 10, 60, 10, 10, 10]])
    >>> excess, sd = spectral_outlier_score(x)
    >>> float(excess[0, 4]), round(float(sd[0, 4]), 2)
    (50.0, 4.41)
    """
    rows = np.asarray(rows, dtype=float)
    excess, lam = _neighbour_terms(rows)
    if level is not None:
        lam = np.maximum(lam, level)
    sd = np.sqrt(gain * np.maximum(lam, gain) * _var_factor(rows.shape[1]))
    return excess, sd


def _row_sample(P: int, target: int = 1024) -> slice:
    """Every k-th spectrum, about ``target`` of them, for per-channel statistics."""
    return slice(None, None, max(1, P // target))


def _estimate_gain(excess, lam_nb, vf) -> float:
    """Noise variance per unit signal (1 for counts) from the spectral residuals.

    Robust (a median) and free of any model, so neither spikes nor misfits of
    the low-rank model bias it.
    """
    good = lam_nb > 0
    if not good.any():
        return 1.0
    r2 = excess.astype(np.float64) ** 2 / (np.maximum(lam_nb, 1e-30) * vf)
    g = float(np.median(r2[good])) / 0.4549364  # median of chi-square with 1 dof
    return g if np.isfinite(g) and g > 0 else 1.0


class _Candidates:
    """Entries that stand out from their spectral neighbours, found once.

    Whatever the model, the noise level of the single-channel test is at least
    that of the neighbours' mean, so an entry failing the test at that level
    fails it in every round: all later tests run on these few entries only.
    The data are scanned in blocks of rows that stay in cache.
    """

    _BLOCK = 128  # spectra per block of the scan

    def __init__(self, X, Ts):
        P, C = X.shape
        vf = _var_factor(C).astype(X.dtype)
        sub = _row_sample(P, 256)  # a median of ~250 000 values
        self.g = g = _estimate_gain(*_neighbour_terms(X[sub]), vf)
        # Inside (channels 2 .. C-3, where vf is one constant): excess > Ts * sd  <=>
        # 6 excess > 6 sqrt(Ts**2 g vf max(lam, g)), lam the neighbours' mean. Computed on
        # the flattened data, in blocks that stay in cache, with reused buffers:
        # contiguous 1-D operations run twice as fast as on 2-D slices. The windows
        # straddle the ends of spectra there; those channels are dropped below.
        flat = np.ascontiguousarray(X).reshape(-1)
        N = flat.size
        L = self._BLOCK * C
        near, far, lam = (np.empty(min(L, N), X.dtype) for _ in range(3))
        hit = np.empty(min(L, N), bool)
        k2 = X.dtype.type(Ts * Ts * g * vf[C // 2] * 0.25)  # 0.25: lam from the sum of 4
        g4 = X.dtype.type(4.0 * g)
        found = []
        for start in range(2, N - 2, L):
            stop = min(start + L, N - 2)
            n = stop - start
            ne, fa, la, hi = near[:n], far[:n], lam[:n], hit[:n]
            np.add(flat[start - 1 : stop - 1], flat[start + 1 : stop + 1], out=ne)
            np.add(flat[start - 2 : stop - 2], flat[start + 2 : stop + 2], out=fa)
            np.add(ne, fa, out=la)
            np.maximum(la, g4, out=la)
            la *= k2
            np.sqrt(la, out=la)
            la *= 6.0
            ne *= 4.0
            ne -= fa  # 6 x the cubic prediction
            np.multiply(flat[start:stop], 6.0, out=fa)
            fa -= ne  # 6 x the excess
            np.greater(fa, la, out=hi)
            found.append(np.flatnonzero(hi) + start)
        idx = np.concatenate(found) if found else np.zeros(0, np.intp)
        r, c = np.divmod(idx, C)
        inside = (c >= 2) & (c <= C - 3)
        parts = [(r[inside], c[inside])]
        # the first and last two channels (other predictions) on all rows at once
        ends = np.r_[0, 1, C - 2, C - 1]
        excess, lam = _neighbour_terms(X[:, np.r_[0:5, C - 5 : C]])
        excess, lam = excess[:, [0, 1, 8, 9]], lam[:, [0, 1, 8, 9]]
        sd = np.sqrt(g * np.maximum(lam, g) * vf[ends])
        r, c = np.nonzero(excess > Ts * sd)
        parts.append((r, ends[c]))
        r, c = (np.concatenate(x).astype(np.intp) for x in zip(*parts))
        self.r, self.c = r, c
        self.x = X[r, c].astype(np.float64)
        # the terms of the test, recomputed for these few entries only
        excess, lam = _neighbour_terms_at(X, r, c)
        self.excess, self.lam_nb = excess, lam
        self.vf = vf[c].astype(np.float64)
        self.sd_nb = np.sqrt(g * np.maximum(lam, g) * self.vf)
        nb = []
        for d in (-2, -1, 1, 2):
            cc = self.c + d
            cc = np.where((cc < 0) | (cc > C - 1), self.c - d, cc)  # the other side
            nb.append(X[self.r, cc])
        self.neighbours = np.stack(nb, axis=1).astype(np.float64)  # channels c-2, c-1, c+1, c+2
        # Exact at low counts, where Gaussian tests fail: with a flat signal, given
        # the total N of a channel and its n neighbours, the channel holds
        # Binomial(N, 1 / (n + 1)) counts. (At high counts the cubic test is the
        # stricter one, as it allows for curvature.)
        edge = (self.c < 2) | (self.c > C - 3)
        n_nb = np.where(edge, 2, 4)
        s_nb = np.where(edge, self.neighbours[:, 1] + self.neighbours[:, 2],
                        self.neighbours.sum(axis=1))
        self.z_binom = _binomial_upper_z(self.x / g, (self.x + s_nb) / g, 1.0 / (n_nb + 1))
