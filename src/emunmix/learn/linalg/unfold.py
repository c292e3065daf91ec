"""Unfolding chunked data to a (pixels, channels) matrix without a rechunk.

A lazy spectrum image of shape ``(y, x, channels)`` stored in chunks of ``(64, 64, c)``
cannot be reshaped to ``(y * x, channels)`` as it is: a row chunk of the reshaped matrix
would be a band of whole image rows, so dask first merges every band of chunks
(``rechunk-merge``). On a 4 GiB .zspy that merge made each read pass about twice as
expensive in CPU and held a band of eight 64 MiB chunks per thread (a read pass peaked
at 911 MiB instead of 220 MiB).

The decompositions do not care in which order the pixels come, so
:func:`unfold_by_chunks` reshapes every chunk on its own (a free view of the chunk) and
stacks them: row ``p`` of the result is pixel ``order[p]`` of the natural (C-order)
unfolding. The caller puts pixel-indexed inputs (masks) into that order and pixel-indexed
results (loadings) back (:func:`inverse_order`).
"""

from __future__ import annotations

import numpy as np

from emunmix.validation import is_dask


def needs_merge(data, navigation_dimension: int) -> bool:
    """True when ``data.reshape(pixels, channels)`` would merge chunks of the
    navigation axes (a dask array with more than one chunk along a navigation axis
    after the first)."""
    nd = int(navigation_dimension)
    if not is_dask(data) or nd < 2:
        return False
    return any(len(c) > 1 for c in data.chunks[1:nd])


def unfold_by_chunks(data, navigation_dimension: int):
    """``(X, order)``: ``data`` (navigation axes first) as a (pixels, channels) matrix.

    Parameters
    ----------
    data : ndarray or dask array
        Navigation axes first, then signal axes.
    navigation_dimension : int
        Number of leading navigation axes.

    Returns
    -------
    X : array, shape (pixels, channels)
        For a dask array whose plain reshape would merge chunks (:func:`needs_merge`),
        one row chunk per navigation chunk, in chunk order; otherwise ``data.reshape``.
    order : ndarray of int or None
        The natural pixel index of each row of ``X``; None when rows are in the
        natural order.

    Examples
    --------
    >>> import dask.array as da
    >>> d = da.arange(4 * 4 * 3).reshape(4, 4, 3).rechunk((2, 2, 3))
    >>> X, order = unfold_by_chunks(d, 2)
    >>> order.tolist()
    [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]
    >>> bool((X.compute() == d.compute().reshape(16, 3)[order]).all())
    True
    """
    nd = int(navigation_dimension)
    nav_shape, sig_shape = tuple(data.shape[:nd]), tuple(data.shape[nd:])
    m, n = max(int(np.prod(nav_shape)), 1), max(int(np.prod(sig_shape)), 1)
    if not needs_merge(data, nd):
        return data.reshape(m, n), None
    import dask.array as da

    if len(sig_shape) > 1 and any(len(c) > 1 for c in data.chunks[nd + 1:]):
        # columns of one block must be a contiguous range of the unfolded channels
        data = data.rechunk({ax: -1 for ax in range(nd + 1, data.ndim)})
    pixels = np.arange(m).reshape(nav_shape)
    nav_edges = [np.cumsum((0,) + c) for c in data.chunks[:nd]]
    sig_blocks = data.numblocks[nd] if sig_shape else 1
    rows, order = [], []
    for idx in np.ndindex(*data.numblocks[:nd]):
        index = tuple(slice(int(e[i]), int(e[i + 1])) for e, i in zip(nav_edges, idx))
        part = pixels[index].ravel()
        order.append(part)
        row = [data.blocks[idx + (j,) + (0,) * (len(sig_shape) - 1)]
               for j in range(sig_blocks)] if sig_shape else [data.blocks[idx]]
        rows.append([b.reshape(part.size, -1) for b in row])
    return da.block(rows), np.concatenate(order)


def inverse_order(order: np.ndarray) -> np.ndarray:
    """``inv`` with ``natural = reordered[inv]`` for rows ``reordered = natural[order]``."""
    inv = np.empty_like(order)
    inv[order] = np.arange(order.size)
    return inv


__all__ = ["inverse_order", "needs_merge", "unfold_by_chunks"]
