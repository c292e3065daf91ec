"""A masked, centred and noise-scaled view of a (pixels, channels) matrix, read in row blocks.

Decomposition works on ``P = diag(1/r) (X[rows][:, cols] - centring) diag(1/c)``: the
unmasked part of the data, optionally centred and divided by Poisson weights. Building
``P`` as an array costs a full copy; :class:`MatrixView` instead reads it one row block at
a time (in float64, so scaling by tiny weights can neither overflow nor lose precision),
which is all the Gram-matrix SVD and the projections need.

For dask data the reductions are dask graphs instead of loops: one task per row chunk
(chunks split along channels are first joined into whole rows inside the graph) reads
and reduces its chunk, and the partial results are summed in a tree of
:data:`SPLIT_EVERY` at a time, so that the scheduler (threads, or the workers of a
``dask.distributed`` cluster) reads chunks in parallel and only the small results
travel. Memory stays at a few chunks per worker plus the results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from emunmix.learn.linalg.matrix_blocks import (  # noqa: F401 (BLOCK_BYTES, SPLIT_EVERY: public here)
    BLOCK_BYTES,
    SPLIT_EVERY,
    _add,
    _blas_for,
    _centred_dot_part,
    _combine_stats,
    _dot_block,
    _dot_part,
    _gram_part,
    _stats_part,
    _sub_blocks,
    _sum_of_squares_part,
    _tdot_part,
    _transform,
    _transform_part,
    _tree,
)
from emunmix.validation import is_dask, working_dtype

#: Most bytes of lazily computed rows (``dot``, ``materialise``) gathered per compute:
#: the output is filled batch by batch, never held twice.
GATHER_BYTES = 128 * 2**20


@dataclass(frozen=True)
class MatrixStats:
    """What one pass over a view learns about the raw (untransformed) data.

    Attributes
    ----------
    row_sums : ndarray, shape (m,)
        float64 sums of each selected row over the selected columns.
    col_sums : ndarray, shape (n,)
        float64 sums of each selected column over the selected rows.
    n_non_finite : int
        NaN/inf values (sums are then meaningless).
    n_negative : int
        Values below zero.
    """

    row_sums: np.ndarray
    col_sums: np.ndarray
    n_non_finite: int
    n_negative: int


@dataclass(frozen=True, eq=False)
class MatrixView:
    """``P = diag(1/row_scale) (X[rows][:, cols] - row_mean 1' - 1 col_mean') diag(1/col_scale)``.

    Parameters
    ----------
    X : ndarray or dask array, shape (M, N)
        The data, never modified.
    rows, cols : ndarray of int, optional
        Selected (unmasked) rows and columns; None selects all.
    row_scale, col_scale : ndarray of float64, optional
        Divisors of the selected rows / columns (e.g. Poisson weights).
    row_mean, col_mean : ndarray of float64, optional
        Subtracted from each selected row / column before scaling (centring).

    Examples
    --------
    >>> X = np.arange(12.0).reshape(4, 3)
    >>> v = MatrixView(X, rows=np.array([0, 2]), col_mean=np.array([3.0, 4.0, 5.0]))
    >>> v.materialise()
    array([[-3., -3., -3.],
           [ 3.,  3.,  3.]])
    """

    X: object
    rows: np.ndarray | None = None
    cols: np.ndarray | None = None
    row_scale: np.ndarray | None = None
    col_scale: np.ndarray | None = None
    row_mean: np.ndarray | None = None
    col_mean: np.ndarray | None = None

    # ----------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple[int, int]:
        m = self.X.shape[0] if self.rows is None else len(self.rows)
        n = self.X.shape[1] if self.cols is None else len(self.cols)
        return int(m), int(n)

    @property
    def dtype(self) -> np.dtype:
        """The working float dtype (float32 unless the data are float64)."""
        return working_dtype(self.X.dtype)

    @property
    def is_lazy(self) -> bool:
        return is_dask(self.X)

    @property
    def is_plain(self) -> bool:
        """True when no centring or scaling is applied."""
        return all(
            a is None for a in (self.row_scale, self.col_scale, self.row_mean, self.col_mean)
        )

    def with_transform(self, **changes) -> MatrixView:
        """A copy with some of rows/cols/scales/means replaced."""
        return replace(self, **changes)

    # ----------------------------------------------------------------- blocks
    def _selected(self):
        """The raw selected sub-matrix as a dask array (lazy data only)."""
        Xs = self.X
        if self.rows is not None:
            Xs = Xs[self.rows]
        if self.cols is not None:
            Xs = Xs[:, self.cols]
        return Xs

    def _bounds(self):
        m, n = self.shape
        if self.is_lazy:
            edges = np.cumsum((0,) + tuple(self._selected().chunks[0]))
            return list(zip(edges[:-1].tolist(), edges[1:].tolist()))
        step = max(1, BLOCK_BYTES // (8 * max(n, 1)))
        return [(s, min(m, s + step)) for s in range(0, m, step)]

    def raw_blocks(self):
        """Yield ``(start, stop, block)`` of the untransformed selection (may be views)."""
        if self.is_lazy:
            Xs = self._selected()
            for start, stop in self._bounds():
                yield start, stop, np.asarray(Xs[start:stop].compute())
            return
        X = self.X
        for start, stop in self._bounds():
            if self.rows is None:
                block = X[start:stop]
            else:
                block = X[self.rows[start:stop]]
            if self.cols is not None:
                block = block[:, self.cols]
            yield start, stop, block

    def blocks(self, dtype=np.float64):
        """Yield ``(start, stop, block)`` of ``P`` in ``dtype``.

        Centring and scaling happen in float64; blocks of an untransformed float view
        of the right dtype may be read-only views of ``X``.
        """
        dtype = np.dtype(dtype)
        for start, stop, raw in self.raw_blocks():
            yield start, stop, _transform(raw, dtype, *self._row_vectors(start, stop),
                                          self.col_mean, self.col_scale)

    def _row_vectors(self, start, stop):
        """``row_mean`` and ``row_scale`` of rows ``start:stop`` (None where unset)."""
        return tuple(None if v is None else v[start:stop]
                     for v in (self.row_mean, self.row_scale))

    # ------------------------------------------------------------ dask graphs
    def _lazy_chunks(self):
        """``(start, stop, delayed raw block)`` per row chunk of the lazy selection.

        Chunks split along the channels are joined into whole rows inside the graph
        (and tall ones split to about ``4 * BLOCK_BYTES``), so each task holds one
        row block of the raw data.
        """
        Xs = self._selected()
        if Xs.numblocks[1] > 1:
            n, itemsize = Xs.shape[1], np.dtype(Xs.dtype).itemsize
            rows = max(1, (4 * BLOCK_BYTES) // max(n * itemsize, 1))
            Xs = Xs.rechunk({0: rows if max(Xs.chunks[0]) > rows else Xs.chunks[0], 1: -1})
        edges = np.cumsum((0,) + tuple(Xs.chunks[0])).tolist()
        blocks = Xs.to_delayed().reshape(-1)
        return [(a, b, blk) for a, b, blk in zip(edges[:-1], edges[1:], blocks)]

    def _lazy_parts(self, func, *args, rows=None):
        """``func(raw, start, stop, row_mean, row_scale, _, rows, *args)`` as one delayed
        task per row chunk: ``row_mean``, ``row_scale`` and ``rows`` (an optional (m, k)
        array) sliced to the chunk's rows, ``args`` in the graph once, shared."""
        from dask import delayed

        shared = [delayed(a, pure=True) if isinstance(a, np.ndarray) else a for a in args]
        task = delayed(func, pure=True)
        return [(start, stop, task(blk, start, stop, *self._row_vectors(start, stop),
                                   None if rows is None else rows[start:stop], *shared))
                for start, stop, blk in self._lazy_chunks()]

    def _lazy_sum(self, func, *args, rows=None, combine=None):
        """The lazy parts of ``func`` (see ``_lazy_parts``) reduced by a tree of
        ``combine`` (default: addition) over ``SPLIT_EVERY`` parts per task; computed."""
        import dask

        parts = [p for _, _, p in self._lazy_parts(func, *args, rows=rows)]
        root = _tree(parts, combine or _add)
        with _blas_for(root, len(parts)):
            return dask.compute(root)[0]

    def _lazy_rows(self, func, *args, out):
        """Fill ``out`` (rows x k) with the lazy parts of ``func``, computed in batches
        of at most ``GATHER_BYTES`` so that the output is never held twice."""
        import dask

        parts = self._lazy_parts(func, *args)
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
                values = dask.compute(*batch)
            for (start, stop, _), value in zip(parts[i:j], values):
                out[start:stop] = value
            i = j
        return out

    # ------------------------------------------------------------ reductions
    def stats(self) -> MatrixStats:
        """One pass over the raw selection: row/column sums and bad-value counts."""
        m, n = self.shape
        row_sums = np.zeros(m)
        col_sums = np.zeros(n)
        n_bad = n_neg = 0
        check_finite = np.dtype(self.X.dtype).kind == "f"
        check_sign = np.dtype(self.X.dtype).kind in "if"
        if self.is_lazy:
            rows, col_sums, n_bad, n_neg = self._lazy_sum(
                _stats_part, check_finite, check_sign, combine=_combine_stats)
            for start, part in rows:
                row_sums[start : start + part.size] = part
            return MatrixStats(row_sums, col_sums, int(n_bad), int(n_neg))
        for start, stop, raw in self.raw_blocks():
            if check_finite:
                n_bad += raw.size - int(np.count_nonzero(np.isfinite(raw)))
            if check_sign:
                n_neg += int(np.count_nonzero(raw < 0))
            row_sums[start:stop] = raw.sum(axis=1, dtype=np.float64)
            col_sums += raw.sum(axis=0, dtype=np.float64)
        return MatrixStats(row_sums, col_sums, n_bad, n_neg)

    def materialise(self, dtype=None, copy: bool = False) -> np.ndarray:
        """``P`` as one in-memory array (in the working dtype by default).

        With ``copy=False`` an untransformed, unmasked numpy view of the right dtype is
        returned without copying (do not modify it then).
        """
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        if (
            not copy
            and not self.is_lazy
            and self.is_plain
            and self.rows is None
            and self.cols is None
        ):
            return np.asarray(self.X, dtype=dtype)
        out = np.empty(self.shape, dtype=dtype)
        if self.is_lazy:
            return self._lazy_rows(_transform_part, dtype, self.col_mean, self.col_scale,
                                   out=out)
        for start, stop, b in self.blocks(np.float64 if not self.is_plain else dtype):
            out[start:stop] = b
        return out

    def to_dask(self):
        """``P`` as a lazy dask expression (for dask's own SVD solvers)."""
        import dask.array as da

        P = self._selected() if self.is_lazy else da.from_array(self.X)[
            slice(None) if self.rows is None else self.rows
        ][:, slice(None) if self.cols is None else self.cols]
        P = P.astype(np.float64)
        if self.row_mean is not None:
            P = P - self.row_mean[:, None]
        if self.col_mean is not None:
            P = P - self.col_mean[None, :]
        if self.row_scale is not None:
            P = P / self.row_scale[:, None]
        if self.col_scale is not None:
            P = P / self.col_scale[None, :]
        return P.astype(self.dtype)

    def gram(self) -> np.ndarray:
        """``P' P`` (columns x columns), accumulated in float64 over row blocks."""
        n = self.shape[1]
        if self.is_lazy:
            uncentred = self.row_mean is None and self.col_mean is None
            G = self._lazy_sum(_gram_part, self.col_mean,
                               None if uncentred else self.col_scale)
            if uncentred and self.col_scale is not None:
                G /= self.col_scale[:, None]
                G /= self.col_scale[None, :]
            return G
        G = np.zeros((n, n))
        if self.row_mean is None and self.col_mean is None:
            # scale the columns once at the end: one pass less over every block
            for _, _, b in self.without_col_scale().blocks(np.float64):
                G += b.T @ b
            if self.col_scale is not None:
                G /= self.col_scale[:, None]
                G /= self.col_scale[None, :]
            return G
        for _, _, b in self.blocks(np.float64):
            G += b.T @ b
        return G

    def without_col_scale(self) -> MatrixView:
        return replace(self, col_scale=None)

    def dot(self, V, dtype=None, out=None) -> np.ndarray:
        """``P @ V`` (rows x k), block by block, in the working dtype by default.

        The product is taken on the raw blocks (views of the data when no row or column
        is excluded), with the scales folded into ``V`` and the output (and, in float64,
        the means as rank-one corrections), so no transformed copy of a block is made.
        ``out`` (shape (rows, k), any strides) receives the result instead of a new
        array; its dtype sets the working dtype.
        """
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        V = np.asarray(V, dtype=np.float64)
        shape = (self.shape[0], V.shape[1])
        if out is not None:
            if out.shape != shape:
                raise ValueError(f"out has shape {out.shape}, the product has shape {shape}")
            dtype = out.dtype
        centred = self.row_mean is not None or self.col_mean is not None
        if centred and dtype != np.float64:
            # subtracting a large mean after a float32 product would cancel digits
            out = np.empty(shape, dtype=dtype) if out is None else out
            if self.is_lazy:
                return self._lazy_rows(_centred_dot_part, V, self.col_mean, self.col_scale,
                                       out=out)
            for start, stop, b in self.blocks(np.float64):
                out[start:stop] = b @ V
            return out
        Vs = V / self.col_scale[:, None] if self.col_scale is not None else V
        # (X - r 1' - 1 c') Vs = X Vs - r (1' Vs) - 1 (c' Vs)
        col_corr = self.col_mean @ Vs if self.col_mean is not None else None
        row_corr = Vs.sum(axis=0) if self.row_mean is not None else None
        Vs = Vs.astype(dtype)
        out = np.empty(shape, dtype=dtype) if out is None else out
        if self.is_lazy:
            return self._lazy_rows(_dot_part, Vs, col_corr, row_corr, out=out)
        for start, stop, raw in self.raw_blocks():
            _dot_block(raw, out[start:stop], Vs, col_corr, row_corr,
                       *self._row_vectors(start, stop))
        return out

    def tdot(self, U) -> np.ndarray:
        """``P' @ U`` (columns x k), accumulated in float64 over row blocks."""
        U = np.asarray(U, dtype=np.float64)
        if self.is_lazy:  # each task gets its own rows of U, not all of U
            return self._lazy_sum(_tdot_part, self.col_mean, self.col_scale, rows=U)
        out = np.zeros((self.shape[1], U.shape[1]))
        for start, stop, b in self.blocks(np.float64):
            out += b.T @ U[start:stop]
        return out

    def sum_of_squares(self) -> float:
        """``||P||_F^2`` in float64 (total variation, for explained variance ratios)."""
        if self.is_lazy:
            return float(self._lazy_sum(_sum_of_squares_part, self.col_mean, self.col_scale))
        total = 0.0
        for _, _, b in self.blocks(np.float64):
            total += float(np.einsum("ij,ij->", b, b))
        return total


# ------------------------------------------------------------------ block kernels
