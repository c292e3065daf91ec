"""Decomposition of complex data (holograms, complex spectra): the SVD/PCA of the complex
(pixels, channels) matrix, keeping the complex dtype in factors and loadings.

``X ~ loadings @ factors.T`` (plain transpose, as for real data, so models, BSS-free
reconstruction and saving are unchanged): ``loadings = U S`` and ``factors = conj(V)``
for the SVD ``X = U S V^H``; the factors are orthonormal (``factors^H factors = I``).
Each component's phase is fixed so that its largest-magnitude loading is real and
positive (the complex form of the real sign rule). HyperSpy 2.5 multiplies loadings and
factors by the same phase, so its ``loadings @ factors.T`` is not the data; ours is.

Only algorithms registered with ``accepts_complex`` (SVD, PCA) take complex data; the
others (NMF, MLPCA, RPCA, ...) refuse it with a clear error. Lazy complex data are
gathered in memory (complex SVDs of data larger than memory are not provided).
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg

from emunmix.learn.decomposition.components import Components
from emunmix.learn.decomposition.elbow import auto_output_dimension
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.decomposition.plan import CENTRES, REPROJECTIONS, resolve_algorithm
from emunmix.learn.registry import DECOMPOSITION
from emunmix.validation import (
    check_2d,
    check_choice,
    check_mask,
    check_output_dimension,
    is_dask,
    numpy_dtype,
)

#: Solvers that run on complex data (all of them the full LAPACK SVD).
COMPLEX_SOLVERS = ("auto", "full", "gram")


def is_complex(X) -> bool:
    """True for an array of complex dtype."""
    dtype = getattr(X, "dtype", None)
    return dtype is not None and numpy_dtype(dtype).kind == "c"


def _refuse(name: str):
    takers = [s.name for s in DECOMPOSITION if s.capabilities.accepts_complex]
    raise TypeError(
        f"{name} does not take complex data; {' and '.join(takers)} do "
        "(algorithm='SVD'), or decompose the real and imaginary parts (s.real, s.imag) "
        "or the amplitude separately"
    )


def _checked(X, algorithm, k_requested, poisson, centre, nav_mask, sig_mask, reproject,
             svd_solver, var_array, var_func, navigation_shape, options):
    spec, _, name = resolve_algorithm(algorithm)
    if spec is None or not spec.capabilities.accepts_complex:
        _refuse(name)
    check_2d(X)
    if poisson:
        raise ValueError(
            "Poisson noise normalisation needs real non-negative data, not complex data: "
            "use normalize_poissonian_noise=False"
        )
    if var_array is not None or var_func is not None:
        raise ValueError("var_array/var_func are only used by the MLPCA algorithm")
    solver = "auto" if svd_solver is None else svd_solver
    if solver not in COMPLEX_SOLVERS:
        raise ValueError(
            f"svd_solver={solver!r} does not take complex data; use one of "
            f"{COMPLEX_SOLVERS} (the full SVD)"
        )
    check_choice(centre, CENTRES, "centre")
    check_choice(reproject, REPROJECTIONS, "reproject")
    unknown = sorted(set(options) - {"n_oversamples", "n_iter", "num_chunks", "whiten"})
    if unknown:
        raise TypeError(f"{name} got unexpected keyword arguments for complex data: "
                        f"{', '.join(unknown)}")
    m_all, n_all = (int(s) for s in X.shape)
    nav = check_mask(nav_mask, m_all, "navigation_mask", navigation_shape)
    sig = check_mask(sig_mask, n_all, "signal_mask")
    rows = None if nav is None else np.flatnonzero(~nav)
    cols = None if sig is None else np.flatnonzero(~sig)
    shape = (m_all if rows is None else rows.size, n_all if cols is None else cols.size)
    k = check_output_dimension(k_requested, shape)
    centre = spec.capabilities.centre_by_default if centre is None else centre
    return spec, name, nav, sig, rows, cols, k, centre, solver


def _full(values, index, size, axis=0):
    """``values`` at ``index`` of a NaN-filled array of ``size`` along ``axis``."""
    if index is None:
        return values
    shape = list(values.shape)
    shape[axis] = size
    out = np.full(shape, np.nan, dtype=values.dtype)
    out[(slice(None),) * axis + (index,)] = values
    return out


def decompose_complex(X, algorithm="SVD", output_dimension=None, normalize_poissonian_noise=False,
                      centre=None, navigation_mask=None, signal_mask=None, var_array=None,
                      var_func=None, reproject=None, svd_solver="auto", random_state=None,
                      auto_transpose=True, navigation_shape=None, eager_components=None,
                      **kwargs) -> DecompositionOutput:
    """:func:`~emunmix.learn.decomposition.decompose` for complex ``X`` (same arguments;
    see the module docstring). ``random_state``, ``auto_transpose`` and
    ``eager_components`` have no effect: the full SVD is deterministic and complete."""
    spec, name, nav, sig, rows, cols, k, centre, solver = _checked(
        X, algorithm, output_dimension, normalize_poissonian_noise, centre, navigation_mask,
        signal_mask, reproject, svd_solver, var_array, var_func, navigation_shape, kwargs)
    data = np.asarray(X.compute() if is_dask(X) else X)
    dtype = np.result_type(data.dtype, np.complex64)
    D = data if rows is None else data[rows]
    D = (D if cols is None else D[:, cols]).astype(dtype)  # a copy: X is never modified
    if not np.isfinite(D).all():
        raise ValueError(
            f"the data contain {int(np.size(D) - np.isfinite(D).sum())} NaN/inf values; "
            "use navigation_mask/signal_mask to exclude them or replace them"
        )
    m, n = D.shape
    mean = None
    if centre == "navigation":
        mean = D.mean(axis=0)
        D -= mean
    elif centre == "signal":
        mean = D.mean(axis=1)
        D -= mean[:, None]
    U, S, Vh = scipy.linalg.svd(D, full_matrices=False, check_finite=False)
    ddof = spec.capabilities.variance_ddof
    ev_all = S.astype(np.float64) ** 2 / max(m - ddof, 1)
    auto_method = None
    if k == "auto":
        k, auto_method = auto_output_dimension(ev_all / ev_all.sum(), S, (m, n))
        k = int(min(max(k, 1), min(m, n)))
    k = min(m, n) if k is None else int(k)
    loadings, factors = U[:, :k] * S[:k], Vh[:k].T.copy()
    # phase: the largest-magnitude loading of each component real and positive
    top = loadings[np.argmax(np.abs(loadings), axis=0), np.arange(k)]
    phase = np.where(np.abs(top) > 0, top / np.where(top == 0, 1, np.abs(top)), 1)
    loadings *= np.conj(phase)
    factors *= phase
    F, L = _full(factors, cols, int(X.shape[1])), _full(loadings, rows, int(X.shape[0]))
    _reproject(data, reproject, nav, sig, rows, cols, centre, mean, factors, loadings, F, L)
    ev = ev_all[:k]
    ratio = ev / ev.sum() if ev.sum() > 0 else np.zeros_like(ev)
    nsc = auto_output_dimension(ratio, S[:k], (m, n))[0] if k >= 3 else None
    full_mean = None
    if mean is not None:
        full_mean = _full(mean, cols if centre == "navigation" else rows,
                          int(X.shape[1] if centre == "navigation" else X.shape[0]))
    rs = random_state if isinstance(random_state, numbers.Integral) else None
    return DecompositionOutput(
        components=Components(F, L, None), explained_variance=ev,
        explained_variance_ratio=ratio, mean=full_mean, centre=centre, algorithm=name,
        parameters={"algorithm": name, "output_dimension": output_dimension,
                    "normalize_poissonian_noise": False, "centre": centre,
                    "svd_solver": solver, "auto_transpose": bool(auto_transpose),
                    "reproject": reproject, "random_state": rs, **kwargs},
        output_dimension=k, auto_dimension_method=auto_method,
        number_significant_components=nsc, navigation_mask=nav, signal_mask=sig,
        info={"svd_solver": "full", "singular_values": S[:k].astype(np.float64)},
    )


def _reproject(data, reproject, nav, sig, rows, cols, centre, mean, factors, loadings, F, L):
    """Masked pixels' loadings / channels' factors by projection (in place in F, L).

    A mean the fit did not see (a masked pixel's own mean for ``centre="signal"``, a
    masked channel's for ``"navigation"``) is taken from the projected block itself."""
    if reproject in ("navigation", "both") and nav is not None and nav.any():
        r = np.flatnonzero(nav)
        block = (data[r] if cols is None else data[r][:, cols]).astype(L.dtype)
        if centre == "navigation":
            block -= mean
        elif centre == "signal":
            block -= block.mean(axis=1, keepdims=True)
        L[r] = block @ np.conj(factors)  # X = L F^T with F^H F = I: L = X conj(F)
    if reproject in ("signal", "both") and sig is not None and sig.any():
        c = np.flatnonzero(sig)
        block = (data[:, c] if rows is None else data[rows][:, c]).astype(F.dtype)
        if centre == "signal":
            block -= mean[:, None]
        elif centre == "navigation":
            block -= block.mean(axis=0, keepdims=True)
        F[c] = np.linalg.lstsq(loadings, block, rcond=None)[0].T


__all__ = ["COMPLEX_SOLVERS", "decompose_complex", "is_complex"]
