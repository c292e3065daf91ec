"""Rechunking lazy data safely: by tasks, to whole spectra, within the memory there is.

Every rechunk emunmix adds to a graph goes through :func:`rechunk`, which uses
dask's "tasks" method: with ``dask.distributed`` the default "p2p" method
fails with ``P2PConsistencyError`` when a worker is lost mid-way, whereas
task-based rechunks are simply recomputed on the surviving workers.

:func:`whole_spectra` brings the signal axis into one chunk (the blockwise
pre-processing and spike search need whole spectra) and, when such chunks
would not fit in memory, splits the navigation chunks until each chunk is at
most :data:`CHUNK_MEMORY_FRACTION` of the available memory, saying so in a
log line. A single spectrum larger than that is refused with a clear error.
"""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["rechunk", "whole_spectra", "available_memory", "chunk_limit", "fits_in_memory",
           "CHUNK_MEMORY_FRACTION"]

log = logging.getLogger("emunmix")

#: The most one chunk (and its float64 working copies) may take of the available memory:
#: a few are in flight per worker thread.
CHUNK_MEMORY_FRACTION = 1 / 16


def available_memory() -> int:
    """Bytes of memory available now (psutil; 4 GiB if it cannot tell)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # pragma: no cover - psutil comes with distributed
        return 4 * 2**30


def rechunk(x, chunks):
    """``x.rechunk(chunks)`` by tasks (safe when a distributed worker is lost)."""
    import dask

    with dask.config.set({"array.rechunk.method": "tasks"}):
        return x.rechunk(chunks)


def chunk_limit() -> int:
    """Most bytes one chunk's float64 working copy should take here."""
    return int(available_memory() * CHUNK_MEMORY_FRACTION)


def fits_in_memory(nbytes: int, copies: int = 4) -> bool:
    """True when ``copies`` arrays of ``nbytes`` fit in the memory available now."""
    return copies * int(nbytes) <= available_memory()


def _limit_bytes(limit):
    return chunk_limit() if limit is None else int(limit)


def whole_spectra(data, what: str = "this step", limit: int | None = None):
    """``data`` (dask, signal axis last) with whole spectra in every chunk.

    Parameters
    ----------
    data : dask.array.Array
    what : str
        The operation, for the log line and the error.
    limit : int, optional
        Most bytes per chunk (default: ``CHUNK_MEMORY_FRACTION`` of the
        available memory), counted in float64 (the working copies).

    Returns
    -------
    dask.array.Array
        ``data`` itself when nothing needs to change.

    Raises
    ------
    MemoryError
        One spectrum alone is over the limit.

    Examples
    --------
    >>> import dask.array as da
    >>> whole_spectra(da.zeros((4, 6, 100), chunks=(2, 3, 25))).chunks
    ((2, 2), (3, 3), (100,))
    """
    limit = _limit_bytes(limit)
    n = data.shape[-1]
    spectrum = 8 * n
    if spectrum > limit:
        raise MemoryError(
            f"{what}: one spectrum of {n} channels takes {spectrum / 2**20:.1f} MiB as "
            f"float64, over the {limit / 2**20:.1f} MiB a chunk may take here; crop the "
            "signal axis (isig) or run on a machine with more memory")
    nav_chunks = data.chunks[:-1]
    biggest = spectrum * max((int(np.prod([max(c) for c in nav_chunks], dtype=np.int64)), 1))
    if len(data.chunks[-1]) == 1 and biggest <= limit:
        return data
    new_nav = nav_chunks
    if biggest > limit:
        # halve the largest navigation chunks until a chunk fits
        sizes = [max(c) for c in nav_chunks]
        while spectrum * int(np.prod(sizes, dtype=np.int64)) > limit:
            i = int(np.argmax(sizes))
            sizes[i] = max(1, sizes[i] // 2)
        new_nav = tuple(sizes)
    out = rechunk(data, tuple(new_nav) + (-1,))
    log.info("%s: rechunked %s to %s (whole spectra, chunks at most %.0f MiB in float64)",
             what, data.chunksize, out.chunksize, limit / 2**20)
    return out
