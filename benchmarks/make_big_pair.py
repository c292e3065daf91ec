"""Write a synthetic low-loss / core-loss EELS pair of any size as .zspy, chunk by chunk.

    MPLBACKEND=Agg .venv/bin/python benchmarks/make_big_pair.py --size 1024 [--channels 4096]
                                                                 [--data /work/bench-data]

The core loss (``size x size x channels`` float32: 1024 x 1024 x 4096 is 16 GiB in
memory) holds CL1's four phases (maps enlarged to the scan, spectra resampled to
``channels``), every spectrum moved by the pixel's energy drift, Poisson counts, and
about five X-ray spikes per 64 x 64 chunk. The low loss (512 channels, 0.1 eV, from
-10 eV) holds a zero-loss peak (FWHM 0.9 eV) and a plasmon at 15 eV, moved by the
same drift. The drift is smooth over the scan (up to +-0.6 eV). Nothing is held
whole: each 64 x 64 chunk is made and written by one task; files exist already are
kept. Prints the paths and sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

CHUNK = 64
LL_CHANNELS, LL_OFFSET, LL_SCALE = 512, -10.0, 0.1
CL_OFFSET = 400.0


def drift_ev(size, i, j):
    """The energy drift (eV) of the pixels of chunk (i, j): smooth over the scan."""
    y = (np.arange(i * CHUNK, (i + 1) * CHUNK)[:, None] + 0.5) / size
    x = (np.arange(j * CHUNK, (j + 1) * CHUNK)[None, :] + 0.5) / size
    return 0.4 * np.sin(2 * np.pi * x) + 0.2 * (2 * y - 1)


def _shifted(spectra, shift_ch):
    """``spectra`` (k, n) moved by ``shift_ch`` channels per pixel: (..., k, n), linear."""
    n = spectra.shape[1]
    pos = np.arange(n)[None, None, :] - shift_ch[..., None]  # (y, x, n)
    i0 = np.clip(np.floor(pos).astype(np.intp), 0, n - 1)
    f = (pos - np.floor(pos)).astype(np.float32)
    i1 = np.clip(i0 + 1, 0, n - 1)
    return spectra[:, i0] * (1 - f) + spectra[:, i1] * f  # (k, y, x, n)


def core_loss_block(maps, spectra, size, scale, i, j):
    d = drift_ev(size, i, j) / scale
    m = maps[:, i * CHUNK:(i + 1) * CHUNK, j * CHUNK:(j + 1) * CHUNK]
    lam = np.einsum("kyx,kyxc->yxc", m, _shifted(spectra, d))
    rng = np.random.default_rng([1, i, j])
    out = rng.poisson(lam).astype(np.float32)
    for _ in range(5):  # X-ray spikes: one channel, far above the signal
        y, x, c = rng.integers(CHUNK), rng.integers(CHUNK), rng.integers(spectra.shape[1])
        out[y, x, c] += rng.uniform(300, 3000)
    return out


def low_loss_block(size, i, j):
    d = drift_ev(size, i, j)[..., None]
    e = LL_OFFSET + LL_SCALE * np.arange(LL_CHANNELS)
    lam = 4000 * np.exp(-0.5 * ((e - d) / 0.38) ** 2) + \
        150 * np.exp(-0.5 * ((e - 15 - d) / 3.0) ** 2) + 2.0
    return np.random.default_rng([2, i, j]).poisson(lam).astype(np.float32)


def write_pair(folder: Path, size: int, channels: int) -> dict:
    import dask.array as da
    from scipy.ndimage import zoom

    from emunmix.datasets import make_dataset
    from emunmix.signal import Signal1D

    if size % CHUNK:
        raise SystemExit(f"--size must be a multiple of {CHUNK}")
    ds = make_dataset("CL1")
    maps = np.stack([zoom(m, size / m.shape[0], order=1) for m in ds.truth.maps])
    x_old = np.linspace(0, 1, ds.truth.spectra.shape[1])
    x_new = np.linspace(0, 1, channels)
    spectra = np.stack([np.interp(x_new, x_old, s) for s in ds.truth.spectra]) / 4
    scale = 0.25 * 4096 / channels  # 1024 eV of core loss whatever the channels
    n = size // CHUNK
    out = {}
    for name, block, nch, offset, sc in (
            ("low_loss", lambda block_id=None: low_loss_block(size, *block_id[:2]),
             LL_CHANNELS, LL_OFFSET, LL_SCALE),
            ("core_loss", lambda block_id=None: core_loss_block(
                maps, spectra.astype(np.float32), size, scale, *block_id[:2]),
             channels, CL_OFFSET, scale)):
        path = folder / f"{name}_{size}x{size}x{nch}.zspy"
        out[name] = str(path)
        if path.exists():
            continue
        data = da.map_blocks(block, dtype=np.float32,
                             chunks=((CHUNK,) * n, (CHUNK,) * n, (nch,)))
        s = Signal1D(data)
        s.metadata.set_item("Signal.signal_type", "EELS")
        s.metadata.set_item("General.title", name)
        axis = s.axes_manager.signal_axes[0]
        axis.name, axis.units, axis.offset, axis.scale = "Energy loss", "eV", offset, sc
        for a in s.axes_manager.navigation_axes:
            a.units, a.scale = "nm", 1.0
        t0 = time.perf_counter()
        s.save(path, chunks=(CHUNK, CHUNK, nch))  # atomic: no half-written file
        print(f"wrote {path} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="/work/bench-data")
    p.add_argument("--size", type=int, default=1024, help="pixels per side (x 64)")
    p.add_argument("--channels", type=int, default=4096, help="core-loss channels")
    args = p.parse_args(argv)
    folder = Path(args.data)
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_pair(folder, args.size, args.channels)
    print(json.dumps({**paths, "core_loss_gib": args.size**2 * args.channels * 4 / 2**30}))


if __name__ == "__main__":
    main()
