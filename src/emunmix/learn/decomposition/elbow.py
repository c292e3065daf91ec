"""How many components? The scree-plot elbow and a noise-model criterion.

:func:`estimate_elbow_position` is HyperSpy's geometric rule. It always answers, but it
answers something even for pure noise, and log-scale curves with several drops confuse
it. :func:`estimate_rank_noise` uses what we know about the noise instead: after Poisson
normalisation the noise variance ``sigma^2`` is (nearly) the same for every entry, and
the eigenvalues of the Gram matrix of an ``m x n`` matrix of such noise do not exceed the
Marchenko-Pastur edge ``sigma^2 (sqrt(m) + sqrt(n))^2``; components above that edge are
signal. ``sigma^2`` is estimated from the residual variance beyond the components found,
iterating until the count is stable.
"""

from __future__ import annotations

import numpy as np


def estimate_elbow_position(explained_variance_ratio, log: bool = True, max_points: int = 20):
    """Index of the elbow of a scree plot (HyperSpy's rule).

    The elbow is the point of the curve (``ln`` of it when ``log``) farthest from the
    straight line joining its first point and point ``max_points``.

    Parameters
    ----------
    explained_variance_ratio : array_like, shape (k,)
        Decreasing scree values (explained variance or its ratio).
    log : bool, default True
        Measure distances on ``ln(ratio)`` (values are clipped at 1e-300 first).
    max_points : int, default 20
        Last point considered (fewer if the curve is shorter).

    Returns
    -------
    int
        Zero-based index of the elbow; the number of significant components is
        ``elbow + 1``.

    Raises
    ------
    ValueError
        If the curve has fewer than 3 points or contains NaN.

    Examples
    --------
    >>> estimate_elbow_position([1.0, 0.5, 0.25, 1e-3, 9e-4, 8e-4, 7e-4, 6e-4])
    3
    """
    y = np.asarray(explained_variance_ratio, dtype=np.float64).ravel()
    if y.size < 3:
        raise ValueError(f"need at least 3 scree values to find an elbow, got {y.size}")
    if not np.isfinite(y).all():
        raise ValueError("the scree values contain NaN/inf")
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    p = min(int(max_points), y.size - 1)
    y = y[: p + 1]
    if log:
        y = np.log(np.clip(y, 1e-300, None))
    x = np.arange(p + 1, dtype=np.float64)
    dx, dy = x[-1] - x[0], y[-1] - y[0]
    norm = np.hypot(dx, dy)
    if norm == 0:
        return 0
    distance = np.abs(dy * x - dx * y + x[-1] * y[0] - y[-1] * x[0]) / norm
    return int(np.argmax(distance))


def estimate_noise_variance(singular_values, shape, n_signal: int, total_sum_of_squares=None):
    """Noise variance per entry from what the first ``n_signal`` components leave.

    Parameters
    ----------
    singular_values : array_like
        Decreasing singular values (all of them unless ``total_sum_of_squares`` is given).
    shape : (int, int)
        Shape ``(m, n)`` of the decomposed matrix.
    n_signal : int
        Components counted as signal.
    total_sum_of_squares : float, optional
        ``||P||_F^2``; default: the sum of the squared singular values given.

    Returns
    -------
    float
        ``sum_{i >= n_signal} S_i^2 / ((m - n_signal) (n - n_signal))``.
    """
    S2 = np.asarray(singular_values, dtype=np.float64) ** 2
    m, n = shape
    if total_sum_of_squares is None:
        total = float(S2.sum())
        resid = float(S2[n_signal:].sum())
    else:  # the difference of two large sums: floor it at their round-off
        total = float(total_sum_of_squares)
        resid = max(total - float(S2[:n_signal].sum()), 1e-10 * total)
    dof = max((m - n_signal) * (n - n_signal), 1)
    return resid / dof


def tracy_widom_scale(m: int, n: int) -> float:
    """Relative scale of the largest noise eigenvalue's fluctuations (Johnstone 2001).

    ``sigma / mu`` with ``mu = (sqrt(m - 1) + sqrt(n))^2`` and
    ``sigma = (sqrt(m - 1) + sqrt(n)) (1/sqrt(m - 1) + 1/sqrt(n))^(1/3)``.
    """
    a, b = np.sqrt(max(m - 1, 1)), np.sqrt(max(n, 1))
    return float((1 / a + 1 / b) ** (1 / 3) / (a + b))


def estimate_rank_noise(
    singular_values,
    shape,
    total_sum_of_squares=None,
    margin="auto",
    max_iter: int = 50,
) -> int:
    """Number of components above the Marchenko-Pastur noise edge.

    Meant for Poisson-normalised data (or any data with homogeneous noise).

    Parameters
    ----------
    singular_values : array_like
        Decreasing singular values of the ``m x n`` matrix (all of them, or the leading
        ones together with ``total_sum_of_squares``).
    shape : (int, int)
        ``(m, n)``.
    total_sum_of_squares : float, optional
        ``||P||_F^2`` when only leading singular values are given.
    margin : float or "auto", default "auto"
        Multiplies the edge. "auto" is ``1 + 5 s``, with ``s`` the relative scale of
        the Tracy-Widom fluctuations of the largest noise eigenvalue (Johnstone 2001),
        so that the first noise component (which sits about at the edge) is not counted.
    max_iter : int
        Iterations of the estimate-variance / count loop.

    Returns
    -------
    int
        Components whose squared singular value exceeds
        ``margin * sigma^2 (sqrt(m) + sqrt(n))^2``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> signal = rng.normal(size=(500, 3)) @ rng.normal(size=(3, 80)) * 3
    >>> X = signal + rng.normal(size=(500, 80))
    >>> estimate_rank_noise(np.linalg.svd(X, compute_uv=False), X.shape)
    3
    """
    S2 = np.asarray(singular_values, dtype=np.float64) ** 2
    m, n = (int(s) for s in shape)
    if isinstance(margin, str):
        if margin != "auto":
            raise ValueError(f"margin must be a number or 'auto', got {margin!r}")
        margin = 1.0 + 5.0 * tracy_widom_scale(m, n)
    edge = (np.sqrt(m) + np.sqrt(n)) ** 2 * float(margin)
    k = 0
    for _ in range(max_iter):
        sigma2 = estimate_noise_variance(S2**0.5, (m, n), k, total_sum_of_squares)
        if sigma2 == 0:  # noiseless: every non-zero component is signal
            return int(np.count_nonzero(S2 > S2[0] * 1e-12)) if S2.size else 0
        new_k = int(np.count_nonzero(S2 > sigma2 * edge))
        new_k = min(new_k, min(m, n) - 1)
        if new_k == k:
            break
        k = new_k
    return k


def hyperspy_significant_components(explained_variance_ratio, max_points: int = 20):
    """HyperSpy 2.5's ``number_significant_components``: the elbow of the scree plot
    plus one.

    The elbow is the point of ``ln(ratio)`` (ratios clipped at 1e-30, as HyperSpy
    does) among the first ``max_points`` farthest from the line joining point 0 and
    point ``max_points``. Used whatever the normalisation; see
    :func:`auto_output_dimension` for emunmix's own estimate.

    Returns
    -------
    int or None
        None without a scree (no explained variance).

    Examples
    --------
    >>> hyperspy_significant_components([0.6, 0.3, 0.09, 1e-3, 9e-4, 8e-4, 7e-4])
    4
    """
    if explained_variance_ratio is None:
        return None
    y = np.asarray(explained_variance_ratio, dtype=np.float64).ravel()
    p = min(int(max_points), y.size - 1)
    if p < 1:
        return 1 if y.size else None
    y = np.log(np.clip(y, 1e-30, None))
    x = np.arange(p, dtype=np.float64)
    numer = np.abs(p * (y[0] - y[:p]) + x * (y[p] - y[0]))
    denom = np.hypot(p, y[p] - y[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.nan_to_num(numer / denom)
    return int(np.argmax(distance)) + 1


def auto_output_dimension(
    explained_variance_ratio=None,
    singular_values=None,
    shape=None,
    total_sum_of_squares=None,
    poisson_normalised: bool = False,
    method: str = "auto",
    max_points: int = 20,
):
    """Choose the number of components and say how.

    Parameters
    ----------
    explained_variance_ratio : array_like, optional
        Scree values for the elbow rule.
    singular_values, shape, total_sum_of_squares :
        For the noise criterion (see :func:`estimate_rank_noise`).
    poisson_normalised : bool
        Whether the data were Poisson-normalised (the noise model then holds).
    method : {"auto", "elbow", "noise"}
        "auto": the noise criterion for Poisson-normalised data when singular values
        are given (falling back to the elbow if it finds nothing or more than
        ``max_points``), the elbow otherwise.
    max_points : int
        Passed to :func:`estimate_elbow_position`.

    Returns
    -------
    k : int
        At least 1. With the elbow rule ``k`` is the elbow's index: on a scree plot
        that drops sharply to a noise floor the farthest point from the chord is the
        first point of the floor, so its index counts the components above it
        (HyperSpy's ``elbow + 1`` counts one noise component too on CL1/CL2).
    method_name : str
        "marchenko-pastur" or "elbow".
    """
    method = method.lower()
    if method not in ("auto", "elbow", "noise"):
        raise ValueError(f"method must be 'auto', 'elbow' or 'noise', got {method!r}")
    use_noise = method == "noise" or (
        method == "auto" and poisson_normalised and singular_values is not None
    )
    if use_noise:
        if singular_values is None or shape is None:
            raise ValueError("the noise criterion needs singular_values and shape")
        k = estimate_rank_noise(singular_values, shape, total_sum_of_squares)
        if method == "noise" or 1 <= k <= max_points:
            return max(k, 1), "marchenko-pastur"
    if explained_variance_ratio is None:
        if singular_values is None:
            raise ValueError("need explained_variance_ratio or singular_values")
        s2 = np.asarray(singular_values, dtype=np.float64) ** 2
        explained_variance_ratio = s2 / s2.sum()
    ratio = np.asarray(explained_variance_ratio, dtype=np.float64)
    if ratio.size < 3:
        return max(int(ratio.size), 1), "elbow"
    # The farthest point from the chord is the first point of the noise floor when the
    # scree drops sharply (CL1 and CL2: index 4 for 4 components), so it is the count.
    return max(estimate_elbow_position(ratio, log=True, max_points=max_points), 1), "elbow"
