"""FastICA run in steps of a few iterations, each warm-started where the last stopped,
so that a long run shows progress and honours a time limit.

scikit-learn's parallel FastICA starts from ``w_init`` made orthogonal, and every
iterate is orthogonal already, so a run of ``a`` iterations continued for ``b`` more
from its unmixing matrix is the run of ``a + b`` iterations (up to rounding).
"""

from __future__ import annotations

import warnings

import numpy as np

from emunmix.learn.budget import IterationBudget, fastica_seconds, warn_if_slow

STEP = 25  # most iterations per step: the bar moves often, the overhead stays small


def fit_fastica(X, *, max_iter: int, show_progressbar=None, time_limit=None, **params):
    """Fit FastICA (``whiten=False``) on ``X``; return (components, converged, n_iter,
    why it stopped, other warnings caught, the fitted FastICA of the last step, whose
    ``n_iter_`` is set to the total)."""
    from sklearn.decomposition import FastICA
    from sklearn.exceptions import ConvergenceWarning

    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    estimate = fastica_seconds(X.shape[0], k, max_iter)
    warn_if_slow(estimate, f"FastICA of {k} components on {X.shape[0]} rows "
                 f"(up to max_iter={max_iter} iterations)",
                 "unmix fewer components, lower max_iter or raise tol, or give "
                 "time_limit=SECONDS; show_progressbar=True shows its progress",
                 stacklevel=4)
    stepped = params.get("algorithm", "parallel") == "parallel"
    per_iter = estimate / max(max_iter, 1)  # steps of about a second at most
    step = max(1, min(STEP, int(1.0 / max(per_iter, 1e-9)))) if stepped else max_iter
    others, n_iter, converged, w = [], 0, False, params.pop("w_init", None)
    ica = None
    with IterationBudget(max_iter, "FastICA", show_progressbar, estimate,
                         time_limit) as budget:
        while n_iter < max_iter:
            this = min(step, max_iter - n_iter)
            ica = FastICA(whiten=False, max_iter=this, w_init=w, **params)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ica.fit(X)
            not_converged = any(issubclass(c.category, ConvergenceWarning) for c in caught)
            others += [c for c in caught if not issubclass(c.category, ConvergenceWarning)]
            n_iter += int(ica.n_iter_)
            w = np.asarray(ica.components_)
            if not not_converged:
                converged = True
                break
            if not budget.step(this):
                break
        reason = budget.reason(max_iter)
    if ica is not None:
        ica.n_iter_ = n_iter
    return w, converged, n_iter, reason, others, ica
