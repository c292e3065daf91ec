"""Analytic spectral and spatial shapes for :mod:`emunmix.datasets`.

Every function is pure, vectorised and exact at arbitrary energies, so an energy
instability is simulated by evaluating a shape at ``E - shift`` rather than by
interpolating a sampled spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erf

_LN2 = float(np.log(2.0))
# erf argument scale for a step whose derivative is a Gaussian of unit FWHM
_FWHM_TO_ERF = float(2.0 * np.sqrt(_LN2))


def power_law(energy, amplitude, exponent, e_ref):
    """Power-law background ``amplitude * (energy / e_ref) ** -exponent``.

    Examples
    --------
    >>> float(power_law(np.array([800.0]), 100.0, 2.0, 400.0)[0])
    25.0
    """
    return amplitude * (energy / e_ref) ** (-exponent)


def smooth_step(energy, onset, fwhm):
    """Edge onset: 0 below, 1 above, blurred by a Gaussian resolution of ``fwhm`` eV."""
    return 0.5 * (1.0 + erf((energy - onset) * (_FWHM_TO_ERF / fwhm)))


def pseudo_voigt(energy, centre, fwhm, eta=0.5):
    """Peak of height 1 at ``centre``: ``eta`` Lorentzian + ``1 - eta`` Gaussian, same FWHM.

    Examples
    --------
    >>> float(pseudo_voigt(np.array([10.0]), 10.0, 2.0)[0])
    1.0
    """
    lo, hi = _channel_range(energy)
    return add_pseudo_voigt(np.zeros_like(energy), energy, lo, hi, centre, fwhm, 1.0, eta)


def drude(energy, plasmon_energy, width):
    """Drude energy-loss function ``Im(-1/eps)``; zero for ``energy <= 0``."""
    e = np.clip(energy, 0.0, None)
    ep2 = plasmon_energy**2
    num = e * (width * ep2)
    e *= e
    den = e - ep2
    den *= den
    e *= width**2
    den += e
    np.divide(num, den, out=num)
    return num


def _channel_range(energy):
    """Lowest and highest energy of each channel over all rows (energy on the last axis)."""
    flat = energy.reshape(-1, energy.shape[-1])
    return flat.min(axis=0), flat.max(axis=0)


@dataclass(frozen=True)
class Edge:
    """An ionisation edge: smoothed steps with power-law decay plus white lines.

    Parameters
    ----------
    name : str
        Label, e.g. ``"Mn L2,3"``.
    onsets : tuple of (float, float)
        ``(onset_eV, relative_jump)`` per sub-edge, e.g. L3 and L2 with 2:1 jumps.
    peaks : tuple of (float, float, float)
        ``(centre_eV, fwhm_eV, height)`` per white line / near-edge peak, height
        relative to a unit jump.
    decay : float
        Exponent of the continuum's ``(E / onset) ** -decay`` fall-off above the onset.
    """

    name: str
    onsets: tuple
    peaks: tuple
    decay: float = 3.0

    def __call__(self, energy, jump, resolution=1.0):
        """Counts at ``energy`` (any shape, energy on the last axis, increasing) for an edge
        jump of ``jump`` counts at the first onset.

        Steps and Gaussian parts are only evaluated in the channels where they are not
        saturated (exactly 0 or 1 in float32), which is what makes the shifted
        (pixels x channels) evaluation fast without approximation.
        """
        out = np.zeros_like(energy)
        lo, hi = _channel_range(energy)
        first = int(np.searchsorted(hi, self.onsets[0][0] - 6 * resolution))
        tail = energy[..., first:]
        continuum = np.exp(np.log(tail) * -self.decay)  # E ** -decay above the first onset
        for onset, rel in self.onsets:
            a = int(np.searchsorted(hi, onset - 6 * resolution))
            b = int(np.searchsorted(lo, onset + 6 * resolution))
            step = np.ones_like(tail)
            step[..., : a - first] = 0.0
            step[..., a - first : b - first] = smooth_step(energy[..., a:b], onset, resolution)
            out[..., first:] += (rel * onset**self.decay) * step * continuum
        for centre, fwhm, height in self.peaks:
            add_pseudo_voigt(out, energy, lo, hi, centre, fwhm, height)
        out *= jump
        return out


@dataclass(frozen=True)
class Phase:
    """A compound: its own power-law background plus its characteristic edges.

    Parameters
    ----------
    name : str
        Label, e.g. ``"NiO (Ni L2,3, O K)"``.
    background : tuple of (float, float)
        ``(amplitude, exponent)``: ``amplitude * (E / e_ref) ** -exponent`` counts per
        channel per unit thickness.
    edges : tuple of (Edge, float)
        ``(edge, jump)`` pairs, the jump in counts per unit thickness.

    Examples
    --------
    >>> p = Phase("bare", (100.0, 2.0), ())
    >>> float(p(np.array([800.0]), e_ref=400.0)[0])
    25.0
    """

    name: str
    background: tuple
    edges: tuple = ()

    def __call__(self, energy, resolution=1.0, e_ref=400.0):
        """Counts at ``energy`` (energy on the last axis, increasing) for unit thickness."""
        out = power_law(energy, *self.background, e_ref)
        for edge, jump in self.edges:
            out += edge(energy, jump, resolution)
        return out


def add_pseudo_voigt(out, energy, lo, hi, centre, fwhm, height, eta=0.5):
    """``out += height * pseudo_voigt(energy, ...)``, the Gaussian part only where > 0."""
    x2 = energy - centre
    x2 *= 2.0 / fwhm
    x2 *= x2
    lorentz = 1.0 + x2
    np.divide(height * eta, lorentz, out=lorentz)
    out += lorentz
    a = int(np.searchsorted(hi, centre - 8 * fwhm))
    b = int(np.searchsorted(lo, centre + 8 * fwhm))
    out[..., a:b] += height * (1.0 - eta) * np.exp(-_LN2 * x2[..., a:b])
    return out


def _grid(shape=(64, 64)):
    return np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)


def gaussian_blob(centre, sigma, angle=0.0, shape=(64, 64)):
    """Elliptical Gaussian of peak 1; ``sigma = (along, across)`` pixels, ``angle`` in degrees."""
    yy, xx = _grid(shape)
    dy, dx = yy - centre[0], xx - centre[1]
    t = np.deg2rad(angle)
    u = dx * np.cos(t) + dy * np.sin(t)
    v = -dx * np.sin(t) + dy * np.cos(t)
    return np.exp(-0.5 * ((u / sigma[0]) ** 2 + (v / sigma[1]) ** 2))


def soft_disk(centre, radius, softness, shape=(64, 64)):
    """Particle of value 1 inside ``radius`` falling to 0 over ``softness`` pixels."""
    yy, xx = _grid(shape)
    r = np.hypot(yy - centre[0], xx - centre[1])
    return 0.5 * (1.0 - np.tanh((r - radius) / softness))


def ramp(start, stop, angle=0.0, shape=(64, 64)):
    """Linear gradient from ``start`` to ``stop`` across the image along ``angle`` degrees."""
    yy, xx = _grid(shape)
    t = np.deg2rad(angle)
    u = xx * np.cos(t) + yy * np.sin(t)
    u = (u - u.min()) / np.ptp(u)
    return start + (stop - start) * u
