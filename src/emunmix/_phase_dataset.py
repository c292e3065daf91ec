"""The phase-segmented EDS spectrum image of :func:`emunmix.datasets.PHASES`.

Grains (a Voronoi tessellation of random seeds) each hold one phase; pixels on a
grain boundary mix their own phase (55-80 %) with the neighbouring one, as a beam
straddling a boundary does. Spectra are EDS-like: a bremsstrahlung background with the
phase's characteristic lines (Gaussian, detector resolution growing with energy).
Ground truth: the phase of every pixel (the majority phase on boundaries), the phase
fractions and the noiseless counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Energy axis: 0.1-10.34 keV, 20 eV per channel, 512 channels.
EDS_AXIS = {"name": "Energy", "units": "keV", "scale": 0.02, "offset": 0.1, "size": 512}

# (name, {line energy keV: relative intensity}) of each phase.
_EASY = [
    ("Al2O3", {0.525: 0.6, 1.487: 1.0}),
    ("SiO2", {0.525: 0.6, 1.740: 1.0}),
    ("Fe", {0.705: 0.15, 6.404: 1.0, 7.058: 0.14}),
    ("Cu", {0.930: 0.2, 8.048: 1.0, 8.905: 0.14}),
]
_HARD = [
    ("Al2O3", {0.525: 0.6, 1.487: 1.0}),
    ("SiO2", {0.525: 0.6, 1.740: 1.0}),
    ("AlSiO", {0.525: 0.6, 1.487: 0.55, 1.740: 0.45}),
    ("Fe", {0.705: 0.15, 6.404: 1.0, 7.058: 0.14}),
    ("FeNi", {0.705: 0.1, 6.404: 0.6, 7.058: 0.08, 7.478: 0.4, 8.265: 0.06}),
    ("Cu", {0.930: 0.2, 8.048: 1.0, 8.905: 0.14}),
]


@dataclass
class PhaseTruth:
    """What :func:`emunmix.datasets.PHASES` was made from.

    Attributes
    ----------
    labels : ndarray of int, shape (ny, nx)
        The phase of each pixel (on boundaries, the majority phase).
    fractions : ndarray, shape (n_phases, ny, nx)
        Phase fraction of each pixel (1 inside a grain; sums to 1).
    boundary : ndarray of bool, shape (ny, nx)
        Mixed (boundary) pixels.
    spectra : ndarray, shape (n_phases, 512)
        Expected counts of each pure phase.
    phase_names : list of str
    noiseless : ndarray, shape (ny, nx, 512)
    energy_axis : ndarray, shape (512,)
        Channel energies in keV.
    """

    labels: np.ndarray
    fractions: np.ndarray
    boundary: np.ndarray
    spectra: np.ndarray
    phase_names: list
    noiseless: np.ndarray
    energy_axis: np.ndarray

    @property
    def n_phases(self) -> int:
        return len(self.phase_names)


def energy_axis() -> np.ndarray:
    return EDS_AXIS["offset"] + EDS_AXIS["scale"] * np.arange(EDS_AXIS["size"])


def phase_spectra(hard: bool) -> tuple[np.ndarray, list]:
    """Expected counts per channel of each pure phase (rows) and the phase names."""
    e = energy_axis()
    e0 = 200.0  # beam energy, keV
    # Kramers' continuum, absorbed at low energy
    brems = (e0 - e) / e * (1.0 - np.exp(-((e / 0.9) ** 3)))
    brems /= brems.max()
    total = 60.0 if not hard else 8.0  # counts of the strongest line at its peak
    rows, names = [], []
    for name, lines in (_HARD if hard else _EASY):
        sp = 0.25 * brems.copy()
        for centre, height in lines.items():
            fwhm = np.sqrt(0.130**2 * (centre / 5.9) + 0.06**2)  # detector resolution
            sigma = fwhm / 2.3548
            sp += height * np.exp(-0.5 * ((e - centre) / sigma) ** 2)
        rows.append(total * sp)
        names.append(name)
    return np.array(rows), names


def phase_layout(shape, n_phases: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grain labels, phase fractions (n_phases, ny, nx) and the boundary mask."""
    ny, nx = shape
    n_seeds = 3 * n_phases
    seeds = rng.uniform((0, 0), (ny, nx), size=(n_seeds, 2))
    phase_of_seed = np.arange(n_seeds) % n_phases  # every phase is present
    y, x = np.mgrid[0:ny, 0:nx]
    d2 = (y[..., None] - seeds[:, 0]) ** 2 + (x[..., None] - seeds[:, 1]) ** 2
    labels = phase_of_seed[np.argmin(d2, axis=-1)]
    # boundary: a 4-neighbour belongs to another phase; mix with that phase
    other = np.full(shape, -1)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        nb = np.roll(labels, (dy, dx), axis=(0, 1))
        valid = np.ones(shape, bool)
        if dy:
            valid[(0 if dy > 0 else -1), :] = False
        if dx:
            valid[:, (0 if dx > 0 else -1)] = False
        take = valid & (nb != labels) & (other < 0)
        other[take] = nb[take]
    boundary = other >= 0
    own = np.where(boundary, rng.uniform(0.55, 0.8, size=shape), 1.0)
    fractions = np.zeros((n_phases,) + tuple(shape))
    np.put_along_axis(fractions, labels[None], own[None], axis=0)
    rest = np.where(boundary, 1.0 - own, 0.0)
    idx = np.where(boundary, other, labels)
    fractions[idx, y, x] += rest
    return labels, fractions, boundary


def make_phases(hard: bool = False, random_state=None, shape=(64, 64)):
    """Data (ny, nx, 512) float32 Poisson counts and their :class:`PhaseTruth`."""
    seed = 11 if random_state is None else random_state
    rng = np.random.default_rng(seed)
    spectra, names = phase_spectra(hard)
    labels, fractions, boundary = phase_layout(tuple(shape), len(names), rng)
    noiseless = np.einsum("kyx,kc->yxc", fractions, spectra).astype(np.float32)
    data = rng.poisson(noiseless).astype(np.float32)
    truth = PhaseTruth(labels, fractions, boundary, spectra, names, noiseless,
                       energy_axis())
    return data, truth
