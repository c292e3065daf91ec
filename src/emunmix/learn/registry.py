"""The algorithm registries and the protocol their kernels follow.

An algorithm is registered once, next to its kernel, with what it is and needs::

    @DECOMPOSITION.register("MLPCA", "mlpca", accepts_variances=True, models_noise=True,
                            needs_output_dimension=True, options=("max_iter", "tol"))
    def mlpca_kernel(view, k, ctx: KernelContext) -> KernelOutput: ...

:func:`~emunmix.learn.decomposition.decompose` and
:func:`~emunmix.learn.bss.separate` read those capabilities instead of branching on
names, and ``tests/learn/test_contract.py`` checks every registered algorithm the same
way (masks, dtype, seeding, non-mutation, lazy input, bad input). Adding an algorithm is
writing its kernel with its registration and its own test.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from emunmix.exceptions import UnknownAlgorithmError

LAZY_MODES = ("out_of_core", "gathers", "refused")


@dataclass(frozen=True)
class Capabilities:
    """What an algorithm is and needs (read by the pipelines and the contract test).

    Attributes
    ----------
    non_negative_output : bool
        Its components are non-negative: no sign convention is applied, reprojection
        stays non-negative.
    needs_non_negative : bool
        It refuses negative data (and centring).
    centre_by_default : {None, "navigation", "signal"}
        The centring applied when the user gives ``centre=None``.
    accepts_variances : bool
        It uses ``var_array``/``var_func`` (noise variances).
    models_noise : bool
        It models the noise itself, so Poisson normalisation is ignored (with a warning).
    can_defer : bool
        It can leave trailing components to be computed on first use (``n_eager``).
    svd_based : bool
        Its components are the SVD of the prepared data, so the SVD that chose
        ``output_dimension="auto"`` serves as its result.
    needs_output_dimension : bool
        It needs a number of components (None, "all", is refused).
    variance_ddof : int
        Explained variance is ``S**2 / (pixels - variance_ddof)``.
    lazy : {"out_of_core", "gathers", "refused"}
        With dask input: works by passes over the chunks, gathers the data in memory
        first, or refuses with a clear error.
    backends : tuple of str
        Array backends of the matrix view it runs on (names of
        :mod:`~emunmix.learn.linalg.backends`: "numpy", "dask", "array-api" for cupy,
        torch or ``array_api_strict`` arrays); other input is refused with a clear error.
    uses_random_state : bool
        Its result depends on ``random_state`` (False: deterministic, seed ignored).
    auto_transposes : bool
        HyperSpy's ``auto_transpose`` convention of its SVD: for in-memory data with
        fewer (unmasked) pixels than channels, the singular values go with the factors
        and the loadings have unit norm, and the factors set the signs.
    accepts_complex : bool
        It decomposes complex data, keeping the complex dtype (the others refuse it).
    """

    non_negative_output: bool = False
    needs_non_negative: bool = False
    centre_by_default: str | None = None
    accepts_variances: bool = False
    models_noise: bool = False
    can_defer: bool = False
    svd_based: bool = False
    needs_output_dimension: bool = False
    variance_ddof: int = 0
    lazy: str = "gathers"
    backends: tuple = ("numpy", "dask", "array-api")
    uses_random_state: bool = True
    auto_transposes: bool = False
    accepts_complex: bool = False

    def __post_init__(self):
        if self.lazy not in LAZY_MODES:
            raise ValueError(f"lazy must be one of {LAZY_MODES}, got {self.lazy!r}")


@dataclass(frozen=True)
class AlgorithmSpec:
    """A registered algorithm: its name, kernel, capabilities and accepted options.

    Calling the spec calls the kernel.

    Attributes
    ----------
    name : str
        Canonical name (``aliases`` are other accepted spellings).
    kernel : callable
    capabilities : Capabilities
    options : frozenset of str or None
        Keyword arguments the kernel accepts from the user (None: the kernel checks).
    finish : callable or None
        ``finish(factors, loadings, options) -> (factors, loadings)`` applied in data
        units after the kernel (e.g. NMF's factor scaling).
    summary : str
        One line, from the kernel's docstring.
    """

    name: str
    kernel: Callable
    aliases: tuple = ()
    capabilities: Capabilities = field(default_factory=Capabilities)
    options: frozenset | None = None
    finish: Callable | None = None
    summary: str = ""

    def __call__(self, *args, **kwargs):
        return self.kernel(*args, **kwargs)

    def check_options(self, options: dict) -> None:
        """Refuse keyword arguments the algorithm does not take (TypeError)."""
        if self.options is None or not options:
            return
        unknown = sorted(set(options) - self.options)
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            raise TypeError(
                f"{self.name} got unexpected keyword arguments: {', '.join(unknown)} "
                f"(it accepts: {known})"
            )


class Registry:
    """A case-insensitive mapping from algorithm names to :class:`AlgorithmSpec`.

    Parameters
    ----------
    kind : str
        What the registry holds, used in error messages ("decomposition").

    Examples
    --------
    >>> reg = Registry("demo")
    >>> @reg.register("Twice", uses_random_state=False)
    ... def twice(x):
    ...     "Multiply by two."
    ...     return 2 * x
    >>> reg.get("twice")(3), reg.spec("TWICE").capabilities.uses_random_state
    (6, False)
    """

    def __init__(self, kind: str, builtins: str | None = None):
        self.kind = kind
        self._items: dict[str, AlgorithmSpec] = {}
        self._builtins = builtins  # the module whose import registers the built-ins

    def _load(self) -> None:
        """Import the built-in algorithms once, so a registry read first is complete."""
        if self._builtins is not None:
            module, self._builtins = self._builtins, None
            importlib.import_module(module)

    def register(self, name: str, *aliases: str, options=None, finish=None,
                 **capabilities):
        """Decorator registering ``func`` under ``name`` and ``aliases``.

        ``options`` (names, or a function whose keyword-only parameters are the options)
        and ``capabilities`` (see :class:`Capabilities`) describe it. Returns ``func``.
        """
        caps = Capabilities(**capabilities)
        if callable(options):
            options = keyword_options(options)

        def deco(func: Callable) -> Callable:
            doc = inspect.getdoc(func) or ""
            spec = AlgorithmSpec(
                name=name, kernel=func, aliases=tuple(aliases), capabilities=caps,
                options=None if options is None else frozenset(options), finish=finish,
                summary=doc.splitlines()[0] if doc else "",
            )
            for n in (name, *aliases):
                self._items[n.lower()] = spec
            return func

        return deco

    def names(self) -> list[str]:
        """Canonical names, in registration order, without aliases."""
        self._load()
        return list(dict.fromkeys(spec.name for spec in self._items.values()))

    def specs(self) -> list[AlgorithmSpec]:
        """One spec per algorithm, in registration order."""
        return [self.spec(n) for n in self.names()]

    def canonical(self, name: str) -> str:
        """The canonical spelling of ``name`` (raises like :meth:`get`)."""
        return self.spec(name).name

    def spec(self, name: str) -> AlgorithmSpec:
        """The :class:`AlgorithmSpec` of ``name`` (case-insensitive).

        Raises
        ------
        TypeError
            If ``name`` is not a string.
        UnknownAlgorithmError
            (a ValueError) If the name is unknown; the message lists the known names.
        """
        if not isinstance(name, str):
            raise TypeError(f"{self.kind} algorithm name must be a string, got {type(name)!r}")
        self._load()
        try:
            return self._items[name.lower()]
        except KeyError:
            known = ", ".join(repr(n) for n in self.names())
            raise UnknownAlgorithmError(
                f"Unknown {self.kind} algorithm {name!r}. Known algorithms: {known}; "
                "or pass an object with fit/transform and a components_ attribute."
            ) from None

    get = spec

    def table(self) -> list[dict]:
        """Name, aliases, summary and capabilities of every algorithm (for docs)."""
        rows = []
        for spec in self.specs():
            caps = spec.capabilities
            rows.append({"name": spec.name, "aliases": spec.aliases, "summary": spec.summary,
                         **{f: getattr(caps, f) for f in caps.__dataclass_fields__}})
        return rows

    def __contains__(self, name: object) -> bool:
        self._load()
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self):
        return iter(self.specs())


def keyword_options(func: Callable) -> frozenset:
    """The keyword-only parameter names of ``func`` (the options it takes)."""
    params = inspect.signature(func).parameters.values()
    return frozenset(p.name for p in params if p.kind is p.KEYWORD_ONLY)


@dataclass(frozen=True)
class KernelContext:
    """What the decomposition pipeline hands every kernel besides the data and ``k``.

    Attributes
    ----------
    svd_solver : str
    auto_transpose : bool
    random_state : int, RandomState, Generator or None
    navigation_shape : tuple or None
        The grid of the data's pixels (spatial priors).
    n_eager : int or None
        Compute only the first ``n_eager`` components now and leave the rest to
        :attr:`KernelOutput.pending` (set only for algorithms that ``can_defer``).
    options : dict
        The user's extra keyword arguments for this algorithm.
    var_array, var_func :
        Noise variances (algorithms that ``accepts_variances``), masked like the view.
    sketch : tuple or None
        ``(omega, X_sel @ omega)`` taken while the data's sums were read (lazy data and
        a randomized SVD: its first pass), for :func:`~emunmix.learn.linalg.svd`.
    """

    svd_solver: str = "auto"
    auto_transpose: bool = True
    random_state: object = None
    navigation_shape: tuple | None = None
    n_eager: int | None = None
    options: dict = field(default_factory=dict)
    var_array: object = None
    var_func: object = None
    sketch: tuple | None = None


@dataclass
class KernelOutput:
    """What a decomposition kernel returns (in the view's space, unmasked entries only).

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
        With ``n_eager``: ``pending(out=None)`` gives the factors and loadings of the
        components not computed yet (see :class:`~emunmix.learn.linalg.svd.SVDResult`).
    """

    factors: np.ndarray
    loadings: np.ndarray
    explained_variance: np.ndarray | None = None
    sparse: np.ndarray | None = None
    mean: np.ndarray | None = None
    info: dict = field(default_factory=dict)
    pending: Callable | None = None


#: Decomposition algorithms: ``kernel(view, k, ctx) -> KernelOutput``.
DECOMPOSITION = Registry("decomposition", builtins="emunmix.learn.decomposition")
#: Unmixing algorithms for BSS: ``kernel(X, *, random_state, **options) -> UnmixingResult``.
BSS = Registry("blind source separation", builtins="emunmix.learn.bss")

__all__ = [
    "AlgorithmSpec",
    "BSS",
    "Capabilities",
    "DECOMPOSITION",
    "KernelContext",
    "KernelOutput",
    "LAZY_MODES",
    "Registry",
    "keyword_options",
]
