"""Streaming reads of a :class:`~emunmix.learn.linalg.MatrixView`: its rows, one row block
at a time, for the online algorithms (ORPCA, ORNMF, the incremental SVD).

Unlike the reductions of the view (one task per chunk, summed in a tree), an online
algorithm updates its state after each batch of rows, so the rows must come in order.
:func:`stream_batches` reads the view's row blocks (the chunks of dask data, blocks of
about ``BLOCK_BYTES`` in memory) one after another and cuts them into batches of a fixed
number of rows, carrying a remainder over a block boundary. So:

- the result depends on ``batch_rows`` only, never on how the data are chunked (the same
  batches reach the algorithm from a numpy array and from any chunking of a dask array);
- at most one row block of the data (and one batch) is held at a time: a generator here
  drops its reference to a block before the next one is read.
"""

from __future__ import annotations

import numpy as np

from emunmix.learn.linalg.matrix_blocks import _transform
from emunmix.learn.linalg.matrix_view import MatrixView


def _reader(view: MatrixView):
    """``read(start, stop)``: raw rows ``start:stop`` of the selection, as numpy."""
    backend = view.backend
    if backend.lazy:
        Xs = backend.selected(view)
        return lambda a, b: np.asarray(Xs[a:b].compute())
    X = view.X

    def read(a, b):
        block = X[a:b] if view.rows is None else backend.take_rows(X, view.rows[a:b])
        if view.cols is not None:
            block = backend.take_cols(block, view.cols)
        return np.asarray(backend.to_host(block))

    return read


def _scaled(view: MatrixView, raw, start: int, stop: int, dtype):
    """Rows ``start:stop`` of ``P`` (centred and scaled in float64) from their raw values."""
    vec = [None if v is None else v[start:stop] for v in (view.row_mean, view.row_scale)]
    return np.asarray(_transform(raw, dtype, vec[0], vec[1], view.col_mean, view.col_scale))


def read_rows(view: MatrixView, start: int, stop: int, dtype=np.float64) -> np.ndarray:
    """Rows ``start:stop`` of ``P`` as one numpy array (e.g. the first rows, to start),
    read block by block like :func:`stream_blocks` (one block of the data held at a time)."""
    start, stop = int(start), min(int(stop), view.shape[0])
    parts = []
    for a, b, block in stream_blocks(view, dtype):
        if b > start and a < stop:
            parts.append(np.array(block[max(start, a) - a : min(stop, b) - a]))
        del block
        if b >= stop:
            break
    if not parts:
        return np.empty((0, view.shape[1]), dtype=dtype)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def stream_blocks(view: MatrixView, dtype=np.float64):
    """Yield ``(start, stop, block)`` of ``P``, one row block at a time, in order."""
    read = _reader(view)
    for start, stop in view.backend.bounds(view):
        raw = read(start, stop)
        block = _scaled(view, raw, start, stop, dtype)
        del raw
        yield start, stop, block
        del block  # before the next read: one block held at a time


def stream_batches(view: MatrixView, batch_rows: int, dtype=np.float64):
    """Yield ``(start, stop, batch)`` of ``P`` in batches of ``batch_rows`` rows (the last
    one may be shorter), in order, whatever the row blocks of the data.

    Examples
    --------
    >>> import dask.array as da
    >>> X = np.arange(14.0).reshape(7, 2)
    >>> [(a, b) for a, b, _ in stream_batches(MatrixView(da.from_array(X, chunks=(3, 2))), 2)]
    [(0, 2), (2, 4), (4, 6), (6, 7)]
    """
    batch_rows = int(batch_rows)
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be a positive integer, got {batch_rows}")
    carry, carry_start = None, 0
    for start, stop, block in stream_blocks(view, dtype):
        if carry is not None:  # complete the batch begun in the previous block
            need = batch_rows - carry.shape[0]
            carry = np.concatenate([carry, block[:need]])
            if carry.shape[0] < batch_rows:
                del block
                continue
            yield carry_start, carry_start + batch_rows, carry
            offset, carry = need, None
        else:
            offset = 0
        pos = start + offset
        while stop - pos >= batch_rows:
            yield pos, pos + batch_rows, block[pos - start : pos - start + batch_rows]
            pos += batch_rows
        if pos < stop:
            carry, carry_start = block[pos - start :].copy(), pos
        del block
    if carry is not None:
        yield carry_start, carry_start + carry.shape[0], carry


__all__ = ["read_rows", "stream_batches", "stream_blocks"]
