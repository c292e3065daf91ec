"""The synthetic datasets as signals (``hs.datasets.CL1()`` ...), with their ground truth.

The arrays, their truth and every parameter are made in :mod:`emunmix.synthetic` (which
the report layer uses without the signal classes); this module wraps them as
``EELSSpectrum`` signals.
"""

from __future__ import annotations

from emunmix.synthetic import (  # noqa: F401 (the names of 0.1 stay importable here)
    CL_AXIS,
    DATASET_NAMES,
    LL_AXIS,
    RESOLUTION,
    SHAPE,
    SHIFT_CLIP,
    SHIFT_SIGMA,
    SPIKE_PIXEL_FRACTION,
    GroundTruth,
    SyntheticDataset,
    energy_axis,
    make_dataset,
)

__all__ = [
    "DATASET_NAMES", "GroundTruth", "SyntheticDataset", "make_dataset", "load_all",
    "CL1", "CL2", "CL3", "CL4", "LL3", "PHASES",
]


def _signal(name, hard, random_state, return_truth):
    from emunmix.signal import EELSSpectrum  # imported late: the signal layer imports us

    ds = make_dataset(name, hard=hard, random_state=random_state)
    s = EELSSpectrum(ds.data, axes=ds.axes, metadata=ds.metadata)
    return (s, ds.truth) if return_truth else s


def CL1(hard=False, random_state=None, return_truth=False):
    """Core loss with Poisson noise as an ``EELSSpectrum`` (and ``GroundTruth`` if asked).

    Parameters
    ----------
    hard : bool
        The harder seven-phase, low-count variant.
    random_state : int, numpy.random.Generator or None
        Seed for the random parts; None is a fixed default.
    return_truth : bool
        Also return the :class:`GroundTruth`.

    Examples
    --------
    >>> s = CL1()  # doctest: +SKIP
    >>> s.decomposition(normalize_poissonian_noise=True)  # doctest: +SKIP
    """
    return _signal("CL1", hard, random_state, return_truth)


def CL2(hard=False, random_state=None, return_truth=False):
    """Noiseless core loss (exact rank 4, or 7 if ``hard``); parameters as :func:`CL1`."""
    return _signal("CL2", hard, random_state, return_truth)


def CL3(hard=False, random_state=None, return_truth=False):
    """Core loss with energy instability; parameters as :func:`CL1`."""
    return _signal("CL3", hard, random_state, return_truth)


def CL4(hard=False, random_state=None, return_truth=False):
    """Core loss with energy instability and X-ray spikes; parameters as :func:`CL1`."""
    return _signal("CL4", hard, random_state, return_truth)


def LL3(hard=False, random_state=None, return_truth=False):
    """Low loss with the same energy shifts as CL3/CL4; parameters as :func:`CL1`."""
    return _signal("LL3", hard, random_state, return_truth)


def load_all(hard=False, random_state=None) -> dict:
    """All five datasets as signals, keyed by name, with consistent shifts."""
    return {n: _signal(n, hard, random_state, False) for n in DATASET_NAMES}


def PHASES(hard=False, random_state=None, return_truth=False, shape=(64, 64)):
    """Phase-segmented EDS spectrum image (``EDSTEMSpectrum``) with known phase labels.

    Grains of 4 phases (6 if ``hard``, two of them mixtures of the others' elements)
    tile the field; boundary pixels mix two phases. About 3000 counts per pixel
    (400 if ``hard``), Poisson noise, 512 channels of 20 eV. See
    :mod:`emunmix._phase_dataset`.

    Parameters
    ----------
    hard : bool
        Six phases, overlapping compositions, eight times fewer counts.
    random_state : int, numpy.random.Generator or None
        Seed of the layout and the noise; None is a fixed default.
    return_truth : bool
        Also return the :class:`~emunmix._phase_dataset.PhaseTruth` (``labels``: the
        phase of every pixel, the majority phase on boundaries).
    shape : tuple of int
        Navigation shape (rows, columns).

    Examples
    --------
    >>> s, truth = PHASES(return_truth=True)  # doctest: +SKIP
    >>> s.decomposition(True, output_dimension=4)  # doctest: +SKIP
    >>> s.cluster_analysis("decomposition", n_clusters=4, preprocessing="norm")  # doctest: +SKIP
    """
    from emunmix._phase_dataset import EDS_AXIS, make_phases
    from emunmix.signal import class_for

    data, truth = make_phases(hard=hard, random_state=random_state, shape=shape)
    nav = [{"name": n, "units": "nm", "scale": 2.0, "offset": 0.0, "size": s,
            "navigate": True} for n, s in zip(("y", "x"), data.shape[:2])]
    title = "PHASES (hard)" if hard else "PHASES"
    md = {"General": {"title": title},
          "Signal": {"signal_type": "EDS_TEM", "quantity": "X-rays (counts)"},
          "Acquisition_instrument": {"TEM": {"beam_energy": 200.0}}}
    s = class_for("EDS_TEM", 1, False)(data, axes=nav + [dict(EDS_AXIS, navigate=False)],
                                      metadata=md)
    return (s, truth) if return_truth else s
