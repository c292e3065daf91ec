"""The first stage of :func:`~emunmix.learn.decomposition.decompose`: every argument
checked against the data's shape and the algorithm's capabilities, before any data are
read, and gathered in a :class:`Plan`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from emunmix.learn.decomposition.estimator import is_estimator
from emunmix.learn.linalg.backends import backend_for
from emunmix.learn.registry import DECOMPOSITION, AlgorithmSpec, Capabilities
from emunmix.validation import (
    check_2d,
    check_choice,
    check_mask,
    check_output_dimension,
    check_random_state,
    working_dtype,
)

CENTRES = (None, "navigation", "signal")
REPROJECTIONS = (None, "navigation", "signal", "both")


@dataclass
class Plan:
    """A validated decomposition call.

    ``spec`` is None for a user's estimator (``estimator``); ``rows``/``cols`` are the
    unmasked indices (None: all); ``k`` is the requested number of components (an int,
    "auto" or None).
    """

    X: object
    name: str
    spec: AlgorithmSpec | None
    estimator: object
    nav: np.ndarray | None
    sig: np.ndarray | None
    rows: np.ndarray | None
    cols: np.ndarray | None
    k: object
    output_dimension: object
    poisson: bool
    centre: str | None
    reproject: str | None
    svd_solver: str
    auto_transpose: bool
    random_state: object
    navigation_shape: tuple | None
    eager_components: int | None
    options: dict = field(default_factory=dict)
    var_array: object = None
    var_func: object = None

    @property
    def caps(self) -> Capabilities:
        """The algorithm's capabilities (defaults for an estimator)."""
        return Capabilities() if self.spec is None else self.spec.capabilities

    @property
    def full_shape(self) -> tuple[int, int]:
        return tuple(int(s) for s in self.X.shape)

    @property
    def shape(self) -> tuple[int, int]:
        """(pixels, channels) that are decomposed (unmasked)."""
        m_all, n_all = self.full_shape
        return (m_all if self.rows is None else self.rows.size,
                n_all if self.cols is None else self.cols.size)


def resolve_algorithm(algorithm):
    """``(spec, estimator, name)`` for a registered name or an estimator object."""
    if isinstance(algorithm, str):
        spec = DECOMPOSITION.spec(algorithm)
        return spec, None, spec.name
    if is_estimator(algorithm):
        return None, algorithm, type(algorithm).__name__
    raise ValueError(
        f"algorithm must be a name ({', '.join(DECOMPOSITION.names())}) or an object "
        f"with fit/transform and components_, got {algorithm!r}"
    )


def make_plan(X, algorithm, output_dimension, normalize_poissonian_noise, centre,
              navigation_mask, signal_mask, var_array, var_func, reproject, svd_solver,
              random_state, auto_transpose, navigation_shape, eager_components,
              options) -> Plan:
    """Check every argument (nothing is read from the data but its shape and dtype)."""
    spec, estimator, name = resolve_algorithm(algorithm)
    svd_solver = "auto" if svd_solver is None else svd_solver  # HyperSpy's default None
    check_2d(X)
    working_dtype(X.dtype)  # TypeError for complex / non-numeric data
    m_all, n_all = (int(s) for s in X.shape)
    nav = check_mask(navigation_mask, m_all, "navigation_mask", navigation_shape)
    sig = check_mask(signal_mask, n_all, "signal_mask")
    plan = Plan(
        X=X, name=name, spec=spec, estimator=estimator, nav=nav, sig=sig,
        rows=None if nav is None else np.flatnonzero(~nav),
        cols=None if sig is None else np.flatnonzero(~sig),
        k=None, output_dimension=output_dimension,
        poisson=bool(normalize_poissonian_noise), centre=centre, reproject=reproject,
        svd_solver=svd_solver, auto_transpose=auto_transpose, random_state=random_state,
        navigation_shape=navigation_shape, eager_components=eager_components,
        options=dict(options),
    )
    plan.k = check_output_dimension(output_dimension, plan.shape)
    check_choice(centre, CENTRES, "centre")
    caps = plan.caps
    backend = backend_for(X).name
    if backend not in caps.backends:
        raise TypeError(
            f"{name} does not run on {backend} arrays ({type(X).__name__}); it runs on "
            f"{', '.join(caps.backends)} data: convert the data first (e.g. np.asarray)"
        )
    if centre is None and spec is not None:
        plan.centre = caps.centre_by_default
    check_choice(reproject, REPROJECTIONS, "reproject")
    check_random_state(random_state)  # refused even where the algorithm draws nothing
    if caps.needs_non_negative and plan.centre is not None:
        raise ValueError(f"{name} needs uncentred data: use centre=None")
    if caps.needs_output_dimension and plan.k is None:
        raise ValueError(f"{name} needs output_dimension (an integer, or 'auto')")
    if caps.models_noise and plan.poisson:
        warnings.warn(
            f"{name} models the noise through var_array/var_func; "
            "normalize_poissonian_noise is ignored",
            stacklevel=3,
        )
        plan.poisson = False
    _plan_variances(plan, var_array, var_func)
    if spec is not None:
        spec.check_options(plan.options)
    return plan


def _plan_variances(plan: Plan, var_array, var_func) -> None:
    if var_array is not None:
        var_array = np.asarray(var_array)
        if var_array.shape != plan.full_shape:
            raise ValueError(
                f"var_array has shape {var_array.shape}, the data need shape {plan.full_shape}"
            )
        var_array = var_array[plan.rows] if plan.rows is not None else var_array
        var_array = var_array[:, plan.cols] if plan.cols is not None else var_array
    if var_array is not None or var_func is not None:
        if not plan.caps.accepts_variances:
            users = [s.name for s in DECOMPOSITION if s.capabilities.accepts_variances]
            raise ValueError(
                f"var_array/var_func are only used by the {'/'.join(users)} algorithm"
            )
    plan.var_array, plan.var_func = var_array, var_func
