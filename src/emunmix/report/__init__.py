"""HTML run reports: one self-contained page and ``summary.json`` per run.

>>> import emunmix.api as hs
>>> s = hs.datasets.CL1()  # doctest: +SKIP
>>> s.decomposition(True)  # doctest: +SKIP
>>> hs.report(s, "report/")  # doctest: +SKIP
PosixPath('report/report.html')

The page holds the dataset summary (shape, axes, calibration, metadata), each step's
parameters, timing, results and figures (scree plot with the elbow, factors and
loadings, before/after views), scores against the ground truth for the built-in
synthetic datasets, the emunmix version and the command that reproduces the run.
Figures are embedded as PNG, so the page needs no network and no other file.
"""

from __future__ import annotations

from .build import add_dataset, learning_report
from .model import Figure, Report, Section, command_line
from .writer import write_report

__all__ = ["Figure", "Report", "Section", "add_dataset", "command_line", "learning_report",
           "report", "write_report"]


def report(signal, path=None, *, title=None, command=None, overwrite=False,
           ground_truth=True):
    """Report on a signal and its learning results; write it when ``path`` is given.

    Parameters
    ----------
    signal : BaseSignal
        The data; its ``learning_results`` (decomposition, BSS) are reported too.
    path : str or Path, optional
        A folder for ``report.html`` and ``summary.json`` (or a ``.html`` path).
    title : str, optional
        Page title (default: from the signal's title).
    command : str, optional
        How to reproduce the results, shown on the page.
    overwrite : bool
        Replace an existing report at ``path``.
    ground_truth : bool
        Score against the ground truth when the signal is a built-in synthetic dataset.

    Returns
    -------
    Path or Report
        The page's path when ``path`` is given, else the :class:`Report` (write it with
        :func:`write_report`).

    Examples
    --------
    >>> import emunmix.api as hs
    >>> s = hs.datasets.CL1()
    >>> s.decomposition(True, print_info=False)
    >>> r = hs.report(s)
    >>> [step.name for step in r.sections]
    ['decomposition']
    """
    rep = learning_report(signal, title=title, command=command, ground_truth=ground_truth)
    return rep if path is None else write_report(rep, path, overwrite=overwrite)
