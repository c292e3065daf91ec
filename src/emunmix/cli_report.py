"""The CLI's reports: ``emunmix report FILE`` and the ``--report DIR`` option of the
processing commands (``demo``, ``decompose``, ``bss``, ``denoise``, ``align-zlp``,
``despike``; a new command adds the option with :func:`add_report_option` and fills a
:func:`command_report`)."""

from __future__ import annotations

import argparse

REPORT_HELP = ("write an HTML report (report.html, figures embedded) and summary.json "
               "of this run to folder DIR")


def add_report_option(p: argparse.ArgumentParser) -> None:
    """Add ``--report DIR`` to a command's parser."""
    p.add_argument("--report", default=None, metavar="DIR", help=REPORT_HELP)


def check_report_option(args: argparse.Namespace) -> None:
    """Refuse a ``--report`` that could not be written, before any work."""
    path = getattr(args, "report", None)
    if path is None:
        return
    from .report.writer import check_free, report_paths

    try:
        check_free(path, bool(getattr(args, "overwrite", False)))
        page, _ = report_paths(path)
    except ValueError as err:
        raise FileExistsError(str(err)) from None
    args.outputs.check_folder(page.parent, "report", "--report")


def command_report(args: argparse.Namespace, title: str):
    """The :class:`~emunmix.report.run.RunReport` of a command (inactive without --report)."""
    from .report import command_line
    from .report.run import RunReport

    return RunReport(getattr(args, "report", None), title,
                     command=command_line(getattr(args, "argv", None)),
                     overwrite=bool(getattr(args, "overwrite", False)))


def _cmd_report(args: argparse.Namespace) -> int:
    from .io import load
    from .report import add_dataset, learning_report, write_report
    from .report.writer import check_free, report_paths

    check_free(args.out, args.overwrite)
    args.outputs.check_folder(report_paths(args.out)[0].parent, "report", "--out")
    args.outputs.current_input = args.file
    try:  # lazily: statistics and overview reduce chunk by chunk, so any size fits
        signals = load(args.file, lazy=True)
    except NotImplementedError:  # a reader without a lazy mode reads whole files only
        signals = load(args.file)
    signals = signals if isinstance(signals, list) else [signals]
    from .report import command_line

    report = learning_report(signals[0], source=args.file,
                             command=command_line(getattr(args, "argv", None)),
                             ground_truth=not args.no_ground_truth)
    for s in signals[1:]:
        add_dataset(report, s, source=args.file)
    page = write_report(report, args.out, overwrite=args.overwrite)
    print(f"wrote {page} (and summary.json)")
    return 0


def add_report_command(sub) -> None:
    """Register ``emunmix report``."""
    p = sub.add_parser("report", help="HTML report of a file: data summary and stored results",
                       description="Write a self-contained HTML page (figures embedded, no "
                       "network needed) and summary.json describing a file: shape, axes, "
                       "calibration, metadata, an overview figure, and its stored "
                       "decomposition and BSS results (scree plot with the elbow, factors "
                       "and loadings), scored against the ground truth for the built-in "
                       "synthetic datasets. To report a processing run as it happens, give "
                       "that command --report DIR.")
    p.add_argument("file", help="any file RosettaSciIO reads (.hspy, .zspy, .dm4, ...)")
    p.add_argument("--out", default="report", metavar="DIR",
                   help="folder for report.html and summary.json (default: ./report)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing report")
    p.add_argument("--no-ground-truth", action="store_true",
                   help="do not compare with the synthetic datasets' ground truth")
    p.set_defaults(func=_cmd_report)
