"""Histogram and summary statistics of a signal's values, as HyperSpy 2.5.

Non-finite values (NaN, inf) are left out of both, so that one bad pixel does not
make the histogram fail or the statistics NaN.
"""

from __future__ import annotations

import warnings

import numpy as np

from .types import class_for

_STR_BINS = ("fd", "scott", "sturges", "doane", "stone", "rice", "sqrt", "auto")


class StatisticsMixin:
    """HyperSpy's ``get_histogram`` and ``print_summary_statistics``."""

    def _finite_values(self) -> np.ndarray:
        values = np.asarray(self.data.compute() if self._lazy else self.data).ravel()
        if values.dtype.kind == "c":
            raise TypeError("the values of a complex signal have no order: take "
                            "s.real, s.imag, s.amplitude or s.phase first")
        values = values[np.isfinite(values)]
        if not values.size:
            raise ValueError("the signal has no finite values to summarise")
        return values

    def get_histogram(self, bins="fd", range_bins=None, max_num_bins=250, out=None,
                      **kwargs):
        """The histogram of the signal's values as a Signal1D.

        Parameters
        ----------
        bins : str, int or sequence
            A numpy rule ("fd", "scott", "sturges", ...), a number of bins, or
            uniform bin edges.
        range_bins : (float, float), optional
            The range of the bins (default: the data's range).
        max_num_bins : int
            A rule giving more bins is capped to this many (with a warning).
        out : Signal1D, optional
            A signal to write the histogram into (its data and axis replaced).
        **kwargs
            Passed to :func:`numpy.histogram` (``weights``, ``density``).

        Returns
        -------
        Signal1D or None
            Counts per bin, title "<title> histogram", axis "value" calibrated to
            the bin starts (None when ``out`` is given).
        """
        from .axes import AxesManager

        values = self._finite_values()
        if isinstance(bins, str):
            if bins not in _STR_BINS:
                raise ValueError(f"bins={bins!r} is not a rule numpy knows; use one of "
                                 f"{_STR_BINS}, a number of bins or bin edges")
            edges = np.histogram_bin_edges(values, bins=bins, range=range_bins)
            if len(edges) - 1 > max_num_bins:
                warnings.warn(f"bins={bins!r} gives {len(edges) - 1} bins; capped to "
                              f"max_num_bins={max_num_bins}", UserWarning, stacklevel=2)
                edges = np.histogram_bin_edges(values, bins=max_num_bins, range=range_bins)
            bins = edges
        counts, edges = np.histogram(values, bins=bins, range=range_bins, **kwargs)
        widths = np.diff(edges)
        if not np.allclose(widths, widths[0], rtol=1e-9, atol=0):
            raise ValueError("bin edges must be uniform: the histogram's axis is "
                             "calibrated by offset and scale")
        title = f"{self.metadata.get_item('General.title', '')} histogram"
        axis = {"name": "value", "offset": float(edges[0]), "scale": float(widths[0]),
                "units": self.metadata.get_item("Signal.quantity", "<undefined>"),
                "navigate": False, "size": counts.size}
        meta = {"General": {"title": title}, "Signal": {"signal_type": "",
                                                        "quantity": "Count"}}
        if out is None:
            return class_for("", 1, False)(counts, axes=[axis], metadata=meta)
        out._data, out.axes_manager = counts, AxesManager([axis])
        out.metadata.set_item("General.title", title)
        out.metadata.set_item("Signal.quantity", "Count")
        return None

    def _summary_statistics(self) -> dict[str, float]:
        v = self._finite_values()
        q1, med, q3 = np.percentile(v, [25, 50, 75])
        return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
                "Q1": float(q1), "median": float(med), "Q3": float(q3),
                "max": float(v.max())}

    def print_summary_statistics(self, formatter="%.3g", rechunk=False) -> None:
        """Print the mean, std, min, quartiles, median and max of the finite values.

        Parameters
        ----------
        formatter : str
            A %-format for the values.
        rechunk : bool
            Accepted for HyperSpy compatibility (lazy data are computed once).
        """
        stats = self._summary_statistics()
        rows = ["Summary statistics", "+--------------+------------+",
                "|    Statistic |      Value |", "+--------------+------------+"]
        rows += [f"| {k:>12} | {formatter % v:>10} |" for k, v in stats.items()]
        rows.append("+--------------+------------+")
        print("\n".join(rows))
