"""LearningResults: what decomposition and blind source separation leave on a signal.

Attribute names are HyperSpy's. Arrays are stored unfolded: ``factors`` (channels x k),
``loadings`` (pixels x k), like HyperSpy; ``original_shape`` keeps the data shape.
After an SVD of all components, ``factors`` and ``loadings`` may hold only the first
components at first (see ``decompose(eager_components=...)``): reading either attribute
computes the others, while :meth:`LearningResults.first_components` and
:attr:`LearningResults.n_components` never do.

``save``/``load`` use ``np.savez`` (see :mod:`emunmix.learn.results_files`: written to a
temporary file and renamed, so a crash never leaves half a file); ``to_dict``/``from_dict``
give a flat dictionary of arrays, numbers, strings and booleans for embedding in
.hspy/.zspy files.
"""

from __future__ import annotations

import copy as _copy
import numbers
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from emunmix.learn.decomposition.components import Components

from ..display_text import DisplayText
from .results_axes import PREFIX as AXES_PREFIX
from .results_axes import flatten_axes, unflatten_axes

_PARAM_GROUPS = ("decomposition_parameters", "bss_parameters", "cluster_parameters")
# kept as Python lists in to_dict (HyperSpy writes and reads them as lists)
_LISTS = ("cluster_metric_index", "estimated_number_of_clusters")
_LAZY = ("factors", "loadings")  # fields read through completing properties
_SEP = "__"


class _class_or_instance:
    """A method that receives the class when called on it, the instance otherwise."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, obj, owner=None):
        import functools

        return functools.partial(self.func, owner if obj is None else obj)


@dataclass
class LearningResults:
    """Decomposition and BSS results (HyperSpy's ``learning_results``).

    Attributes
    ----------
    factors : ndarray, shape (channels, k) or None
    loadings : ndarray, shape (pixels, k) or None
    explained_variance, explained_variance_ratio : ndarray, shape (k,), or None
    number_significant_components : int or None
        HyperSpy 2.5's number: the scree plot's elbow + 1 (see
        :func:`emunmix.learn.decomposition.elbow.hyperspy_significant_components`),
        whatever the normalisation.
    estimated_number_of_components : int or None
        emunmix's estimate of the number of signal components: the
        Marchenko-Pastur noise edge for Poisson-normalised data, else the elbow
        index (see :func:`emunmix.learn.decomposition.elbow.auto_output_dimension`);
        it does not count the first noise component as the elbow + 1 does.
    decomposition_algorithm : str or None
    poissonian_noise_normalized : bool or None
    output_dimension : int or None
        As requested (None: all components).
    mean : ndarray or None
        Mean removed by centring, in HyperSpy's shapes: (1, channels) for
        "navigation", (pixels, 1) for "signal".
    centre : str or None
    navigation_mask, signal_mask : ndarray of bool or None
        True = excluded.
    original_shape : tuple of int or None
    unmixing_matrix : ndarray, shape (k, k), or None
    bss_factors, bss_loadings : ndarray or None
    bss_algorithm : str or None
    on_loadings : bool or None
    decomposition_parameters, bss_parameters : dict
        The other arguments of the calls (for the record and for reruns).
    cluster_labels : ndarray of bool, shape (n_clusters, pixels), or None
        Cluster membership, largest cluster first (HyperSpy's names from here on; see
        :mod:`emunmix.signal.learning_cluster`).
    cluster_centroids : ndarray, shape (n_clusters, features), or None
        Cluster means in the clustered (scaled) features.
    cluster_sum_signals, cluster_centroid_signals : ndarray, shape (n_clusters, channels)
        Sum of each cluster's signals; the signal of the pixel closest to its centroid.
    cluster_distances : ndarray, shape (n_clusters, pixels), or None
        Distance of every pixel to every centroid (NaN where excluded).
    cluster_algorithm : str or None
    number_of_clusters : int or None
    cluster_metric : str or None
    cluster_metric_index : list of int or None
    cluster_metric_data : ndarray or None
    estimated_number_of_clusters : int, list of int (silhouette) or None
    cluster_parameters : dict
        The other arguments of ``cluster_analysis``.
    axes : list of dict
        The axes of the signal the results came from, in array order, as axis
        dictionaries (``name``, ``units``, ``scale``, ``offset``, ``size``,
        ``navigate``); empty when unknown. :meth:`report` uses them when no signal is
        given; they are kept by :meth:`save`/:meth:`load` and in .hspy files (see
        :mod:`emunmix.learn.results_axes`).

    Notes
    -----
    Until its deferred components are computed, the object keeps a reference to the
    decomposed data (not a copy); changing those data in place and then reading
    ``factors`` raises :class:`~emunmix.learn.finish.StaleDataError`.
    """

    factors: np.ndarray | None = None
    loadings: np.ndarray | None = None
    explained_variance: np.ndarray | None = None
    explained_variance_ratio: np.ndarray | None = None
    number_significant_components: int | None = None
    estimated_number_of_components: int | None = None
    decomposition_algorithm: str | None = None
    poissonian_noise_normalized: bool | None = None
    output_dimension: int | None = None
    mean: np.ndarray | None = None
    centre: str | None = None
    navigation_mask: np.ndarray | None = None
    signal_mask: np.ndarray | None = None
    original_shape: tuple | None = None
    unmixing_matrix: np.ndarray | None = None
    bss_factors: np.ndarray | None = None
    bss_loadings: np.ndarray | None = None
    bss_algorithm: str | None = None
    on_loadings: bool | None = None
    decomposition_parameters: dict = field(default_factory=dict)
    bss_parameters: dict = field(default_factory=dict)
    cluster_labels: np.ndarray | None = None
    cluster_centroids: np.ndarray | None = None
    cluster_sum_signals: np.ndarray | None = None
    cluster_centroid_signals: np.ndarray | None = None
    cluster_distances: np.ndarray | None = None
    cluster_algorithm: str | None = None
    number_of_clusters: int | None = None
    cluster_metric: str | None = None
    cluster_metric_index: list | None = None
    cluster_metric_data: np.ndarray | None = None
    estimated_number_of_clusters: object = None
    cluster_parameters: dict = field(default_factory=dict)
    axes: list = field(default_factory=list)

    # ------------------------------------------------------------ creation
    @classmethod
    def from_decomposition(cls, output, original_shape=None) -> LearningResults:
        """Results of :func:`emunmix.learn.decompose.decompose` (no BSS yet).

        ``output_dimension`` is the requested one (None for all components, the chosen
        ``k`` for "auto"); the auto method goes into ``decomposition_parameters``.
        """
        params = dict(output.parameters)
        requested = params.get("output_dimension")
        if isinstance(requested, str):  # "auto"
            requested = output.output_dimension
            params["auto_dimension_method"] = output.auto_dimension_method
        ratio = output.explained_variance_ratio
        from emunmix.learn.decomposition.elbow import hyperspy_significant_components

        estimate = getattr(output, "number_significant_components", None)
        nsc = hyperspy_significant_components(ratio) if ratio is not None else None
        results = cls(
            factors=output.factors,
            loadings=output.loadings,
            explained_variance=output.explained_variance,
            explained_variance_ratio=ratio,
            number_significant_components=nsc,
            estimated_number_of_components=estimate,
            decomposition_algorithm=output.algorithm,
            poissonian_noise_normalized=output.poissonian_noise_normalized,
            output_dimension=requested,
            mean=hyperspy_mean(output.mean, output.centre),
            centre=output.centre,
            navigation_mask=output.navigation_mask,
            signal_mask=output.signal_mask,
            original_shape=None if original_shape is None else tuple(original_shape),
            decomposition_parameters=params,
        )
        # the results hold the output's components (deferred ones included), not a copy
        results.__dict__["_components"] = output.components
        return results

    @property
    def cluster_centers(self):
        """Mean signal of each cluster (n_clusters, channels), from the sums and labels
        (HyperSpy's name, which its ``export_cluster_results`` reads); None before
        ``cluster_analysis``."""
        if self.cluster_sum_signals is None or self.cluster_labels is None:
            return None
        members = np.asarray(self.cluster_labels).sum(1, keepdims=True)
        return np.asarray(self.cluster_sum_signals) / np.maximum(members, 1)

    # ------------------------------------------------------------ deferred components
    @property
    def components(self) -> Components:
        """The owner of ``factors`` and ``loadings`` (see
        :class:`~emunmix.learn.decomposition.components.Components`)."""
        comps = self.__dict__.get("_components")
        if comps is None:
            comps = self.__dict__["_components"] = Components()
        return comps

    @property
    def n_components(self) -> int | None:
        """Number of decomposition components (deferred ones included); None if none."""
        return self.components.n

    def first_components(self, n: int):
        """``(factors[:, :n], loadings[:, :n])``, computing deferred components only
        when ``n`` reaches them."""
        return self.components.first(n)

    def reverse_components(self, ids) -> None:
        """Flip the signs of the factors and loadings of components ``ids`` (deferred
        components are computed only if ``ids`` reach them)."""
        self.components.flip(ids)

    def complete_components(self) -> None:
        """Compute the deferred decomposition components now (no-op without any)."""
        self.components.settle()

    def __copy__(self):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def __getstate__(self):
        self.complete_components()  # a pickle must not depend on the live data
        state = dict(self.__dict__)
        state.pop("_pending", None)
        return state

    # ------------------------------------------------------------ text
    def summary(self) -> str:
        """The text HyperSpy prints for ``learning_results.summary()``.

        Examples
        --------
        >>> print(LearningResults(decomposition_algorithm="SVD",
        ...                       poissonian_noise_normalized=False).summary())
        Decomposition parameters:
        -------------------------
        <BLANKLINE>
        Decomposition algorithm : 	SVD
        Poissonian noise normalization : False
        Output dimension : None
        Centre : None
        """
        text = (
            "Decomposition parameters:\n"
            "-------------------------\n\n"
            f"Decomposition algorithm : \t{self.decomposition_algorithm}\n"
            f"Poissonian noise normalization : {self.poissonian_noise_normalized}\n"
            f"Output dimension : {self.output_dimension}\n"
            f"Centre : {self.centre}"
        )
        if self.bss_algorithm is not None:
            n = None if self.unmixing_matrix is None else len(self.unmixing_matrix)
            text += (
                "\n\nDemixing parameters:\n"
                "------------------------\n"
                f"BSS algorithm : {self.bss_algorithm}\n"
                f"Number of components : {n}"
            )
        return DisplayText(text)  # a cell's last line shows it as text, not a quoted repr

    def __repr__(self) -> str:
        k = self.n_components
        return (
            f"<LearningResults: decomposition={self.decomposition_algorithm}, components={k}, "
            f"bss={self.bss_algorithm}>"
        )

    def report(self, path=None, signal=None, overwrite: bool = False, **kwargs):
        """An HTML report (scree plot with the elbow, factors, loadings, BSS sources) and
        ``summary.json``; see :func:`emunmix.report.report`.

        Parameters
        ----------
        path : str or Path, optional
            Folder for report.html and summary.json; None returns the Report unwritten.
        signal : BaseSignal, optional
            The decomposed signal: adds the dataset summary, calibrated axes and, for
            the synthetic datasets, ground-truth scores (``hs.report(s, path)`` is the
            same with the signal's own results).
        """
        from emunmix.report import learning_report, write_report

        rep = learning_report(signal, learning_results=self, **kwargs)
        return rep if path is None else write_report(rep, path, overwrite=overwrite)

    # ------------------------------------------------------------ editing
    def copy(self) -> LearningResults:
        """A deep copy (arrays and parameter dictionaries copied)."""
        return _copy.deepcopy(self)

    def crop_decomposition_dimension(self, n: int) -> None:
        """Keep only the first ``n`` decomposition components (in place).

        The explained variance ratios keep their values (they stay fractions of the
        total over the components originally computed).
        """
        k = self.n_components
        if k is None:
            raise ValueError("there are no decomposition results to crop")
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= k:
            raise ValueError(f"n must be an integer between 1 and {k}, got {n!r}")
        F, L = self.first_components(n)
        self.components.drop_pending()
        self.factors, self.loadings = F, L
        if self.explained_variance is not None:
            self.explained_variance = self.explained_variance[:n]
        if self.explained_variance_ratio is not None:
            self.explained_variance_ratio = self.explained_variance_ratio[:n]
        self.output_dimension = int(n)

    # ------------------------------------------------------------ dict io
    def to_dict(self) -> dict:
        """Flat dictionary of arrays, numbers, strings and booleans (None omitted).

        Parameter dictionaries are flattened as ``"decomposition_parameters__key"``;
        values that are not arrays, numbers, strings or booleans are stored as their
        ``repr`` (for the record only).

        Deferred components are computed first. If they can no longer be (the data
        changed in place since the decomposition), a warning says so and the
        components computed so far are written, so that saving never fails on them.
        """
        from emunmix.learn.decomposition.finish import StaleDataError

        try:
            self.complete_components()
        except StaleDataError as err:
            warnings.warn(
                f"saving the first {self.components.n_computed} decomposition "
                f"components only: {err}",
                stacklevel=2,
            )
        out = {}
        for f in fields(self):
            value = (self.components.computed()[_LAZY.index(f.name)] if f.name in _LAZY
                     else getattr(self, f.name))
            if f.name == "axes":
                out.update(flatten_axes(value))
                continue
            if f.name in _PARAM_GROUPS:
                for key, val in value.items():
                    val = _plain(val)
                    if val is not None:
                        out[f"{f.name}{_SEP}{key}"] = val
                continue
            if f.name in _LISTS and isinstance(value, (list, tuple, np.ndarray)):
                out[f.name] = [int(v) for v in np.ravel(value)]
                continue
            value = _plain(value)
            if value is not None:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d) -> LearningResults:
        """Inverse of :meth:`to_dict` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        kwargs: dict = {group: {} for group in _PARAM_GROUPS}
        axes: dict = {}
        for key, value in dict(d).items():
            value = _unplain(value)
            group, sep, sub = key.partition(_SEP)
            if sep and group == AXES_PREFIX:
                axes[sub] = value
            elif sep and group in _PARAM_GROUPS:
                kwargs[group][sub] = value
            elif key in names:
                kwargs[key] = value
        kwargs["axes"] = unflatten_axes(axes)
        if kwargs.get("original_shape") is not None:
            kwargs["original_shape"] = tuple(int(s) for s in np.ravel(kwargs["original_shape"]))
        for key in ("number_significant_components", "estimated_number_of_components",
                    "output_dimension",
                    "number_of_clusters", "estimated_number_of_clusters"):
            if isinstance(kwargs.get(key), (np.integer, float, np.floating)):
                kwargs[key] = int(kwargs[key])
        for key in _LISTS:
            if isinstance(kwargs.get(key), (list, tuple, np.ndarray)):
                kwargs[key] = [int(v) for v in np.ravel(kwargs[key])]
        if kwargs.get("cluster_labels") is not None:
            kwargs["cluster_labels"] = np.asarray(kwargs["cluster_labels"]).astype(bool)
        if kwargs.get("mean") is not None:
            kwargs["mean"] = hyperspy_mean(kwargs["mean"], kwargs.get("centre"))
        return cls(**kwargs)

    # ------------------------------------------------------------ files
    def save(self, path, overwrite: bool = False) -> Path:
        """Save to ``path`` (``.npz`` appended if missing) with :func:`numpy.savez`.

        Raises
        ------
        FileExistsError
            If the file exists and ``overwrite`` is False.
        """
        from .results_files import write_npz

        return write_npz(self.to_dict(), path, overwrite)

    @_class_or_instance
    def load(self_or_cls, path) -> LearningResults:
        """Load results written by :meth:`save`.

        ``LearningResults.load(path)`` returns new results; ``s.learning_results.load(path)``
        replaces the results in place (HyperSpy's way) and returns them.
        """
        from .results_files import read_npz

        cls = self_or_cls if isinstance(self_or_cls, type) else type(self_or_cls)
        new = cls.from_dict(read_npz(path))
        if isinstance(self_or_cls, type):
            return new
        self_or_cls.__dict__.clear()
        self_or_cls.__dict__.update(new.__dict__)
        return self_or_cls


def hyperspy_mean(mean, centre):
    """The removed mean in HyperSpy's shape: (1, channels) for ``centre="navigation"``,
    (pixels, 1) for ``centre="signal"`` (so files and scripts agree)."""
    if mean is None or centre not in ("navigation", "signal"):
        return mean
    mean = np.asarray(mean)
    return mean.reshape(1, -1) if centre == "navigation" else mean.reshape(-1, 1)


def _plain(value):
    """A value storable in npz/hdf5 attributes, or None to omit it."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_, str, numbers.Number)):
        return value
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (tuple, list)):
        try:
            arr = np.asarray(value)
        except ValueError:
            return repr(value)
        return arr if arr.dtype.kind in "biuf" else repr(value)
    return repr(value)


def _unplain(value):
    """Undo numpy's wrapping of scalars (0-d arrays) from npz files."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _completing(name: str) -> property:
    """A property for ``name`` read from (and written to) the results' Components,
    which computes deferred components first."""

    def get(self):
        return getattr(self.components, name)

    def set(self, value):
        setattr(self.components, name, value)

    return property(get, set, doc=f"Decomposition {name} (deferred components computed on read).")


# Fields of the dataclass (constructor, fields(), to_dict) backed by properties.
LearningResults.factors = _completing("factors")
LearningResults.loadings = _completing("loadings")
