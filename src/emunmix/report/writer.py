"""Write a report: ``report.html`` and ``summary.json``, atomically, never over a file
unless asked."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .html import render_html

HTML_NAME = "report.html"
JSON_NAME = "summary.json"


def report_paths(path) -> tuple[Path, Path]:
    """(page, summary) for ``path``: a folder, or a ``.html`` file (summary.json beside it)."""
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        return path, path.with_name(JSON_NAME)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{os.fspath(path)!r} is a file: give a folder for the report "
                         "(report.html and summary.json go in it), or a path ending in .html")
    return path / HTML_NAME, path / JSON_NAME


def check_free(path, overwrite: bool = False) -> None:
    """Raise before any work when a report at ``path`` exists and ``overwrite`` is False."""
    page, summary = report_paths(path)
    existing = [p for p in (page, summary) if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{os.fspath(existing[0])!r} already exists; pass "
                              "overwrite=True (--overwrite) to replace it, or choose another "
                              "folder")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary(tmp: Path, text: str) -> None:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    with os.fdopen(fd, "w", encoding="utf-8") as f:  # a report is for sharing: not 0600
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def write_report(report, path, overwrite: bool = False) -> Path:
    """Write ``report`` as an HTML page and ``summary.json``; return the page's path.

    Parameters
    ----------
    report : Report
    path : str or Path
        A folder (created if needed) that receives ``report.html`` and ``summary.json``,
        or the path of the page itself (``.html``), summary.json going beside it.
    overwrite : bool
        Replace existing report files; without it an existing one is an error and
        nothing is written.

    Raises
    ------
    FileExistsError
        A page or summary is already there and ``overwrite`` is False.
    """
    check_free(path, overwrite)
    page, summary = report_paths(path)
    page.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(report)
    text = json.dumps(report.to_summary(), indent=2, allow_nan=False) + "\n"
    from emunmix.io_atomic import StagedWrites

    with StagedWrites(page.parent) as batch:  # both or neither; temporaries always removed
        _temporary(batch.stage(summary), text)
        _temporary(batch.stage(page), html)
        batch.commit()
    return page
