"""A pass-efficient randomized SVD for data read chunk by chunk (dask, array-API arrays).

Reading the data is what costs out of core: a 4 GiB file takes seconds per pass while the
arithmetic of a rank-``k`` sketch is a fraction of that. The randomized range finder
(Halko, Martinsson and Tropp 2011) is therefore arranged to read as few times as
possible, ``2 + n_iter`` passes in all:

1. the pass that reads the row and column sums (Poisson weights, means, data checks)
   also sketches the raw data, ``X_sel @ Omega`` (``Omega`` Gaussian, seeded); the sketch
   of the scaled, centred matrix ``P`` follows from it once the sums are known, as
   ``P @ (D_c Omega)`` (``D_c`` the column scales): a valid random test matrix;
2. one pass gives ``Z = P' Q`` (``Q`` the orthonormal basis of the sketch), i.e. the
   projection ``B = Q' P``, and the total sum of squares of ``P``;
3. each power iteration is ONE pass: with ``Z`` orthonormalised, the same read gives
   ``Y = P Z`` and ``H = P' Y``; from ``Y = Q R``, ``B' = P' Q = H R^-1`` exactly.

For an uncentred view (Poisson scaling or none: ``P = D_r^-1 X D_c^-1``) the first pass
does more (:class:`GramSketch`): the row weights ``D_r`` of a block are known from the
block's own row sums, so the same read also gives ``H = X' D_r^-2 X G`` and ``P'P (D_c G)
= D_c^-1 H`` follows once the column sums are known: the first power iteration's
row-space sketch, read with the sums, and ``||P||_F^2`` with it. Each power iteration
is then one pass (step 3) and the projection comes with the last one: ``1 + n_iter``
passes in all (two for ``n_iter="auto"``; ``n_iter=0`` is not offered on this route).

The SVD of the small ``B`` then gives the singular values and factors; the loadings are
``Q U_B S`` (no further pass). ``n_iter="auto"`` runs one power iteration: on hard
Poisson-normalised spectrum images the third and fourth components are 8-24 degrees off
without it and about 1 degree with it (``docs/decomposition.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from emunmix.validation import check_random_state

#: Power iterations of ``n_iter="auto"``.
AUTO_POWER_ITERATIONS = 1


def oversampled(k: int, n_oversamples: int, n: int) -> int:
    """The sketch width ``l``: ``k`` plus the oversampling, at most ``n``."""
    return int(min(n, k + max(int(n_oversamples), 0)))


def draw_test_matrix(view, l: int, random_state) -> np.ndarray:
    """``Omega`` (n x l) for ``view``: Gaussian, from ``random_state`` (reproducible)."""
    rs = check_random_state(random_state)
    return rs.standard_normal((view.shape[1], l))


def sketch_from_raw(view, raw_sketch, omega) -> np.ndarray:
    """``P @ (D_c Omega)`` from ``X_sel @ Omega``: centring and scaling applied afterwards.

    ``P = D_r^-1 (X_sel - r 1' - 1 c') D_c^-1``, so ``P D_c Omega = D_r^-1 (X_sel Omega -
    r (1' Omega) - 1 (c' Omega))``.
    """
    Y = np.array(raw_sketch, dtype=np.float64)
    if view.row_mean is not None:
        Y -= view.row_mean[:, None] * omega.sum(axis=0)[None, :]
    if view.col_mean is not None:
        Y -= (view.col_mean @ omega)[None, :]
    if view.row_scale is not None:
        Y /= view.row_scale[:, None]
    return Y


@dataclass(frozen=True)
class GramSketch:
    """What the first pass read for an uncentred view (:meth:`MatrixView.stats_and_gram_sketch`).

    Attributes
    ----------
    G : ndarray (n, l)
        The Gaussian test matrix (the one of ``P`` is ``D_c G``).
    H : ndarray (n, l)
        ``X' D_r^-2 X G``.
    q : ndarray (n,)
        ``sum_i X_ij^2 / r_i^2``.
    """

    G: np.ndarray
    H: np.ndarray
    q: np.ndarray

    def row_space(self, view) -> np.ndarray:
        """``P'P (D_c G)`` for ``view`` (its column scales applied)."""
        c = view.col_scale
        return self.H if c is None else self.H / c[:, None]

    def sum_of_squares(self, view) -> float:
        """``||P||_F^2``."""
        c = view.col_scale
        return float(np.sum(self.q if c is None else self.q / (c * c)))


def _orth(Y) -> np.ndarray:
    return scipy.linalg.qr(Y, mode="economic", check_finite=False)[0]


def randomized_svd_passes(view, k: int, random_state=None, n_oversamples: int = 10,
                          n_iter="auto", sketch=None):
    """Rank-``k`` SVD of ``view`` in ``2 + n_iter`` passes (see the module docstring).

    Parameters
    ----------
    view : MatrixView
    k : int
    random_state : int, RandomState, Generator or None
        Seeds ``Omega`` (ignored when ``sketch`` is given: it carries its own).
    n_oversamples : int, default 10
        Extra sketch columns beyond ``k``.
    n_iter : int or "auto"
        Power iterations (one pass each); "auto" is :data:`AUTO_POWER_ITERATIONS`.
    sketch : tuple (omega, raw_sketch) or GramSketch, optional
        ``Omega`` and ``X_sel @ Omega`` from the pass that read the sums
        (:meth:`MatrixView.stats`), or the row-space sketch of an uncentred view read
        with them (then ``max(n_iter, 1)`` more passes); without it, one more pass
        sketches ``P``.

    Returns
    -------
    factors (n, k), loadings (m, k) in float64, singular values (k,), info dict
        ``info``: ``"passes"`` (reads of the data after the sums) and
        ``"sum_of_squares"`` (``||P||_F^2``, for the explained-variance ratio).
    """
    q = AUTO_POWER_ITERATIONS if n_iter == "auto" else int(n_iter)
    if q < 0:
        raise ValueError(f"n_iter must be 'auto' or a non-negative integer, got {n_iter!r}")
    m, n = view.shape
    passes = 0
    if isinstance(sketch, GramSketch):
        Z, total = sketch.row_space(view), sketch.sum_of_squares(view)
        Q, Z, passes = _power_iterations(view, Z, max(q, 1))
        return _finish(Q, Z, k, passes, total)
    if sketch is None:
        l = oversampled(k, n_oversamples, n)
        omega = draw_test_matrix(view, l, random_state)
        G = omega if view.col_scale is None else omega * view.col_scale[:, None]
        Y = view.dot(G, dtype=np.float64)
        passes += 1
    else:
        omega, raw = sketch
        Y = sketch_from_raw(view, raw, omega)
    Q = _orth(Y)
    Z, total = view.tdot_and_sum_of_squares(Q)  # B' = P' Q
    passes += 1
    if q:
        Q, Z, more = _power_iterations(view, Z, q)
        passes += more
    return _finish(Q, Z, k, passes, total)


def _power_iterations(view, Z, q: int):
    """``q`` power iterations from the row-space sketch ``Z`` (n x l), one pass each:
    ``(Q, B', q)`` with ``Q`` the orthonormal column basis of the last one."""
    for _ in range(q):
        Y, H = view.power_step(_orth(Z))
        Q, R = scipy.linalg.qr(Y, mode="economic", check_finite=False)
        Z = scipy.linalg.solve_triangular(R, H.T, trans="T", lower=False,
                                          check_finite=False).T  # H R^-1
    return Q, Z, q


def _finish(Q, Z, k, passes, total):
    """Factors, loadings and singular values from ``B' = Z`` and the basis ``Q``."""
    Ub, S, Vt = scipy.linalg.svd(Z.T, full_matrices=False, check_finite=False)
    loadings = Q @ (Ub[:, :k] * S[:k])
    return Vt[:k].T, loadings, S[:k], {"passes": passes, "sum_of_squares": total}


__all__ = [
    "AUTO_POWER_ITERATIONS",
    "GramSketch",
    "oversampled",
    "randomized_svd_passes",
    "sketch_from_raw",
    "draw_test_matrix",
]
