"""Decomposition by a user's scikit-learn-style estimator (``fit``, ``transform``,
``components_``), run on the prepared (masked, centred, scaled) data."""

from __future__ import annotations

import numpy as np

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.registry import KernelOutput


def is_estimator(obj) -> bool:
    """True for a scikit-learn-style estimator (``fit`` and ``transform``)."""
    return callable(getattr(obj, "fit", None)) and callable(getattr(obj, "transform", None))


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
