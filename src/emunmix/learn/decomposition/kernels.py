"""The decomposition algorithms by name: ``DECOMPOSITION.get("svd")``.

Every registered function has the signature::

    kernel(view, k, *, svd_solver, auto_transpose, random_state, navigation_shape,
           n_eager, **kwargs) -> KernelOutput

where ``view`` is the masked, centred and noise-scaled
:class:`~emunmix.learn.matrix_view.MatrixView` prepared by
:func:`emunmix.learn.decompose.decompose`, ``k`` the number of components (None for
all, where the algorithm allows it), ``navigation_shape`` the grid of the data's
pixels (for spatial priors), ``n_eager`` (None, or an int when ``decompose`` allows it)
the number of components whose factors and loadings must be computed at once, the
others being left to ``KernelOutput.pending``, and ``kwargs`` the user's extra
arguments. A kernel ignores what it has no use for. Adding an algorithm is writing its
kernel module and registering an adapter here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.registry import Registry

DECOMPOSITION = Registry("decomposition")

#: Algorithms whose components have no sign convention to apply (non-negative).
NON_NEGATIVE = {"NMF"}
#: Algorithms that need non-negative data.
NEEDS_NON_NEGATIVE = {"NMF"}
#: Algorithms that centre the data themselves when ``centre`` is None.
CENTRED_BY_DEFAULT = {"PCA": "navigation"}


@dataclass
class KernelOutput:
    """What a registered kernel returns (in the view's space, unmasked entries only).

    Attributes
    ----------
    factors : ndarray, shape (n, k)
    loadings : ndarray, shape (m, k)
    explained_variance : ndarray or None
    sparse : ndarray, shape (m, n), or None
        Robust PCA's sparse part.
    mean : ndarray or None
        A mean the algorithm removed itself (estimators with ``mean_``), data units.
    info : dict
        Solver details (iterations, convergence, solver used...).
    pending : callable or None
        SVD/PCA with ``n_eager``: ``pending(stop)`` gives the factors and loadings of
        the components not computed yet (see :class:`~emunmix.learn.svd.SVDResult`).
    """

    factors: np.ndarray
    loadings: np.ndarray
    explained_variance: np.ndarray | None = None
    sparse: np.ndarray | None = None
    mean: np.ndarray | None = None
    info: dict = field(default_factory=dict)
    pending: Callable | None = None


def _check_kwargs(name, kwargs):
    if kwargs:
        unknown = ", ".join(sorted(kwargs))
        raise TypeError(f"{name} got unexpected keyword arguments: {unknown}")


@DECOMPOSITION.register("SVD", "svd")
def svd_kernel(view: MatrixView, k, *, svd_solver="auto", auto_transpose=True,
               random_state=None, navigation_shape=None, n_eager=None,
               **kwargs) -> KernelOutput:
    """Singular value decomposition (:func:`emunmix.learn.svd.svd`)."""
    from emunmix.learn.linalg.svd import svd

    extra = {key: kwargs.pop(key) for key in ("n_oversamples", "n_iter") if key in kwargs}
    _check_kwargs("SVD", kwargs)
    r = svd(view, k, svd_solver=svd_solver, auto_transpose=auto_transpose,
            random_state=random_state, n_eager=n_eager, **extra)
    ev = r.singular_values**2 / view.shape[0]
    return KernelOutput(r.factors, r.loadings, ev, pending=r.pending,
                        info={"svd_solver": r.solver, "singular_values": r.singular_values})


@DECOMPOSITION.register("PCA", "sklearn_pca")
def pca_kernel(view: MatrixView, k, *, svd_solver="auto", auto_transpose=True,
               random_state=None, navigation_shape=None, n_eager=None,
               **kwargs) -> KernelOutput:
    """Centred PCA: the SVD of the mean-subtracted data, variances over ``m - 1``.

    ``decompose`` centres the data (``centre="navigation"``) before calling this.
    """
    from emunmix.learn.linalg.svd import svd

    kwargs.pop("whiten", None)  # accepted for HyperSpy compatibility, not applied
    _check_kwargs("PCA", kwargs)
    r = svd(view, k, svd_solver=svd_solver, auto_transpose=auto_transpose,
            random_state=random_state, n_eager=n_eager)
    ev = r.singular_values**2 / max(view.shape[0] - 1, 1)
    return KernelOutput(r.factors, r.loadings, ev, pending=r.pending,
                        info={"svd_solver": r.solver, "singular_values": r.singular_values})


@DECOMPOSITION.register("NMF", "nmf")
def nmf_kernel(view: MatrixView, k, *, svd_solver="auto", auto_transpose=True,
               random_state=None, navigation_shape=None, n_eager=None,
               **kwargs) -> KernelOutput:
    """Non-negative matrix factorisation (:func:`emunmix.learn.nmf.nmf`).

    ``navigation_shape`` (the grid of the view's unmasked rows, masked ones included)
    serves ``spatial_smoothness``.
    """
    from emunmix.learn.nmf.core import nmf

    if k is None:
        raise ValueError("NMF needs output_dimension (an integer, or 'auto')")
    kwargs["normalise_factors"] = None  # decompose scales after un-normalising
    r = nmf(view, k, random_state=random_state, navigation_shape=navigation_shape, **kwargs)
    info = {"n_iter": r.n_iter, "converged": r.converged, "objective": r.objective,
            "loss": r.loss, "solver": r.solver, "sparsity": r.sparsity,
            "spatial_smoothness": r.spatial_smoothness}
    return KernelOutput(r.factors, r.loadings, None, info=info)


@DECOMPOSITION.register("MLPCA", "mlpca")
def mlpca_kernel(view: MatrixView, k, *, svd_solver="auto", auto_transpose=True,
                 random_state=None, navigation_shape=None, n_eager=None, var_array=None,
                 var_func=None, **kwargs) -> KernelOutput:
    """Maximum-likelihood PCA (:func:`emunmix.learn.mlpca.mlpca`)."""
    from emunmix.learn.decomposition.mlpca import mlpca

    if k is None:
        raise ValueError("MLPCA needs output_dimension (an integer, or 'auto')")
    r = mlpca(view, k, var_array=var_array, var_func=var_func, **kwargs)
    ev = r.singular_values**2 / view.shape[0]
    info = {"n_iter": r.n_iter, "converged": r.converged, "objective": r.objective}
    return KernelOutput(r.factors, r.loadings, ev, info=info)


@DECOMPOSITION.register("RPCA", "rpca", "RPCA_GoDec", "rpca_godec")
def rpca_kernel(view: MatrixView, k, *, svd_solver="auto", auto_transpose=True,
                random_state=None, navigation_shape=None, n_eager=None,
                **kwargs) -> KernelOutput:
    """Robust PCA, low rank plus sparse (:func:`emunmix.learn.rpca.rpca`)."""
    from emunmix.learn.decomposition.rpca import rpca

    if k is None:
        raise ValueError("RPCA needs output_dimension (the rank of the low-rank part)")
    r = rpca(view, k, random_state=random_state, **kwargs)
    ev = r.singular_values**2 / view.shape[0]
    info = {"n_iter": r.n_iter, "converged": r.converged, "threshold": r.threshold}
    return KernelOutput(r.factors, r.loadings, ev, sparse=r.sparse, info=info)


def is_estimator(obj) -> bool:
    """True for a scikit-learn-style estimator (``fit`` and ``transform``)."""
    return callable(getattr(obj, "fit", None)) and callable(getattr(obj, "transform", None))


def estimator_kernel(estimator, view: MatrixView, k, **kwargs) -> KernelOutput:
    """Run a scikit-learn-style estimator: ``fit``, ``transform``, ``components_``.

    The estimator is used as given (``k`` is not imposed on it); its ``mean_``, if any,
    is returned as a navigation mean in the view's space.
    """
    _check_kwargs(type(estimator).__name__, kwargs)
    P = view.materialise()
    estimator.fit(P)
    loadings = np.asarray(estimator.transform(P))
    comps = getattr(estimator, "components_", None)
    if comps is None:
        raise ValueError(
            f"{type(estimator).__name__} has no components_ after fit: decomposition needs "
            "an estimator with fit, transform and components_"
        )
    factors = np.asarray(comps).T
    ev = getattr(estimator, "explained_variance_", None)
    mean = getattr(estimator, "mean_", None)
    return KernelOutput(
        factors,
        loadings,
        None if ev is None else np.asarray(ev, dtype=np.float64),
        mean=None if mean is None else np.asarray(mean, dtype=np.float64),
        info={"estimator": repr(estimator)},
    )
