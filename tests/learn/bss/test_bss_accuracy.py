"""BSS accuracy against the synthetic datasets' ground truth.

Score: mean |correlation| of maps and of spectra after best one-to-one matching,
after a Poisson-normalised SVD, with HyperSpy's steps (derivative, PCA whitening,
FastICA). Measured with the phase datasets (each component its own background
plus edges; random_state=0):

==========================================  =======  =======
case                                        spectra  maps
==========================================  =======  =======
CL1, diff_order=1                           0.99998  0.99991
CL2, diff_order=2                           1.0000   1.0000
hard CL1 (7), diff_order=1                  0.981    0.875
hard CL1 (7), diff_order=2, smooth=4        0.991    0.862
hard CL1 (7), diff_order=2, smooth=1, cube  0.995    0.925
==========================================  =======  =======

``ground=True`` assumes edge-only components (zero below each onset); on phase
data it is wrong and lowers the scores, so it stays off by default.
"""

import numpy as np
import pytest
from scipy.linalg import eigh

from emunmix.learn.bss.separate import separate

datasets = pytest.importorskip("emunmix.datasets")
metrics = pytest.importorskip("emunmix.learn.metrics")

N_KEEP = 10


def _poisson_svd(X, k):
    """Poisson-normalised SVD (Keenan and Kotula) via the channel Gram matrix."""
    X = np.asarray(X, dtype=np.float64)
    a, b = X.sum(axis=1), X.sum(axis=0)
    a[a == 0], b[b == 0] = 1.0, 1.0
    sa, sb = np.sqrt(a), np.sqrt(b)
    Xn = X / sa[:, None] / sb
    n = Xn.shape[1]
    ev, V = eigh(Xn.T @ Xn, subset_by_index=[n - k, n - 1])
    ev, V = ev[::-1], V[:, ::-1]
    return V * sb[:, None], (Xn @ V) * sa[:, None], ev / X.shape[0]


def _decompose(X):
    try:
        from emunmix.learn.decomposition.pipeline import decompose
    except ImportError:
        return _poisson_svd(X, N_KEEP)
    res = decompose(X, normalize_poissonian_noise=True)
    ev = getattr(res, "explained_variance", None)
    return (
        np.asarray(res.factors)[:, :N_KEEP],
        np.asarray(res.loadings)[:, :N_KEEP],
        None if ev is None else np.asarray(ev)[:N_KEEP],
    )


_CACHE = {}


def _case(name, hard=False):
    if (name, hard) not in _CACHE:
        ds = datasets.make_dataset(name, hard=hard)
        X = np.asarray(ds.data).reshape(-1, ds.data.shape[-1])
        _CACHE[name, hard] = (*_decompose(X), ds.truth)
    return _CACHE[name, hard]


def _scores(name, hard=False, **kwargs):
    F, L, ev, truth = _case(name, hard)
    k = len(truth.spectra)
    out = separate(F, L, k, explained_variance=ev, random_state=0, **kwargs)
    _, cs = metrics.match_components(out.bss_factors.T, truth.spectra)
    _, cm = metrics.match_components(out.bss_loadings.T, truth.maps.reshape(k, -1))
    return cs, cm, out


def test_cl1_first_derivative():
    cs, cm, out = _scores("CL1", diff_order=1)
    assert cs.mean() >= 0.998 and cm.mean() >= 0.998, (cs, cm)
    assert out.converged


def test_cl2_second_derivative():
    cs, cm, _ = _scores("CL2", diff_order=2)
    assert cs.mean() >= 0.9999 and cm.mean() >= 0.9999, (cs, cm)


def test_hard_cl1_regression_floor():
    # Below the 0.95 aim for maps (Fe and CoFe share one edge); guards what we reach.
    cs, cm, _ = _scores("CL1", hard=True, diff_order=1)
    assert cs.mean() >= 0.97 and cm.mean() >= 0.86, (cs, cm)


def test_reproducible_on_real_data():
    a = _scores("CL1", diff_order=1)[2]
    b = _scores("CL1", diff_order=1)[2]
    np.testing.assert_array_equal(a.bss_factors, b.bss_factors)
    np.testing.assert_array_equal(a.bss_loadings, b.bss_loadings)


def test_hard_cl1_smoothed_second_derivative_cube_floor():
    # The most stable setting measured on hard CL1 (maps 0.919-0.924 over four noise
    # seeds, against 0.875-0.922 for the default); also the start of NMF(init="bss").
    cs, cm, _ = _scores("CL1", hard=True, diff_order=2, smooth=1, fun="cube")
    assert cs.mean() >= 0.99 and cm.mean() >= 0.915, (cs, cm)
