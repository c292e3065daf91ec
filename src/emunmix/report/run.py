"""A report filled step by step while a run goes (the CLI commands, the demo)."""

from __future__ import annotations

from .model import Report
from .writer import check_free


class RunReport:
    """A report filled as a run's steps go; with ``path`` None it does nothing (and costs
    nothing), so a command or script can call it unconditionally.

    Parameters
    ----------
    path : str, Path or None
        Where :meth:`write` puts report.html and summary.json; None: no report.
    title : str
    command : str, optional
        The command that reproduces the run.
    overwrite : bool
        Replace an existing report; without it an existing one is an error raised here,
        before any work, so that a run never fails at its very end.
    """

    def __init__(self, path, title: str, command=None, overwrite: bool = False):
        self.path = path
        self.overwrite = bool(overwrite)
        self.active = path is not None
        if self.active:
            check_free(path, self.overwrite)
        self.report = Report(title, command=command)
        self._identity = {}

    def dataset(self, signal, source=None, label="input", overview: bool = True) -> None:
        """Add a signal's summary (and its overview figure)."""
        if self.active:
            from .build import add_dataset

            add_dataset(self.report, signal, source=source, label=label, overview=overview)

    def identity(self, signal):
        """The synthetic dataset ``signal`` is, or None (checked once per signal)."""
        from .dataset import identify_synthetic

        key = id(signal)
        if key not in self._identity:
            self._identity[key] = identify_synthetic(signal)
        return self._identity[key]

    def step(self, name: str, seconds=None, **parameters) -> None:
        """Add a plain step (load, save) with its parameters and time."""
        if self.active:
            from .model import Section

            self.report.add(Section(name, parameters=parameters, seconds=seconds))

    def add(self, make_section, *args, **kwargs) -> None:
        """Add ``make_section(*args, **kwargs)`` (called only when reporting)."""
        if self.active:
            self.report.add(make_section(*args, **kwargs))

    def write(self) -> None:
        """Write the page and summary and say where."""
        if self.active:
            from .writer import write_report

            page = write_report(self.report, self.path, overwrite=self.overwrite)
            print(f"wrote {page.resolve()} (and summary.json)")
