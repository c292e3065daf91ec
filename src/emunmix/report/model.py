"""What a report holds: the run, its datasets and its steps, each with numbers and figures.

A :class:`Report` is plain data. :mod:`emunmix.report.html` renders it to one
self-contained page and :meth:`Report.to_summary` gives the same numbers for
``summary.json``; the sections are built in :mod:`emunmix.report.sections`.
"""

from __future__ import annotations

import base64
import io
import platform
import shlex
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .numbers import clean


@dataclass
class Figure:
    """A PNG image with its title and a sentence saying what it shows."""

    title: str
    png: bytes
    caption: str = ""

    @classmethod
    def from_matplotlib(cls, fig, title: str, caption: str = "", dpi: int = 80) -> Figure:
        """Render a matplotlib Figure (or Axes) to PNG and close it."""
        fig = getattr(fig, "figure", fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        return cls(title, buf.getvalue(), caption)

    def data_uri(self) -> str:
        """The image as a ``data:image/png;base64,...`` URI (no file, no network)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    """One step of a run: what was asked, what it took, what came out.

    Attributes
    ----------
    name : str
        The step, e.g. "decomposition".
    parameters : dict
        The arguments of the step (as called, defaults included).
    seconds : float or None
        Wall time of the step; None when it was not timed (results read from a file).
    results : dict
        Numbers and short texts the step produced.
    ground_truth : dict
        Scores against the synthetic datasets' ground truth (empty for other data).
    figures : list of Figure
    notes : list of str
        Sentences for the reader (how a score was computed, what was not possible).
    tables : dict
        Name -> list of row dicts, shown as tables (e.g. the scree values).
    timing_note : str, optional
        Why ``seconds`` is None (default text: computed before the report was asked for).
    call : str, optional
        The Python call that repeats the step (``s.decomposition(...)``).
    """

    name: str
    parameters: dict = field(default_factory=dict)
    seconds: float | None = None
    results: dict = field(default_factory=dict)
    ground_truth: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    timing_note: str | None = None
    call: str | None = None

    def cleaned(self) -> dict:
        """The section's numbers as ``summary.json`` holds them."""
        return {
            "name": self.name,
            "seconds": clean(self.seconds),
            "parameters": clean(self.parameters),
            "results": clean(self.results),
            "ground_truth": clean(self.ground_truth),
            "tables": clean(self.tables),
            "figures": [f.title for f in self.figures],
            "notes": list(self.notes),
            "timing_note": self.timing_note,
            "call": self.call,
        }


def _version() -> str:
    from emunmix import __version__

    return __version__


@dataclass
class Report:
    """A run report: datasets, steps, version and the command that reproduces it.

    Attributes
    ----------
    title : str
    command : str or None
        The shell command (or Python call) that reproduces the run.
    datasets : list of dict
        One summary per signal (see :func:`emunmix.report.dataset.describe_dataset`).
    sections : list of Section
    figures : list of Figure
        Overview figures of the datasets.
    """

    title: str
    command: str | None = None
    datasets: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(
        timespec="seconds"))
    version: str = field(default_factory=_version)
    environment: dict = field(default_factory=lambda: {
        "python": platform.python_version(), "platform": platform.platform(terse=True)})

    def add(self, section: Section) -> Section:
        """Append a step and return it."""
        self.sections.append(section)
        return section

    @property
    def total_seconds(self) -> float | None:
        """Sum of the timed steps (None if none was timed)."""
        times = [s.seconds for s in self.sections if s.seconds is not None]
        return sum(times) if times else None

    def _repr_html_(self) -> str:
        """In Jupyter, the page itself, in a frame (its styles stay its own)."""
        from html import escape

        from .html import render_html

        return (f'<iframe srcdoc="{escape(render_html(self), quote=True)}" title="'
                f'{escape(self.title)}" style="width:100%;height:640px;border:1px solid '
                '#d0d7de"></iframe>')

    def to_summary(self) -> dict:
        """Everything the page shows as numbers, as a JSON-ready dictionary."""
        return {
            "title": self.title,
            "emunmix_version": self.version,
            "created": self.created,
            "command": self.command,
            "environment": dict(self.environment),
            "total_seconds": clean(self.total_seconds),
            "datasets": clean(self.datasets),
            "steps": [s.cleaned() for s in self.sections],
            "figures": [f.title for f in self.figures],
        }


def command_line(argv=None) -> str:
    """The command that was run, quoted so that it can be pasted back into a shell."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return shlex.join(["emunmix", *argv])
