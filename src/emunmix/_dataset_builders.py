"""The fixed designs and the random parts of :mod:`emunmix.datasets`.

The phases, their thickness maps and spectra (fixed, cached), the energy
shifts, the Poisson noise and the X-ray spikes (from ``random_state``), as
plain arrays; :func:`emunmix.datasets.make_dataset` puts them together. The
module docstring of :mod:`emunmix.datasets` describes the physics.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from emunmix._synth import Edge, Phase, drude, gaussian_blob, pseudo_voigt, ramp, soft_disk

SHAPE = (64, 64)
CL_AXIS = {"name": "Energy loss", "units": "eV", "scale": 1.0, "offset": 400.0, "size": 1024}
LL_AXIS = {"name": "Energy loss", "units": "eV", "scale": 0.1, "offset": -20.0, "size": 1024}
RESOLUTION = 0.7  # eV, ZLP FWHM and the blur of the edge onsets
SHIFT_SIGMA = 1.0  # eV
SHIFT_CLIP = 3.5  # eV
SPIKE_PIXEL_FRACTION = 0.008
_DEFAULT_SEEDS = {False: 20190731, True: 20160823}
_STREAMS = {"shifts": 0, "noise_cl1": 1, "noise_cl3": 2, "spikes": 3, "noise_ll": 4}

# Edges: (onset eV, relative jump) per sub-edge; white lines (centre eV, FWHM eV, height
# per unit jump). O K and Fe L2,3 differ between compounds (near-edge fine structure).
_EDGES = {e.name: e for e in (
    Edge("Ti L2,3", ((456.0, 1.0), (461.8, 0.5)),
         ((456.8, 1.0, 1.2), (458.8, 1.8, 1.6), (462.3, 1.5, 1.0), (464.6, 2.2, 1.2))),
    Edge("O K (SiO2)", ((533.0, 1.0),),
         ((538.0, 4.0, 1.3), (545.0, 6.0, 0.5), (560.0, 12.0, 0.5))),
    Edge("O K (Cr2O3)", ((530.0, 1.0),),
         ((530.8, 1.2, 1.1), (533.0, 1.5, 0.6), (541.0, 5.0, 0.9))),
    Edge("O K (MnO)", ((531.0, 1.0),), ((532.0, 1.5, 0.8), (540.0, 5.0, 1.0), (548.0, 8.0, 0.5))),
    Edge("O K (Fe3O4)", ((530.5, 1.0),),
         ((531.0, 1.4, 1.0), (539.0, 4.0, 1.0), (543.0, 6.0, 0.6))),
    Edge("O K (NiO)", ((531.5, 1.0),), ((532.2, 1.2, 1.4), (537.5, 3.0, 0.6), (541.5, 4.0, 0.8))),
    Edge("Cr L2,3", ((575.0, 1.0), (584.0, 0.5)), ((576.0, 2.5, 2.2), (584.8, 3.0, 1.3))),
    Edge("Mn L2,3", ((640.0, 1.0), (651.0, 0.5)), ((640.6, 2.5, 3.5), (651.6, 3.0, 1.1))),
    Edge("Fe L2,3 (metal)", ((707.5, 1.0), (720.5, 0.5)), ((708.0, 3.0, 2.2), (721.0, 3.5, 0.9))),
    Edge("Fe L2,3 (oxide)", ((708.0, 1.0), (721.0, 0.5)),
         ((708.3, 1.6, 1.6), (709.8, 2.0, 3.0), (721.6, 2.5, 0.8), (723.2, 2.5, 0.8))),
    Edge("Co L2,3", ((779.0, 1.0), (794.0, 0.5)), ((779.6, 2.5, 2.8), (794.6, 3.0, 1.0))),
    Edge("Ni L2,3", ((855.0, 1.0), (872.0, 0.5)), ((855.6, 2.0, 3.0), (872.6, 2.5, 1.0))),
)}


def _phase(name, background, *edges):
    return Phase(name, background, tuple((_EDGES[e], jump) for e, jump in edges))


# Phases: background (counts/channel at 400 eV per unit t/lambda, exponent) and edge jumps
# (counts per unit t/lambda). Easy: metal particles in a silica matrix, one edge each.
_EASY_PHASES = (
    _phase("SiO2 matrix (O K)", (6500.0, 3.5), ("O K (SiO2)", 1500.0)),
    _phase("Ti (Ti L2,3)", (4000.0, 2.6), ("Ti L2,3", 2500.0)),
    _phase("Mn (Mn L2,3)", (5500.0, 3.1), ("Mn L2,3", 1000.0)),
    _phase("Ni (Ni L2,3)", (3500.0, 2.5), ("Ni L2,3", 600.0)),
)
# Hard: ~9 x fewer counts; five O K edges overlap, Fe and CoFe share the same Fe edge.
_HARD_PHASES = (
    _phase("SiO2 matrix (O K)", (390.0, 3.3), ("O K (SiO2)", 75.0)),
    _phase("Cr2O3 (Cr L2,3, O K)", (420.0, 2.9), ("Cr L2,3", 63.0), ("O K (Cr2O3)", 42.0)),
    _phase("MnO (Mn L2,3, O K)", (435.0, 3.1), ("Mn L2,3", 70.0), ("O K (MnO)", 28.0)),
    _phase("Fe (Fe L2,3)", (455.0, 2.6), ("Fe L2,3 (metal)", 63.0)),
    _phase("CoFe (Co L2,3, Fe L2,3)", (450.0, 2.7), ("Co L2,3", 42.0), ("Fe L2,3 (metal)", 32.0)),
    _phase("NiO (Ni L2,3, O K)", (420.0, 2.8), ("Ni L2,3", 38.0), ("O K (NiO)", 32.0)),
    _phase("Fe3O4 (Fe L2,3, O K)", (450.0, 2.8), ("Fe L2,3 (oxide)", 49.0), ("O K (Fe3O4)", 35.0)),
)


def energy_axis(axis: dict) -> np.ndarray:
    """Energies (eV) of a signal axis dict, e.g. ``energy_axis(CL_AXIS)[0] == 400.0``."""
    return axis["offset"] + axis["scale"] * np.arange(axis["size"], dtype=np.float64)


def _frozen(a):
    a.flags.writeable = False
    return a


# ---------------------------------------------------------------- design (fixed, cached)
def _fractions(fields, most):
    """Volume fractions of the matrix and of the ``fields`` (peak-1 shapes): where the
    fields add up to more than ``most`` they share it in proportion; the matrix fills the
    rest of the thickness."""
    g = np.stack(fields)
    g *= np.minimum(1.0, most / np.maximum(g.sum(0), 1e-12))
    return np.concatenate([np.clip(1.0 - g.sum(0, keepdims=True), 0.0, None), g])


def _easy_thickness():
    """Per-phase thickness t/lambda (4, 64, 64): particles displace the matrix."""
    total = ramp(0.5, 0.95, angle=20.0) + 0.1 * gaussian_blob((48, 16), (14, 14))
    return total * _fractions([
        soft_disk((22, 22), 13.0, 3.0),                       # Ti particle
        gaussian_blob((40, 42), (11, 11)),                    # Mn blob
        gaussian_blob((30, 34), (24, 7), angle=-45.0),        # Ni band
    ], most=1.0)


def _hard_thickness():
    """Per-phase thickness t/lambda (7, 64, 64): broad, strongly overlapping precipitates
    in a matrix that is never below 10 % of the thickness."""
    total = ramp(0.8, 1.2, angle=60.0) + 0.15 * gaussian_blob((20, 44), (16, 16))
    return total * _fractions([
        0.7 * gaussian_blob((24, 24), (16, 16)),
        0.7 * gaussian_blob((34, 36), (18, 14), angle=-30.0),
        0.8 * soft_disk((30, 28), 16.0, 6.0),
        0.7 * gaussian_blob((38, 26), (22, 12), angle=70.0),
        0.7 * gaussian_blob((28, 38), (15, 15)),
        0.6 * gaussian_blob((46, 46), (14, 20), angle=20.0),
    ], most=0.9)


@lru_cache(maxsize=2)
def _cl_design(hard: bool):
    """Maps (peak 1), spectra (counts at map weight 1), names, phases, peak thicknesses,
    total thickness and the noiseless CL2 data."""
    phases = _HARD_PHASES if hard else _EASY_PHASES
    thickness = _hard_thickness() if hard else _easy_thickness()
    peaks = thickness.reshape(len(phases), -1).max(axis=1)
    maps = (thickness / peaks[:, None, None]).astype(np.float32)
    energy = energy_axis(CL_AXIS)
    spectra = np.stack([p(energy, RESOLUTION) * t for p, t in zip(phases, peaks)])
    spectra = spectra.astype(np.float32)
    noiseless = np.einsum("kyx,kc->yxc", maps, spectra)
    names = [p.name for p in phases]
    return (_frozen(maps), _frozen(spectra), names, phases, peaks, thickness.sum(axis=0),
            _frozen(noiseless))


def _cl_mixture(energy, weights, phases, block=256):
    """``sum_k weights[k][:, None] * phases[k](energy)`` for ``energy`` (pixels, channels).

    One power law per phase and each distinct edge once, ``block`` pixels at a time so that
    the temporaries stay in cache.
    """
    edge_weights = {}
    for w, phase in zip(weights, phases):
        for edge, jump in phase.edges:
            edge_weights[edge] = edge_weights.get(edge, 0.0) + jump * w
    backgrounds = [(np.float32(-p.background[1]), (w * p.background[0]).astype(np.float32))
                   for w, p in zip(weights, phases)]
    edges = [(edge, w.astype(np.float32)) for edge, w in edge_weights.items()]
    out = np.empty(energy.shape, np.float32)
    for a in range(0, len(energy), block):
        e = energy[a : a + block]
        log_e = np.log(e / np.float32(400.0))
        acc = out[a : a + block]
        acc[:] = 0.0
        for minus_r, w in backgrounds:
            bg = np.multiply(log_e, minus_r)
            np.exp(bg, out=bg)
            bg *= w[a : a + block, None]
            acc += bg
        for edge, w in edges:
            acc += edge(e, w[a : a + block, None], RESOLUTION)
    return out


def _ll_spectra(energy):
    zlp = pseudo_voigt(energy, 0.0, RESOLUTION, eta=0.05)
    return [zlp, drude(energy, 22.0, 6.0), drude(energy, 44.0, 12.0)]


@lru_cache(maxsize=2)
def _ll_design(hard: bool):
    thickness = _cl_design(hard)[5]  # total t/lambda: sum of the phase thicknesses
    i0 = 1e5 if hard else 1e6
    maps = np.stack([i0 * np.exp(-thickness) * thickness**n / [1, 1, 2][n] for n in range(3)])
    shapes = _ll_spectra(energy_axis(LL_AXIS))
    norms = np.array([s.sum() for s in shapes])  # unit sum on the unshifted axis
    spectra = np.stack(shapes) / norms[:, None]
    return _frozen(maps.astype(np.float32)), _frozen(spectra.astype(np.float32)), norms


# ---------------------------------------------------------------- random parts
def _seed(random_state, hard: bool) -> int:
    if random_state is None:
        return _DEFAULT_SEEDS[hard]
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    raise TypeError(f"random_state must be None, an int or a numpy Generator, not "
                    f"{type(random_state).__name__}")


def _rng(seed: int, hard: bool, stream: str) -> np.random.Generator:
    # independent streams: CL3 and CL4 share noise, CL3/CL4/LL3 share shifts
    return np.random.default_rng(np.random.SeedSequence([seed, int(hard), _STREAMS[stream]]))


def _poisson(rng, lam):
    return rng.poisson(lam).astype(np.float32)


def _shifts(seed: int, hard: bool) -> np.ndarray:
    s = _rng(seed, hard, "shifts").normal(0.0, SHIFT_SIGMA, SHAPE)
    return np.clip(s, -SHIFT_CLIP, SHIFT_CLIP)


@lru_cache(maxsize=2)
def _shifted_cl(seed: int, hard: bool):
    maps, _, _, phases, peaks, _, _ = _cl_design(hard)
    shifts = _shifts(seed, hard)
    e = (energy_axis(CL_AXIS)[None, :] - shifts.reshape(-1, 1)).astype(np.float32)
    weights = maps.reshape(len(maps), -1).astype(np.float64) * peaks[:, None]
    out = _cl_mixture(e, weights, phases)
    return _frozen(shifts), _frozen(out.reshape(*SHAPE, -1))


def _add_spikes(rng, spike_free, noiseless):
    """Single-channel spikes of 3-30 x the local noiseless signal; returns data, mask."""
    flat = spike_free.reshape(-1, spike_free.shape[-1])
    n_pix, n_chan = flat.shape
    n_spiky = int(round(SPIKE_PIXEL_FRACTION * n_pix))
    pixels = rng.choice(n_pix, n_spiky, replace=False)
    channels = rng.integers(1, n_chan - 1, n_spiky)
    n_double = max(1, n_spiky // 10)
    # second spike well away from the first, wrapped into [1, n_chan - 2]
    second = 1 + (channels[:n_double] - 1 + rng.integers(5, 500, n_double)) % (n_chan - 2)
    pixels = np.concatenate([pixels, pixels[:n_double]])
    channels = np.concatenate([channels, second])
    local = noiseless.reshape(n_pix, n_chan)[pixels, channels]
    heights = np.round(local * np.exp(rng.uniform(np.log(3.0), np.log(30.0), len(pixels))))
    data = flat.copy()
    data[pixels, channels] += np.maximum(heights, 1.0).astype(np.float32)
    mask = np.zeros(flat.shape, bool)
    mask[pixels, channels] = True
    return data.reshape(spike_free.shape), mask.reshape(spike_free.shape)
