"""Deterministic synthetic EELS spectrum images with ground truth (no download needed).

Five datasets in the spirit of the HyperSpy machine-learning tutorial, each 64 x 64 pixels
x 1024 channels, ``float32``, in numpy order ``(y, x, energy)``:

``CL1``  core loss, Poisson noise (counts: integers stored as float).
``CL2``  the same, noiseless: ``data == einsum("kyx,kc->yxc", maps, spectra)`` exactly up
         to float32 round-off, so its rank is the number of components (4 easy, 7 hard).
``CL3``  CL1 with energy instability: pixel ``(i, j)`` holds the analytic noiseless spectrum
         evaluated at ``E - shifts[i, j]``, then Poisson noise. A **positive shift moves
         features to higher energy**; ``shifts`` ~ Normal(0, 1 eV) clipped to +-3.5 eV,
         continuous (sub-channel), so alignment is good but not perfect.
``CL4``  CL3 plus single-channel X-ray spikes in 0.8 % of the pixels (10 % of those get a
         second spike); heights 3-30 x the local noiseless signal. With the same
         ``random_state``, ``CL4.truth.spike_free`` equals the CL3 data exactly.
``LL3``  the matching low loss, shifted by the *same* ``shifts`` (eV) as CL3/CL4: the ZLP
         sits at ``+shift``, so aligning it to 0 eV and applying the same energy shifts to
         CL3 corrects them.

Axes. Core loss: offset 400 eV, 1 eV/channel (400-1423 eV). Low loss: offset -20 eV,
0.1 eV/channel (-20.0-82.3 eV), i.e. 1 eV of shift is 1 CL channel and 10 LL channels.
Navigation axes ``y`` and ``x``: 1 nm/pixel.

Components are *phases* (compounds), as in real samples: each spectrum is the phase's own
power-law background ``A (E/400)^-r`` (r 2.5-3.5) plus its characteristic edges, each map is
the phase's thickness (t/lambda) divided by its maximum, so maps peak at 1 and
``truth.spectra`` are counts per channel at map weight 1 (the phase's peak thickness).
Edges are erf steps (0.7 eV resolution) with ``(E/E_onset)^-3`` decay plus pseudo-Voigt
white lines and near-edge peaks; each jump is 0.15-1.2 x the phase's own background at the
onset, and the white lines reach 1.3-5 x that background.
Easy (``hard=False``, rank 4): metal particles in a silica matrix, one edge per phase: SiO2
matrix (O K, 533 eV), Ti (Ti L2,3, 456/462 eV, four crystal-field white lines), Mn (Mn
L2,3, 640/651 eV), Ni (Ni L2,3, 855/872 eV). The particles displace the matrix (a ramp
0.5-0.95 t/lambda): every phase is nearly pure somewhere, and they overlap at their rims;
2500-6200 counts/channel at 400 eV, 80-250 at 1423 eV.
Hard (``hard=True``, rank 7, about nine times fewer counts, 0.8-1.2 t/lambda): SiO2 matrix
(O K), Cr2O3 (Cr L2,3 575/584 + O K), MnO (Mn L2,3 + O K), Fe (metallic Fe L2,3
707.5/720.5), CoFe (Co L2,3 779/794 + the same metallic Fe L2,3, in a different
proportion), NiO (Ni L2,3 + O K), Fe3O4 (oxide Fe L2,3 + O K). The five O K edges overlap
within 530-560 eV with compound-specific fine structure, the Fe edges of three phases
overlap, and the broad precipitates (25-57 % of the thickness at most) overlap each other
and a matrix that is everywhere; 320-510 counts/channel at 400 eV, 10-28 at 1423 eV.

Low loss (rank 3 before shifting): zero-loss peak (pseudo-Voigt, 0.7 eV FWHM), plasmon
(Drude, 22 eV, 6 eV wide) and double plasmon (44 eV, 12 eV wide); spectra have unit sum,
maps are counts ``I0 exp(-t) t^n / n!`` with ``t`` the total t/lambda, the sum of the phase
thicknesses (0.5-0.95 easy, 0.8-1.2 hard), and ``I0 = 1e6`` (easy) or ``1e5`` (hard)
electrons per pixel; the ZLP peaks at ~51000-79000 (easy) or ~3900-5900 (hard) counts.

``random_state`` (int, Generator or None = fixed default) drives the noise, shifts and
spikes; the maps and spectra are fixed. Pass the same integer (or None) to CL3, CL4 and
LL3 to keep their shifts consistent; a Generator gives new shifts on each call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# RESOLUTION, SHIFT_CLIP, SHIFT_SIGMA and SPIKE_PIXEL_FRACTION stay importable from here
from emunmix._dataset_builders import (  # noqa: F401
    CL_AXIS,
    LL_AXIS,
    RESOLUTION,
    SHAPE,
    SHIFT_CLIP,
    SHIFT_SIGMA,
    SPIKE_PIXEL_FRACTION,
    _add_spikes,
    _cl_design,
    _ll_design,
    _ll_spectra,
    _poisson,
    _rng,
    _seed,
    _shifted_cl,
    _shifts,
    energy_axis,
)

__all__ = ["DATASET_NAMES", "GroundTruth", "SyntheticDataset", "make_dataset"]

DATASET_NAMES = ("CL1", "CL2", "CL3", "CL4", "LL3")


@dataclass
class GroundTruth:
    """What was used to make a dataset.

    Attributes
    ----------
    maps : ndarray, shape (n_components, 64, 64)
        Non-negative abundance maps (CL: peak 1; LL3: counts per component).
    spectra : ndarray, shape (n_components, 1024)
        Unshifted component spectra on ``energy_axis`` (CL axis, or LL axis for LL3).
    component_names : list of str
    noiseless : ndarray, shape (64, 64, 1024)
        Expected counts: shifted (CL3, CL4, LL3), without noise or spikes.
    shifts : ndarray, shape (64, 64) or None
        Energy shift in eV (CL3, CL4, LL3); positive moves features to higher energy.
    spike_mask : ndarray of bool, shape (64, 64, 1024) or None
        Where X-ray spikes were added (CL4 only).
    spike_free : ndarray, shape (64, 64, 1024) or None
        CL4 data before the spikes were added, same noise (CL4 only).
    energy_axis : ndarray, shape (1024,)
        Energies in eV of the signal axis.
    """

    maps: np.ndarray
    spectra: np.ndarray
    component_names: list
    noiseless: np.ndarray
    shifts: np.ndarray | None
    spike_mask: np.ndarray | None
    spike_free: np.ndarray | None
    energy_axis: np.ndarray

    def spectra_on(self, energy) -> np.ndarray:
        """The true spectra resampled on ``energy`` (eV), e.g. an aligned, cropped axis.

        Returns
        -------
        ndarray, shape (n_components, len(energy))
        """
        energy = np.asarray(energy, dtype=float)
        return np.array([np.interp(energy, self.energy_axis, sp) for sp in self.spectra])


@dataclass
class SyntheticDataset:
    """A dataset as plain arrays: ``data`` (64, 64, 1024), HyperSpy-style axes and metadata."""

    name: str
    data: np.ndarray
    axes: list
    metadata: dict
    truth: GroundTruth



# ---------------------------------------------------------------- public API
def _axes(signal_axis):
    nav = [{"name": n, "units": "nm", "scale": 1.0, "offset": 0.0, "size": s, "navigate": True}
           for n, s in zip(("y", "x"), SHAPE)]
    return nav + [dict(signal_axis, navigate=False)]


def _metadata(name, hard):
    return {
        "General": {"title": f"{name} (hard)" if hard else name},
        "Signal": {"signal_type": "EELS", "quantity": "Intensity (counts)"},
        "Acquisition_instrument": {"TEM": {
            "beam_energy": 200.0, "convergence_angle": 10.0,
            "Detector": {"EELS": {"collection_angle": 20.0}}}},
    }


def make_dataset(name: str, hard: bool = False, random_state=None) -> SyntheticDataset:
    """Make one synthetic dataset as arrays with its ground truth.

    Parameters
    ----------
    name : {"CL1", "CL2", "CL3", "CL4", "LL3"}
        Dataset name, case-insensitive (see the module docstring).
    hard : bool
        Seven phases, about nine times fewer counts, overlapping edges and maps.
    random_state : int, numpy.random.Generator or None
        Seed for noise, shifts and spikes; None uses a fixed default (deterministic).

    Returns
    -------
    SyntheticDataset
        Fresh arrays: callers may modify them.

    Examples
    --------
    >>> ds = make_dataset("cl2")
    >>> ds.data.shape, ds.truth.maps.shape
    ((64, 64, 1024), (4, 64, 64))
    """
    key = str(name).upper()
    if key not in DATASET_NAMES:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    hard = bool(hard)
    seed = _seed(random_state, hard)
    maps, spectra, names, _, _, _, noiseless = _cl_design(hard)
    shifts = spike_mask = spike_free = None
    axis = CL_AXIS
    if key == "CL2":
        data = noiseless.copy()
    elif key == "CL1":
        data = _poisson(_rng(seed, hard, "noise_cl1"), noiseless)
    elif key in ("CL3", "CL4"):
        shifts, noiseless = _shifted_cl(seed, hard)
        data = _poisson(_rng(seed, hard, "noise_cl3"), noiseless)
        if key == "CL4":
            spike_free = data
            data, spike_mask = _add_spikes(_rng(seed, hard, "spikes"), data, noiseless)
    else:  # LL3
        axis = LL_AXIS
        maps, spectra, norms = _ll_design(hard)
        names = ["Zero-loss peak", "Plasmon (22 eV)", "Double plasmon (44 eV)"]
        shifts = _shifts(seed, hard)
        e = (energy_axis(LL_AXIS)[None, :] - shifts.reshape(-1, 1)).astype(np.float32)
        noiseless = np.zeros(e.shape, np.float32)
        for m, shape, norm in zip(maps.reshape(3, -1), _ll_spectra(e), norms):
            noiseless += (m[:, None] / norm).astype(np.float32) * shape
        noiseless = noiseless.reshape(*SHAPE, -1)
        data = _poisson(_rng(seed, hard, "noise_ll"), noiseless)
    truth = GroundTruth(
        maps=np.array(maps), spectra=np.array(spectra), component_names=list(names),
        noiseless=np.array(noiseless), shifts=None if shifts is None else np.array(shifts),
        spike_mask=spike_mask, spike_free=spike_free, energy_axis=energy_axis(axis),
    )
    return SyntheticDataset(key, data, _axes(axis), _metadata(key, hard), truth)
