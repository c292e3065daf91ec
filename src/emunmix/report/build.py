"""Assemble reports: the datasets part for any signals, and a report of a signal's
stored learning results (what ``emunmix report FILE`` and ``hs.report(s)`` show)."""

from __future__ import annotations

from .cluster_section import cluster_section
from .dataset import describe_dataset, identify_synthetic, overview_arrays
from .model import Figure, Report
from .sections import bss_section, decomposition_section


def add_dataset(report: Report, signal, source=None, label=None, overview: bool = True):
    """Append a signal's summary (and its overview figure) to ``report``."""
    report.datasets.append(describe_dataset(signal, source=source, label=label))
    am = signal.axes_manager
    if overview and am.signal_dimension == 1:
        from emunmix.plot.report_figures import dataset_overview

        title = report.datasets[-1]["title"] + (f" ({label})" if label else "")
        mean, total = overview_arrays(signal)
        report.figures.append(Figure.from_matplotlib(
            dataset_overview(mean, total, am.navigation_axes, am.signal_axes[0], title),
            f"Overview of {title}",
            "Mean spectrum and total intensity per pixel."))


def learning_report(signal=None, learning_results=None, title=None, command=None,
                    source=None, ground_truth: bool = True) -> Report:
    """A report of stored decomposition and BSS results (untimed: they were read, not run).

    Parameters
    ----------
    signal : BaseSignal, optional
        Gives the dataset summary, calibrated axes and the ground-truth check.
    learning_results : LearningResults, optional
        Default: ``signal.learning_results``.
    title, command, source : str, optional
        Page title, reproducing command and the file the data came from.
    ground_truth : bool
        Score against the synthetic datasets when the signal is one of them.
    """
    lr = learning_results if learning_results is not None else getattr(
        signal, "learning_results", None)
    if signal is None and lr is None:
        raise ValueError("give a signal or learning results to report on")
    name = signal.metadata.get_item("General.title", "") if signal is not None else ""
    report = Report(title or f"emunmix report{': ' + name if name else ''}", command=command)
    identity = None
    if signal is not None:
        add_dataset(report, signal, source=source, label="input")
        if ground_truth:
            identity = identify_synthetic(signal)
    if lr is not None and lr.n_components is not None:
        report.add(decomposition_section(lr, signal, identity=identity))
        if lr.bss_factors is not None:
            report.add(bss_section(lr, signal, identity=identity))
    if lr is not None and getattr(lr, "cluster_labels", None) is not None:
        report.add(cluster_section(lr, signal))
    if (lr is None or (lr.n_components is None and getattr(lr, "cluster_labels", None) is None)) \
            and signal is not None:
        report.datasets[-1]["learning results"] = "none"
    return report
