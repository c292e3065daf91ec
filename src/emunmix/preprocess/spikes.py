"""Finding and removing X-ray spikes in spectrum images.

Pure array kernels: data arrive as ``(..., channels)`` arrays (navigation
dimensions first, energy last); masks have the same shape as the data.

A spike is a narrow, positive outlier *in energy and in space at once*. The
default ``method="lowrank"`` of :func:`find_spikes` flags an entry when all of
these hold:

1. **Energy.** It stands above its own spectrum's neighbours: above the cubic
   interpolation from channels ``j-2, j-1, j+1, j+2`` (which a peak a few
   channels wide barely exceeds), and, exactly at low counts, above what a
   flat signal would give it (a binomial test on the channel and its
   neighbours). These candidates are found once, by one scan of the data.
2. **Space.** It lies far above a robust low-rank model of the whole image
   (truncated SVD of the Poisson-normalised data, Keenan and Kotula), which
   says from all other pixels what the spectrum should be. The model is fitted
   three times; before each refit the entries that look like spikes are
   replaced by the model, so large spikes cannot pull a component towards
   themselves (the first fit replaces only isolated single-channel outliers,
   so a sharp peak present in many spectra stays in). The subspace of spectra
   is searched once (randomised, with room for ``max_components`` plus a
   margin); each fit is the truncated SVD of the data projected on it, so a
   refit costs a sparse correction, not a pass over the data. Significance is
   the Poisson upper tail, in units of the model's misfit in that channel
   (measured on its negative residuals, which spikes cannot produce).
3. **Shape.** Its four neighbours fit the model, and no shift of the model's
   spectrum by up to +-3 channels fits it: a peak that the model puts in the
   wrong place (energy instability from pixel to pixel) leaves a negative lobe
   beside the positive one, or moves into place with a small shift.
4. **Sharp features.** Within 3 channels of a channel where several spectra
   peak sharply (a real feature, which a model averaged over spectra shifted
   in energy renders blunter than it is), it must at least double the model.

``threshold="auto"`` chooses the significance so that about 0.05 false
detections are expected over the whole data under Poisson noise (5.6 sigma
for 64 x 64 x 1024 values). Counts need not be raw: the noise variance per
unit of signal (the gain) is estimated from the data.

On the synthetic ``CL4`` (36 spikes of 3-30 times the signal, energy-shifted
data) this finds every spike with 0 or 1 false channel over ten noise seeds (the
hard, low-count variant: every spike, no false channel), and nothing in the
spike-free ``CL1``/``LL3``; 12-sigma spikes added to ``CL1`` are found 95 times
in 100 (those missed sit next to white lines).

:func:`remove_spikes` replaces flagged channels either with the low-rank
prediction for that entry (default; no neighbour is touched) or, as HyperSpy's
``spikes_removal_tool`` does, by bridging +-``default_spike_width`` channels with
a straight line; in both cases Poisson noise is added when ``add_noise``.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

__all__ = [
    "find_spikes",
    "remove_spikes",
    "spike_model",
    "derivative_histogram_threshold",
    "spectral_outlier_score",
]

_METHODS = ("lowrank", "derivative", "median")
_REPLACEMENTS = ("auto", "lowrank", "interpolate")
_FALSE_ALARMS = 0.05  # expected false detections over the whole data for threshold="auto"


# ----------------------------------------------------------------------------- helpers
def _as_rows(data, name="data"):
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError(f"{name} must have at least one (signal) dimension")
    n = data.shape[-1]
    return data.reshape(-1, n), data.shape


def _nav_mask(navigation_mask, shape):
    if navigation_mask is None:
        return None
    m = np.asarray(navigation_mask, dtype=bool)
    nav = tuple(shape[:-1])
    if m.shape == nav or m.size == int(np.prod(nav, dtype=np.int64)):
        return m.reshape(-1)
    raise ValueError(
        f"navigation_mask has shape {m.shape}; expected the navigation shape {nav}"
    )


def _sig_mask(signal_mask, n):
    if signal_mask is None:
        return None
    m = np.asarray(signal_mask, dtype=bool).reshape(-1)
    if m.size != n:
        raise ValueError(f"signal_mask has {m.size} entries; expected {n} (one per channel)")
    return m


_CONTROLLER = []


@contextmanager
def _blas_single_thread():
    """One BLAS thread for the whole low-rank search.

    Threaded, OpenBLAS makes the thin QR and SVD steps tens of times slower on
    a busy machine, and the products of a 4096 x 1024 image with a few dozen
    vectors gain little from threads there; single-threaded, the timing is
    predictable. The controller is made once: a limit then costs microseconds.
    """
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER.append(ThreadpoolController())
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            _CONTROLLER.append(None)
    if _CONTROLLER[0] is None:  # pragma: no cover
        yield
        return
    with _CONTROLLER[0].limit(limits=1, user_api="blas"):
        yield


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


# ------------------------------------------------------------------- low-rank model
def _orthonormal(Y):
    """Orthonormal basis (float64) of the columns of ``Y``, by the small Gram matrix.

    ``Y^T Y`` is formed in float64 and diagonalised; directions with no weight
    are dropped. For the few dozen columns used here this costs a fraction of a
    millisecond, where a Householder QR of a 4096-row float32 matrix costs ten.
    """
    Y = np.asarray(Y, dtype=np.float64)
    w, W = np.linalg.eigh(Y.T @ Y)
    if w.size == 0 or not w[-1] > 0:  # no data in these directions (e.g. all zeros)
        return Y[:, :0]
    keep = w > w[-1] * 1e-13
    return Y @ (W[:, keep] / np.sqrt(w[keep]))


class _Normaliser:
    """Products with the Keenan-Kotula-normalised data, with a few entries replaced.

    ``A = diag(1/ra) (X + S) diag(1/rb)``, where ``S`` holds the replacements
    (few), ``ra``/``rb`` the square roots of the pixel and channel sums. ``A`` is
    never formed: a product is one pass over ``X`` plus a sparse correction.
    """

    def __init__(self, X, r, c, values):
        self.X = X
        P, C = X.shape
        self.r, self.c = r, c
        self.d = (values - X[r, c]).astype(np.float64)
        # pixel and channel sums as BLAS matrix-vector products (float32 sums of
        # counts: relative error ~1e-6, ample for weights)
        self.a0 = (X @ np.ones(C, X.dtype)).astype(np.float64)
        a = self.a0 + np.bincount(r, self.d, minlength=P)
        b = (np.ones(P, X.dtype) @ X).astype(np.float64) + np.bincount(c, self.d, minlength=C)
        self.ra = np.sqrt(np.where(a > 0, a, 1.0))
        self.rb = np.sqrt(np.where(b > 0, b, 1.0))
        self.total = float(max(a.sum(), 1.0))

    def matmul(self, V):
        """``A @ V`` for ``V`` of shape (channels, w), in float64."""
        Vs = V / self.rb[:, None]
        out = (self.X @ Vs.astype(self.X.dtype)).astype(np.float64)
        np.add.at(out, self.r, self.d[:, None] * Vs[self.c])
        out /= self.ra[:, None]
        return out

    def rmatmul(self, Q):
        """``A.T @ Q`` for ``Q`` of shape (pixels, w), in float64."""
        Qs = Q / self.ra[:, None]
        out = (Qs.astype(self.X.dtype).T @ self.X).T.astype(np.float64)
        np.add.at(out, self.c, self.d[:, None] * Qs[self.r])
        out /= self.rb[:, None]
        return out


class _SubspaceFit:
    """Robust low-rank fits that share one subspace of spectra.

    The subspace is found once, by randomised subspace iteration on the data
    with the first replacements (``n_iter`` power iterations, ``kmax`` plus
    ``oversample`` directions). A fit with other replacements is then the
    truncated SVD of the data projected on that subspace: the product ``X V``
    is kept, so replacing a few entries costs a sparse correction and an
    eigen-decomposition of a (w x w) matrix, not a pass over the data. The
    channel weights of the normalisation stay those of the first fit (a spike
    moves a channel's sum over thousands of spectra by a fraction of a
    percent); the pixel weights follow the replacements.
    """

    def __init__(self, X, r, c, values, kmax, n_components, rng, n_iter, oversample=8):
        P, C = X.shape
        self.X, self.n_components = X, n_components
        norm = _Normaliser(X, r, c, values)
        self.a0, self.rb, self.total = norm.a0, norm.rb, norm.total
        width = min(kmax + oversample, P, C)
        V = rng.standard_normal((C, width))
        for _ in range(int(n_iter) + 1):
            V = _orthonormal(norm.rmatmul(_orthonormal(norm.matmul(V))))
        self.V = V
        self.Vs = V / self.rb[:, None]  # rows of the projection, channel weights applied
        self.XV = (X @ self.Vs.astype(X.dtype)).astype(np.float64)  # unweighted by pixel
        self.edge = (np.sqrt(P) + np.sqrt(C)) / np.sqrt(self.total)

    def fit(self, r, c, values):
        """The model with the entries (r, c) replaced by ``values``."""
        X = self.X
        P = X.shape[0]
        d = (values - X[r, c]).astype(np.float64)
        a = self.a0 + np.bincount(r, d, minlength=P)
        ra = np.sqrt(np.where(a > 0, a, 1.0))
        W = self.XV.copy()
        np.add.at(W, r, d[:, None] * self.Vs[c])
        W /= ra[:, None]  # A V, A the normalised data with these replacements
        s2, E = np.linalg.eigh(W.T @ W)
        s2, E = s2[::-1], E[:, ::-1]
        S = np.sqrt(np.maximum(s2, 0.0))
        if self.n_components is None:
            # Marchenko-Pastur edge of the normalised Poisson noise, with a margin
            k = int(max(1, (S > 1.2 * self.edge).sum()))
        else:
            k = int(min(self.n_components, len(S)))
        E = E[:, :k]
        L = (W @ E) * ra[:, None]  # U S, scaled back
        F = (self.V @ E).T * self.rb[None, :]  # factors, scaled back
        return _LowRank(L.astype(X.dtype), F.astype(X.dtype))


class _LowRank:
    """A low-rank model ``L @ F``, evaluated only where it is needed."""

    def __init__(self, L, F):
        self.L, self.F = L, F
        self.k = L.shape[1]

    def rows(self, r):
        return self.L[r] @ self.F

    def at(self, r, c):
        return np.einsum("ik,ki->i", self.L[r], self.F[:, c]).astype(np.float64)

    def full(self):
        return self.L @ self.F


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
    s_all = np.mean(zc * zc, axis=0, dtype=np.float64)
    s = np.sqrt(np.maximum(np.maximum(s_neg, s_all), 1.0))
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
    if P < 16 or C < 5:
        raise ValueError(
            "the low-rank spike search needs at least 16 spectra of at least 5 channels; "
            f"got {P} x {C}. Use method='median' or 'derivative' for fewer spectra."
        )
    rng = np.random.default_rng(0 if random_state is None else random_state)
    kmax = int(max(1, min(max_components, P - 1, C - 1)))
    if n_components is not None:
        kmax = int(min(max(int(n_components), 1), P - 1, C - 1))
    cand = _Candidates(X, Ts)
    # Round 0 has no model: replace the single-channel outliers by their neighbours'
    # median, but only in channels where they are rare (a sharp peak present in many
    # spectra is real), or where they dwarf the channel's other outliers.
    counts = np.bincount(cand.c, minlength=C)
    zs = cand.excess / cand.sd_nb
    typical = np.exp(  # geometric mean per channel
        np.bincount(cand.c, np.log(zs), minlength=C) / np.maximum(counts, 1)
    )
    sel = (counts <= max(3, 0.002 * P))[cand.c] | (zs > 4.0 * typical[cand.c])
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
    cand.busy = (peaks_near >= _BUSY)[cand.c]
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
    with _blas_single_thread():
        return _robust_rounds(X, T, Ts, n_components, kmax, n_rounds, rng, cand, sel,
                              r0, c0, v0, known, kr, kc)


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
        proportional to the signal); at least 16 of them.
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


# -------------------------------------------------------------------------- finding
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


def _is_auto(threshold) -> bool:
    return isinstance(threshold, str) and threshold == "auto"


# -------------------------------------------------------------------------- removal
def _dilate_channels(mask, width):
    import scipy.ndimage
    if width <= 0:
        return mask
    return scipy.ndimage.binary_dilation(
        mask, structure=np.ones((1, 2 * int(width) + 1), bool)
    )


def _interpolate_masked(rows, mask, kind="linear"):
    """Straight line (or cubic through two anchors per side) across masked runs."""
    n = rows.shape[1]
    j = np.arange(n)
    good = ~mask
    # nearest good channel to the left and to the right of every channel
    left = np.maximum.accumulate(np.where(good, j, -1), axis=1)
    right = np.minimum.accumulate(np.where(good, j, n)[:, ::-1], axis=1)[:, ::-1]
    li = np.clip(left, 0, n - 1)
    ri = np.clip(right, 0, n - 1)
    r = np.arange(rows.shape[0])[:, None]
    yl, yr = rows[r, li], rows[r, ri]
    yl = np.where(left < 0, yr, yl)
    yr = np.where(right >= n, yl, yr)
    span = np.where((left >= 0) & (right < n), np.maximum(right - left, 1), 1)
    t = np.where((left >= 0) & (right < n), (j[None, :] - left) / span, 0.0)
    out = yl + t * (yr - yl)
    if kind == "cubic":
        # Catmull-Rom style: slopes from one more good channel on each side
        l2 = np.clip(left - 1, 0, n - 1)
        r2 = np.clip(right + 1, 0, n - 1)
        ok = (left >= 1) & (right <= n - 2) & good[r, l2] & good[r, r2]
        ml = (yl - rows[r, l2]) * span
        mr = (rows[r, r2] - yr) * span
        t2, t3 = t * t, t * t * t
        herm = (
            (2 * t3 - 3 * t2 + 1) * yl
            + (t3 - 2 * t2 + t) * ml
            + (-2 * t3 + 3 * t2) * yr
            + (t3 - t2) * mr
        )
        out = np.where(ok, herm, out)
    return np.where(mask, out, rows)


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
        "lowrank" when there are at least 16 spectra, else "interpolate".
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
