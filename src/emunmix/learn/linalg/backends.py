"""The array backends of :class:`~emunmix.learn.linalg.MatrixView`: where the data live and
how the per-block tasks of :mod:`~emunmix.learn.linalg.matrix_blocks` are run over them.

A backend answers three questions for a view, and nothing else:

- :meth:`Backend.raw_blocks`: which row blocks of the unmasked selection there are;
- :meth:`Backend.reduce`: how per-block partial results are computed and summed;
- :meth:`Backend.fill_rows`: how per-block rows are written into an output array.

:class:`NumpyBackend` loops over row blocks of about ``BLOCK_BYTES`` in memory;
:class:`DaskBackend` builds one task per row chunk and sums the partials in a tree, so
a threaded or ``dask.distributed`` scheduler reads chunks in parallel;
:class:`ArrayAPIBackend` runs the same tasks on any array-API array (cupy on a GPU, or
``array_api_strict`` in the tests), handing small results back as numpy. A new backend
is one more small class registered in :data:`BACKENDS`.
"""

from __future__ import annotations

import logging

import numpy as np

from emunmix.chunking import chunk_limit, rechunk
from emunmix.learn.linalg.matrix_blocks import (
    BLOCK_BYTES,
    _add,
    _blas_for,
    _tree,
    namespace,
)
from emunmix.validation import is_dask

log = logging.getLogger("emunmix")

#: Most bytes of lazily computed rows (``dot``, ``materialise``) gathered per compute:
#: the output is filled batch by batch, never held twice.
GATHER_BYTES = 128 * 2**20


class Backend:
    """The interface (and the in-memory loop shared by numpy and array-API arrays)."""

    #: Short name ("numpy", "dask", "array-api"), also the name capabilities list.
    name = "abstract"
    #: True when the data are read lazily (chunk by chunk, possibly on other machines).
    lazy = False

    def __init__(self, X=None):
        self.X = X

    @staticmethod
    def owns(X) -> bool:
        """True when this backend serves arrays like ``X``."""
        raise NotImplementedError

    # -------------------------------------------------------------- conversions
    def to_backend(self, a):
        """A numpy vector or matrix as an array the blocks can be combined with."""
        return a

    def to_host(self, a):
        """A (small) result as numpy (identity for numpy)."""
        return a

    # -------------------------------------------------------------- blocks
    def bounds(self, view):
        m, n = view.shape
        step = max(1, BLOCK_BYTES // (8 * max(n, 1)))
        return [(s, min(m, s + step)) for s in range(0, m, step)]

    def take_rows(self, X, rows):
        return X[rows]

    def take_cols(self, block, cols):
        return block[:, cols]

    def raw_blocks(self, view):
        """Yield ``(start, stop, block)`` of the untransformed selection (may be views)."""
        X = view.X
        for start, stop in self.bounds(view):
            block = X[start:stop, ...] if view.rows is None else self.take_rows(
                X, view.rows[start:stop])
            if view.cols is not None:
                block = self.take_cols(block, view.cols)
            yield start, stop, block

    def _row_vectors(self, view, start, stop):
        return tuple(None if v is None else self.to_backend(v[start:stop])
                     for v in (view.row_mean, view.row_scale))

    def _shared(self, args):
        return [self.to_backend(a) if isinstance(a, np.ndarray) else a for a in args]

    # -------------------------------------------------------------- running tasks
    def reduce(self, view, func, *args, rows=None, combine=None):
        """``combine`` (default: addition) of ``func(raw, start, stop, row_mean,
        row_scale, rows[start:stop], *args)`` over the row blocks, as numpy."""
        combine = combine or _add
        shared = self._shared(args)
        total = None
        for start, stop, raw in self.raw_blocks(view):
            part = func(raw, start, stop, *self._row_vectors(view, start, stop),
                        None if rows is None else self.to_backend(rows[start:stop]), *shared)
            total = part if total is None else combine(total, part)
        return self._host_tree(total)

    def fill_rows(self, view, func, *args, out):
        """Fill ``out`` (rows x k, numpy) with ``func``'s rows of every block."""
        shared = self._shared(args)
        for start, stop, raw in self.raw_blocks(view):
            out[start:stop] = self.to_host(
                func(raw, start, stop, *self._row_vectors(view, start, stop), None, *shared))
        return out

    def _host_tree(self, value):
        """``value`` (an array, a number or a tuple/list of them) with arrays on the host."""
        if isinstance(value, tuple):
            return tuple(self._host_tree(v) for v in value)
        if isinstance(value, list):
            return [self._host_tree(v) for v in value]
        if isinstance(value, (int, float)) or value is None:
            return value
        return self.to_host(value)

    def as_dask(self, view):
        """The raw selection as a dask array (for dask's own SVD solvers)."""
        import dask.array as da

        X = da.from_array(self.to_host(view.X))
        return X[slice(None) if view.rows is None else view.rows][
            :, slice(None) if view.cols is None else view.cols]


class NumpyBackend(Backend):
    """In-memory numpy data, read in row blocks of about ``BLOCK_BYTES`` (float64)."""

    name = "numpy"

    @staticmethod
    def owns(X) -> bool:
        return isinstance(X, np.ndarray)


class ArrayAPIBackend(Backend):
    """Any array-API array (cupy, torch, ``array_api_strict``...): the tasks run in the
    array's own namespace, block by block; small results come back as numpy."""

    name = "array-api"

    @staticmethod
    def owns(X) -> bool:
        return not isinstance(X, np.ndarray) and hasattr(X, "__array_namespace__")

    def __init__(self, X):
        super().__init__(X)
        self._xp = namespace(X)

    def to_backend(self, a):
        return self._xp.asarray(a)

    def to_host(self, a):
        if isinstance(a, np.ndarray) or not hasattr(a, "__array_namespace__"):
            return a
        return np.from_dlpack(a)

    def take_rows(self, X, rows):
        return self._xp.take(X, self._xp.asarray(rows), axis=0)

    def take_cols(self, block, cols):
        return self._xp.take(block, self._xp.asarray(cols), axis=1)


class DaskBackend(Backend):
    """Dask arrays: one task per row chunk, partials summed in a tree of SPLIT_EVERY.

    Chunks split along the channels are first joined into whole rows inside the graph
    (and tall ones split to about ``4 * BLOCK_BYTES``), so a task holds one row block
    of the raw data; memory stays at a few chunks per worker plus the results.
    """

    name = "dask"
    lazy = True
    _said = False

    @staticmethod
    def owns(X) -> bool:
        return is_dask(X)

    def selected(self, view):
        Xs = view.X
        if view.rows is not None:
            Xs = Xs[view.rows]
        if view.cols is not None:
            Xs = Xs[:, view.cols]
        return Xs

    def bounds(self, view):
        edges = np.cumsum((0,) + tuple(self.selected(view).chunks[0]))
        return list(zip(edges[:-1].tolist(), edges[1:].tolist()))

    def raw_blocks(self, view):
        Xs = self.selected(view)
        for start, stop in self.bounds(view):
            yield start, stop, np.asarray(Xs[start:stop].compute())

    def _chunks(self, view):
        """``(start, stop, delayed raw block)`` per row chunk of the selection."""
        Xs = self.selected(view)
        n, itemsize = Xs.shape[1], np.dtype(Xs.dtype).itemsize
        too_big = 8 * n * max(Xs.chunks[0]) > chunk_limit()  # float64 working copies
        if Xs.numblocks[1] > 1 or too_big:
            rows = max(1, (4 * BLOCK_BYTES) // max(n * itemsize, 1))
            if too_big:
                rows = max(1, min(rows, chunk_limit() // (8 * n)))
            before = Xs.chunksize
            Xs = rechunk(Xs, {0: rows if max(Xs.chunks[0]) > rows else Xs.chunks[0], 1: -1})
            if not self._said:
                log.info("lazy passes: chunks %s rechunked to %s (whole rows%s)", before,
                         Xs.chunksize, ", to fit memory" if too_big else "")
                self._said = True
        edges = np.cumsum((0,) + tuple(Xs.chunks[0])).tolist()
        blocks = Xs.to_delayed().reshape(-1)
        return [(a, b, blk) for a, b, blk in zip(edges[:-1], edges[1:], blocks)]

    def _parts(self, view, func, *args, rows=None):
        """One delayed task per row chunk; array ``args`` enter the graph once, shared."""
        from dask import delayed

        shared = [delayed(a, pure=True) if isinstance(a, np.ndarray) else a for a in args]
        task = delayed(func, pure=True)
        return [(start, stop, task(blk, start, stop, *self._row_vectors(view, start, stop),
                                   None if rows is None else rows[start:stop], *shared))
                for start, stop, blk in self._chunks(view)]

    def reduce(self, view, func, *args, rows=None, combine=None):
        from emunmix.progress import compute

        parts = [p for _, _, p in self._parts(view, func, *args, rows=rows)]
        root = _tree(parts, combine or _add)
        with _blas_for(root, len(parts)):
            return compute(root, desc="pass over the data")[0]

    def fill_rows(self, view, func, *args, out):
        """Computed in batches of at most ``GATHER_BYTES``: the output is never held twice."""
        from emunmix.progress import compute

        parts = self._parts(view, func, *args)
        row_bytes = max(1, out.itemsize * int(np.prod(out.shape[1:])))
        i = 0
        while i < len(parts):
            j, size = i, 0
            while j < len(parts) and (j == i or size + (parts[j][1] - parts[j][0]) * row_bytes
                                      <= GATHER_BYTES):
                size += (parts[j][1] - parts[j][0]) * row_bytes
                j += 1
            batch = [p for _, _, p in parts[i:j]]
            with _blas_for(batch[0], len(batch)):
                values = compute(*batch, desc="rows")
            for (start, stop, _), value in zip(parts[i:j], values):
                out[start:stop] = value
            i = j
        return out

    def as_dask(self, view):
        return self.selected(view)


#: The backends, asked in order which one serves an array.
BACKENDS = [NumpyBackend, DaskBackend, ArrayAPIBackend]


def backend_for(X) -> Backend:
    """The backend serving ``X`` (numpy for anything array-like no other backend owns)."""
    for cls in BACKENDS:
        if cls.owns(X):
            return cls(X)
    return NumpyBackend(X)


__all__ = [
    "ArrayAPIBackend",
    "BACKENDS",
    "Backend",
    "DaskBackend",
    "GATHER_BYTES",
    "NumpyBackend",
    "backend_for",
]
