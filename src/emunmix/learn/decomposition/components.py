"""The one owner of a decomposition's factors and loadings, deferred ones included.

After an SVD of all components only the first few may be computed at first (the rest
wait in a :class:`~emunmix.learn.decomposition.finish.DeferredComponents`). Everything
that reads or edits components goes through :class:`Components`, so no other code needs
to know whether some are still pending: :meth:`Components.first` reads the first ``n``
(computing the rest only when ``n`` reaches them), :meth:`Components.all` and the
``factors``/``loadings`` properties read all of them, :meth:`Components.settle` computes
the pending ones now.
"""

from __future__ import annotations

import copy as _copy

import numpy as np


class Components:
    """Factors (channels, k) and loadings (pixels, k), possibly with pending components.

    Parameters
    ----------
    factors, loadings : ndarray or None
        The components computed so far (loadings may be None: factors-only results).
    pending : DeferredComponents or None
        Computes the remaining components from the decomposed data.

    Notes
    -----
    Until settled, it keeps a reference to the decomposed data. A deep copy or a pickle
    settles first, so it never shares pending work (or that reference) with its original.
    """

    def __init__(self, factors=None, loadings=None, pending=None):
        self._factors = factors
        self._loadings = loadings
        self.pending = pending

    @property
    def n(self) -> int | None:
        """Number of components, pending ones included (None: no components)."""
        if self._factors is None:
            return None
        return self._factors.shape[1] + (0 if self.pending is None else self.pending.n_remaining)

    @property
    def n_computed(self) -> int:
        """Number of components computed so far."""
        return 0 if self._factors is None else self._factors.shape[1]

    def first(self, n: int):
        """``(factors[:, :n], loadings[:, :n])``, computing pending ones only if needed."""
        if self._factors is None or n > self._factors.shape[1]:
            self.settle()
        F, L = self._factors, self._loadings
        return (None if F is None else F[:, :n]), (None if L is None else L[:, :n])

    def settle(self) -> None:
        """Compute the pending components now (no-op without any)."""
        if self.pending is None:
            return
        self._factors, self._loadings = self.pending.append_to(self._factors, self._loadings)
        self.pending = None

    def all(self):
        """``(factors, loadings)`` of all components."""
        self.settle()
        return self._factors, self._loadings

    def computed(self):
        """``(factors, loadings)`` computed so far, without computing anything."""
        return self._factors, self._loadings

    def drop_pending(self) -> None:
        """Forget the pending components (keep the computed ones only)."""
        self.pending = None

    @property
    def factors(self):
        return self.all()[0]

    @factors.setter
    def factors(self, value):
        self.settle()  # a replacement must not be extended later
        self._factors = value

    @property
    def loadings(self):
        return self.all()[1]

    @loadings.setter
    def loadings(self, value):
        self.settle()
        self._loadings = value

    def flip(self, ids) -> None:
        """Flip the signs of components ``ids`` (computing pending ones only if reached)."""
        ids = np.asarray(ids, dtype=int).ravel()
        if ids.size == 0:
            return
        self.first(int(ids.max()) + 1)
        sign = np.ones(self._factors.shape[1])
        sign[ids] = -1
        self._factors = self._factors * sign.astype(self._factors.dtype)
        if self._loadings is not None:
            self._loadings = self._loadings * sign.astype(self._loadings.dtype)

    def __deepcopy__(self, memo):
        self.settle()
        new = Components(_copy.deepcopy(self._factors, memo),
                         _copy.deepcopy(self._loadings, memo))
        memo[id(self)] = new
        return new

    def __getstate__(self):
        self.settle()  # a pickle must not depend on the live data
        return {"_factors": self._factors, "_loadings": self._loadings, "pending": None}

    def __repr__(self) -> str:
        pending = 0 if self.pending is None else self.pending.n_remaining
        return f"<Components: {self.n_computed} computed, {pending} pending>"
