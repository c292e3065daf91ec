"""Decomposing rows given in another order than the pixels' (chunk order, see
:func:`~emunmix.learn.linalg.unfold.unfold_by_chunks`): the pixel-indexed inputs put into
that order before, the pixel-indexed results put back after."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from emunmix.learn.decomposition.components import Components
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.linalg.unfold import inverse_order
from emunmix.validation import check_mask


def check_row_order(row_order, m: int) -> np.ndarray:
    """``row_order`` as an int array, checked to be a permutation of ``range(m)``."""
    order = np.asarray(row_order)
    if (order.shape != (m,) or order.dtype.kind not in "iu"
            or not np.array_equal(np.sort(order), np.arange(m))):
        raise ValueError(f"row_order must be a permutation of the {m} rows of X")
    return order


def reorder_inputs(order, navigation_mask, navigation_shape, var_array):
    """The navigation mask (flat) and ``var_array`` rows in the order of ``X``'s rows."""
    m = order.size
    nav = check_mask(navigation_mask, m, "navigation_mask", navigation_shape)
    if var_array is not None:
        var_array = np.asarray(var_array)
        if var_array.ndim == 2 and var_array.shape[0] == m:
            var_array = var_array[order]
    return nav, (None if nav is None else nav[order]), var_array


class _ReorderedPending:
    """Deferred components whose loadings come in row order ``order``: put back."""

    def __init__(self, pending, order):
        self._pending = pending
        self._order = order
        self.n_remaining = pending.n_remaining

    def append_to(self, factors, loadings):
        F, L = self._pending.append_to(factors, loadings[self._order])
        out = np.empty_like(L)
        out[self._order] = L
        return F, out

    def __repr__(self) -> str:
        return f"<DeferredComponents (reordered rows): {self.n_remaining} components>"


def natural_order(out: DecompositionOutput, order, navigation_mask) -> DecompositionOutput:
    """``out`` (computed on rows ``X[order]``) with every pixel-indexed result in the
    natural pixel order; ``navigation_mask`` is the flat mask as the user gave it."""
    inv = inverse_order(order)
    F, L = out.components.computed()
    pending = out.components.pending
    components = Components(F, None if L is None else L[inv],
                            None if pending is None else _ReorderedPending(pending, order))
    mean = out.mean[inv] if out.centre == "signal" and out.mean is not None else out.mean
    sparse = out.sparse
    if sparse is not None:
        sparse = sparse[inv]
    return replace(out, components=components, mean=mean, sparse=sparse,
                   navigation_mask=navigation_mask)


__all__ = ["check_row_order", "natural_order", "reorder_inputs"]
