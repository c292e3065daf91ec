"""Automatic spike removal of a lazy (dask) signal, block by block.

``spikes_removal_tool(interactive=False)`` on a lazy signal comes here. The
"derivative" and "median" finders look at each spectrum alone, so the search
and the replacement run on each navigation chunk (the signal axis in one
chunk) and the signal stays lazy. Two passes over the chunks are made at the
call: one for the data checks and the automatic threshold (HyperSpy's
derivative histogram needs every spectrum's largest step), one for the report
(the spikes found, as a short list of positions); the cleaned data are
computed when they are used, chunk by chunk.

The spikes found and the values bridged are those of the in-memory tool on
the same data. The Poisson noise added to the bridged values is drawn per
chunk from ``random_state`` and the chunk's index (a seed is drawn at the
call when ``random_state`` is None), so recomputing the lazy data gives the
same values, but not the in-memory tool's draws.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..chunking import whole_spectra
from ..preprocess import spikes as _kernels
from ..progress import compute
from .spikes_report import SpikesRemovalReport, _units

# HyperSpy's rule: from 2000 spectra on, the histogram holds each spectrum's largest step
_MAX_PER_SPECTRUM = 2000


def _row_stats(block, keep, smask):
    """Per spectrum: all finite, and the largest |step| outside ``smask`` (float32 data)."""
    rows = block.reshape(-1, block.shape[-1])
    out = np.zeros((rows.shape[0], 2))
    step = max(1, 2**18 // max(rows.shape[1], 1))  # slices: small float64 temporaries
    for a in range(0, rows.shape[0], step):
        x = np.asarray(rows[a:a + step], dtype=np.float32).astype(float)
        der = np.abs(np.diff(x, axis=1))
        if smask is not None:
            der = der[:, ~(smask[1:] | smask[:-1])]
        out[a:a + step, 0] = np.isfinite(x).all(axis=1)
        with np.errstate(invalid="ignore"):
            out[a:a + step, 1] = der.max(axis=1) if der.shape[1] else np.nan
    out[~keep.reshape(-1), 0] = 1.0
    return out.reshape(block.shape[:-1] + (2,))


def _threshold(search, data, keep, stats):
    """The finder's threshold: HyperSpy's automatic one from the per-spectrum stats."""
    if search.method != "derivative" or search.threshold != "auto":
        return search.threshold
    kept = keep.reshape(-1)
    if kept.sum() >= _MAX_PER_SPECTRUM:
        values = stats[..., 1].reshape(-1)[kept]
        # the kernel's histogram of these values: one step of that size per spectrum
        steps = np.stack([np.zeros_like(values), values], axis=1)
        return _kernels.derivative_histogram_threshold(steps, max_num_bins=search.max_num_bins)
    rows = np.asarray(data.compute()).reshape(-1, data.shape[-1])  # < 2000 spectra: small
    return _kernels.derivative_histogram_threshold(
        np.asarray(rows[kept], dtype=np.float32), max_num_bins=search.max_num_bins,
        signal_mask=search.signal_mask)


def _block_search(search, threshold, keep_block, seed, index):
    return dataclasses.replace(
        search, threshold=threshold, navigation_mask=~keep_block,
        random_state=np.random.SeedSequence([seed, *index]))


def _clean_block(block, keep, search, threshold, seed, block_id=None):
    s = _block_search(search, threshold, keep[..., 0], seed, block_id[:-1])
    mask, _ = s.find(block)
    return s.clean(block, mask)


def _found_in_block(block, keep, search, threshold, seed, index):
    """Flat indices (within the block) of the spikes found, and the values changed."""
    s = _block_search(search, threshold, keep, seed, index)
    mask, _ = s.find(block)
    changed = int(np.count_nonzero(s.clean(block, mask) != block)) if mask.any() else 0
    return np.flatnonzero(mask), changed


def _positions(signal, found, chunks, nav_shape, n):
    """The report's positions and spectra count from each block's flat indices."""
    import itertools

    axis = signal.axes_manager.signal_axes[0]
    starts = [np.concatenate([[0], np.cumsum(c)[:-1]]) for c in chunks[:-1]]
    out, spectra = [], 0
    for index, (flat, _) in zip(itertools.product(*[range(len(c)) for c in chunks[:-1]]),
                                found):
        shape = tuple(chunks[d][i] for d, i in enumerate(index)) + (n,)
        channel = flat % n
        first = (channel == 0) | (np.diff(flat, prepend=-2) != 1)
        spectra += np.unique(flat // n).size
        for f in flat[first]:
            local = np.unravel_index(int(f), shape)
            nav = tuple(int(starts[d][i] + local[d]) for d, i in enumerate(index))
            out.append((nav[::-1], int(local[-1]),
                        float(axis.offset + axis.scale * int(local[-1]))))
    # the in-memory order: by flat index of the whole array
    out.sort(key=lambda p: (np.ravel_multi_index(p[0][::-1], nav_shape) if nav_shape else 0,
                            p[1]))
    return out, spectra


def lazy_spikes_removal(signal, search, nmask):
    """Replace the spikes of a lazy signal blockwise; returns the report (data stay lazy).

    Raises
    ------
    ValueError
        The "lowrank" finder (a low-rank model of the whole image: the caller
        computes data that fit in memory instead) or NaN/inf in a searched
        spectrum; raised before the signal is changed.
    """
    import dask
    import dask.array as da

    if search.method == "lowrank":
        raise ValueError(
            f"spikes_removal_tool: the 'lowrank' finder models the whole image in memory, "
            f"and these lazy data ({signal.data.nbytes / 2**30:.1f} GiB) do not fit in the "
            "memory available; pass method='derivative' (HyperSpy's finder) or "
            "method='median', which look at each spectrum alone and run chunk by chunk")
    data = whole_spectra(signal.data, "spikes_removal_tool")
    nav_shape, n = data.shape[:-1], data.shape[-1]
    keep_np = np.ones(nav_shape, bool) if nmask is None else ~np.asarray(nmask, bool)
    keep = da.from_array(keep_np, chunks=data.chunks[:-1])[..., None]
    stats = compute(da.map_blocks(_row_stats, data, keep, search.signal_mask, dtype=float,
                                  chunks=data.chunks[:-1] + ((2,),)), desc="spike search")[0]
    if not stats[..., 0].all():
        raise ValueError("data hold NaN or infinite values; mask those spectra first")
    threshold = _threshold(search, data, keep_np, stats)
    seed = search.random_state
    if not isinstance(seed, (int, np.integer)):
        seed = int(np.random.default_rng(seed).integers(2**63))
    blocks = data.to_delayed().reshape(-1)
    keeps = keep.to_delayed().reshape(-1)
    indices = list(np.ndindex(*data.numblocks[:-1]))
    found = compute(*[
        dask.delayed(_found_in_block)(b, k[..., 0], search, threshold, seed, i)
        for b, k, i in zip(blocks, keeps, indices)], desc="spikes")
    positions, n_spectra = _positions(signal, found, data.chunks, nav_shape, n)
    cleaned = da.map_blocks(_clean_block, data, keep, search, threshold, seed,
                            dtype=data.dtype, chunks=data.chunks)
    report = SpikesRemovalReport(
        n_spikes=len(positions), n_spectra=n_spectra,
        n_spectra_total=max(int(np.prod(nav_shape, dtype=int)), 1) - int((~keep_np).sum()),
        n_channels_changed=sum(c for _, c in found), positions=positions,
        mask=da.map_blocks(_mask_block, data, keep, search, threshold, dtype=bool,
                           chunks=data.chunks),
        method=search.method, threshold=search.threshold, units=_units(signal))
    signal._data = cleaned
    return report


def _mask_block(block, keep, search, threshold):
    s = dataclasses.replace(search, threshold=threshold, navigation_mask=~keep[..., 0])
    return s.find(block)[0]
