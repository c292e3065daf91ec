"""Decomposition by a user's scikit-learn-style estimator (``fit``, ``transform``,
``components_``), run on the prepared (masked, centred, scaled) data."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from emunmix.exceptions import convergence_warning
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.registry import KernelOutput


def is_estimator(obj) -> bool:
    """True for a scikit-learn-style estimator (``fit`` and ``transform``)."""
    return callable(getattr(obj, "fit", None)) and callable(getattr(obj, "transform", None))


@contextlib.contextmanager
def reissued_convergence_warnings(name: str):
    """Reissue scikit-learn's ``ConvergenceWarning`` raised inside as emunmix's warning
    ``name``, a subclass of both, so that filters on either catch it; other warnings
    pass through unchanged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        category = w.category
        if category.__name__ == "ConvergenceWarning" and category.__module__.startswith(
                "sklearn"):
            warnings.warn(str(w.message), convergence_warning(name), stacklevel=4)
        else:
            warnings.warn_explicit(w.message, category, w.filename, w.lineno)


def final_estimator(estimator):
    """The fitted step that holds ``components_``: a Pipeline's last step, a search's
    (GridSearchCV ...) best estimator, or the estimator itself (as HyperSpy reads them)."""
    if hasattr(estimator, "steps"):
        return final_estimator(estimator.steps[-1][1])
    best = getattr(estimator, "best_estimator_", None)
    return estimator if best is None else final_estimator(best)


def estimator_kernel(estimator, view: MatrixView, k, options: dict) -> KernelOutput:
    """Run a scikit-learn-style estimator: ``fit``, ``transform``, ``components_``.

    The estimator is used as given (``k`` is not imposed on it); its ``mean_``, if any,
    is returned as a navigation mean in the view's space.
    """
    if options:
        raise TypeError(
            f"{type(estimator).__name__} got unexpected keyword arguments: "
            f"{', '.join(sorted(options))} (set them on the estimator object instead)"
        )
    P = view.materialise()
    with reissued_convergence_warnings("DecompositionConvergenceWarning"):
        if callable(getattr(estimator, "fit_transform", None)):  # as HyperSpy: one fit
            loadings = np.asarray(estimator.fit_transform(P))
        else:
            estimator.fit(P)
            loadings = np.asarray(estimator.transform(P))
    fitted = final_estimator(estimator)
    comps = getattr(fitted, "components_", None)
    if comps is None:
        raise ValueError(
            f"{type(fitted).__name__} has no components_ after fit: decomposition needs "
            "an estimator (or a Pipeline or search whose final step is one) with fit, "
            "transform and components_"
        )
    factors = np.asarray(comps).T
    ev = getattr(fitted, "explained_variance_", None)
    mean = getattr(fitted, "mean_", None)
    return KernelOutput(
        factors,
        loadings,
        None if ev is None else np.asarray(ev, dtype=np.float64),
        mean=None if mean is None else np.asarray(mean, dtype=np.float64),
        info={"estimator": repr(estimator), "fitted_estimator": estimator},
    )
