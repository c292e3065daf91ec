"""What the ``emunmix`` command promises whatever happens.

- Exit codes: 0 success, 1 a data or file error, 2 a usage error (argparse's
  convention), 130 interrupted (Ctrl-C, SIGINT), 143 terminated (SIGTERM); both
  remove the outputs the run had written.
- Errors are one line on stderr, ``emunmix: error: FILE: problem; fix``, in the
  command line's words (``--overwrite``, not ``overwrite=True``); the traceback only
  with ``--debug``.
- Every output (data files, figures, report folders) is checked before any work:
  existing without ``--overwrite``, a missing or unwritable folder, an extension no
  writer handles, two outputs with the same path.
- A command that fails or is interrupted after writing some outputs removes the
  ones it created (files that were there before and were replaced cannot come back).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import uuid
from pathlib import Path

from .exceptions import EmunmixError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130  # SIGTERM: 143


class CLIUsageError(EmunmixError, ValueError):
    """An option value the command line refuses after parsing (exit code 2)."""


# library words -> command-line words, for every command
_COMMON_HINTS = (
    (r"pass overwrite=True \(--overwrite\)", "use --overwrite"),
    (r"pass overwrite=True", "use --overwrite"),
    (r"overwrite=True", "--overwrite"),
    (r"\brandom_state\b", "--random-state"),
)
# per command: keyword arguments whose option has another name
_OPTION_NAMES = {
    "decompose": {"output_dimension": "--components", "algorithm": "--algorithm",
                  "spatial_smoothness": "--spatial-smoothness"},
    "denoise": {"output_dimension": "--components", "components=": "--components "},
    "bss": {"number_of_components=": "--components ", "number_of_components": "--components",
            "diff_order": "--diff-order",
            "decompose with a larger output_dimension": "decompose it first with more "
            "components (emunmix decompose --components N)"},
    "cluster": {"n_clusters": "--clusters", "number_of_components": "--components",
                "max_clusters": "--max-clusters", "preprocessing": "--preprocessing",
                "metric": "--metric"},
    "despike": {"threshold": "--threshold"},
    "align-zlp": {"also_align": "--also-align", "pass crop=False": "use --no-crop",
                  "crop=False": "--no-crop", "signal_range=(start, end)":
                  "--signal-range START END", "signal_range": "--signal-range",
                  "Widen signal_range or mask these pixels": "Widen --signal-range",
                  "with crop=True": "without --no-crop",
                  "(mask=...)": "(in Python: mask=...)",
                  "mask=... for bad spectra": "in Python mask=... for bad spectra"},
}


def cli_language(message: str, command: str | None = None) -> str:
    """``message`` (a library error) in the command line's words, on one line."""
    text = " ".join(str(message).split())
    for pattern, repl in _COMMON_HINTS:
        text = re.sub(pattern, repl, text)
    for name, option in _OPTION_NAMES.get(command or "", {}).items():
        tail = "" if not name[-1].isalnum() and name[-1] != "_" else r"(?![\w(])"
        head = r"(?<![\w.-])" if name[0].isalnum() or name[0] == "_" else ""
        text = re.sub(rf"{head}{re.escape(name)}{tail}", option, text)
    return text


# -- outputs --------------------------------------------------------------------------

def _writable_folder(folder: Path, what: str, option: str) -> None:
    """Refuse a folder that is missing, not a folder, or where no file can be created."""
    if not folder.exists():
        raise FileNotFoundError(
            f"folder {os.fspath(folder)!r} does not exist (for the {what}); create it first "
            f"(mkdir -p {os.fspath(folder)}) or choose another path with {option}")
    if not folder.is_dir():
        raise NotADirectoryError(
            f"{os.fspath(folder)!r} is a file, not a folder (for the {what}); choose "
            f"another path with {option}")
    try:  # the only check that also holds for root, read-only mounts and ACLs
        fd, probe = tempfile.mkstemp(prefix=".emunmix-probe-", dir=folder)
    except OSError as err:
        raise PermissionError(
            f"cannot write in folder {os.fspath(folder)!r} (for the {what}): "
            f"{err.strerror or err}; choose another path with {option}") from None
    os.close(fd)
    os.unlink(probe)


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _writable_extensions(kind: str) -> list[str] | None:
    """Extensions a data file ("data") or a figure ("figure") can have; None: any."""
    if kind == "data":
        from .io_readers import supported_extensions

        return supported_extensions(writes=True)
    if kind == "figure":
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        return sorted(FigureCanvasAgg(Figure()).get_supported_filetypes())
    return None


class Outputs:
    """The outputs of one command: checked together first, written, removed on failure.

    Parameters
    ----------
    overwrite : bool
        The command's ``--overwrite``.
    """

    def __init__(self, overwrite: bool = False):
        self.overwrite = bool(overwrite)
        self._created: list[Path] = []  # written by this run where nothing was before
        self.current_input = None  # the input being read or processed, named in errors
        self.cleanups: list = []  # called before an error is reported (progress bars)

    def check_file(self, path, what: str = "output file", option: str = "--out",
                   kind: str = "data") -> Path:
        """Refuse ``path`` before any work (see the module docstring); return it."""
        path = Path(path)
        if path.is_dir() and path.suffix.lower() != ".zspy":
            raise IsADirectoryError(
                f"{os.fspath(path)!r} is a folder, not a file ({what}); choose a file "
                f"name with {option}")
        if path.exists() and not self.overwrite:
            raise FileExistsError(
                f"{os.fspath(path)!r} already exists ({what}); use --overwrite to replace "
                f"it, or choose another path with {option}")
        ext = path.suffix.lower().lstrip(".")
        allowed = _writable_extensions(kind)
        if allowed is not None and ext not in allowed:
            kind_of = f".{ext} files" if ext else "files without an extension"
            raise CLIUsageError(
                f"{os.fspath(path)!r}: cannot write {kind_of} ({what}); give a name "
                f"ending in one of .{', .'.join(allowed)}")
        _writable_folder(path.absolute().parent, what, option)
        return path

    def check_folder(self, path, what: str, option: str) -> Path:
        """A folder that will be created if needed: its nearest existing parent must be
        a writable folder."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(
                f"{os.fspath(path)!r} is a file, not a folder ({what}); choose another "
                f"path with {option}")
        _writable_folder(_nearest_existing(path), what, option)
        return path

    def make_folder(self, path) -> Path:
        """Create folder ``path`` (and parents) if needed; removed by :meth:`rollback`
        when this run created it."""
        path = Path(path)
        missing = [p for p in [path, *path.parents] if not p.exists()]
        path.mkdir(parents=True, exist_ok=True)
        if missing:
            self._created.insert(0, missing[-1])  # the top one, removed last
        return path

    @staticmethod
    def check_distinct(paths) -> None:
        """Refuse two outputs (or an output and an input) that are the same file."""
        seen = {}
        for p, what in paths:
            key = os.path.abspath(os.fspath(p))
            if key in seen:
                raise CLIUsageError(
                    f"{os.fspath(p)!r} is both the {seen[key]} and the {what}; give "
                    "different paths")
            seen[key] = what

    def _written(self, path: Path, existed: bool) -> None:
        if not existed:
            self._created.append(path)

    def save(self, signal, path) -> Path:
        """``signal.save(path)`` (atomic), remembered for :meth:`rollback`."""
        path = Path(path)
        existed = path.exists()
        self.current_input = None  # a save error names the output, not the input
        signal.save(path, overwrite=self.overwrite)
        self._written(path, existed)
        return path

    def savefig(self, figure, path, dpi: int = 100) -> Path:
        """Write a figure atomically (a hidden temporary beside it, then renamed)."""
        path = Path(path)
        existed = path.exists()
        self.current_input = None
        tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}{path.suffix}")
        try:
            figure.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".").lower() or None)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self._written(path, existed)
        return path

    def rollback(self) -> list[Path]:
        """Remove what this run created (after a failure or Ctrl-C); return those paths."""
        import shutil

        for close in self.cleanups:
            close()
        removed = []
        for p in reversed(self._created):
            try:
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
                removed.append(p)
            except OSError:
                pass
        self._created.clear()
        return removed


# -- inputs -----------------------------------------------------------------------

def require_signal(s, path, command: str, signal_dimension: int | None = None,
                   signal_type: str | None = None, real: bool = True) -> None:
    """Refuse a loaded signal a command cannot work on, naming the file and the fix."""
    name = os.fspath(path)
    dtype = s.data.dtype
    if real and dtype.kind == "c":
        raise TypeError(
            f"{name!r} holds complex data ({dtype}); {command} needs real values: save the "
            "amplitude or the real part as a new file first (in Python: "
            "abs(s).save(...) or s.real.save(...))")
    if real and dtype.kind not in "biuf":
        raise TypeError(f"{name!r} holds data of type {dtype}; {command} needs numbers")
    am = s.axes_manager
    if signal_dimension is not None and am.signal_dimension != signal_dimension:
        raise ValueError(
            f"{name!r} holds a {type(s).__name__} with {am.signal_dimension} signal "
            f"axes {am._signature()}; {command} needs spectra (one signal axis): "
            "save it with one signal axis first (in Python: s.as_signal1D(-1).save(...))")
    if signal_type is not None:
        have = s.metadata.get_item("Signal.signal_type", "") or ""
        if have.upper() != signal_type.upper():
            raise ValueError(
                f"{name!r} holds a {type(s).__name__} (signal type {have!r}), not "
                f"{signal_type} data; {command} needs {signal_type} spectra. If it is "
                f"{signal_type}, set its type and save it again (in Python: "
                f"s.set_signal_type({signal_type!r}); s.save('new_name.hspy'))")


# -- running a command ---------------------------------------------------------------

def _first_line_error(err: BaseException, args) -> str:
    command = getattr(args, "command", None)
    text = cli_language(str(err), command) or type(err).__name__
    if isinstance(err, OSError) and err.filename and os.fspath(err.filename) not in text:
        text = f"{os.fspath(err.filename)!r}: {text}"
    outputs = getattr(args, "outputs", None)
    if isinstance(err, FileNotFoundError) and ";" not in text:
        text += "; check the file name and the folder"
    if isinstance(err, IsADirectoryError) and ";" not in text:
        text += "; give the path of a file"
    source = getattr(outputs, "current_input", None)
    if source and os.fspath(source) not in text and not isinstance(err, FileExistsError):
        text = f"{os.fspath(source)!r}: {text}"
    expected = (EmunmixError, ValueError, TypeError, OSError, ImportError,
                NotImplementedError, MemoryError, KeyError, IndexError, RuntimeError)
    if not isinstance(err, expected):
        text = (f"unexpected {type(err).__name__}: {text} (rerun with --debug for the "
                "traceback, and report it)")
    return text


def _warning_line(command):
    """``warnings.showwarning`` for the command line: one ``emunmix: warning:`` line."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"emunmix: warning: {cli_language(str(message), command)}",
              file=file or sys.stderr)

    return show


class _Interrupts:
    """SIGINT (Ctrl-C) and SIGTERM raise KeyboardInterrupt, so that every ``finally``
    cleans up (temporary files, outputs of this run), and are also remembered: Python
    drops a KeyboardInterrupt raised inside a finaliser or weakref callback
    ("Exception ignored in ..."), and a remembered signal still ends the command with
    128 + its number (130, 143)."""

    def __init__(self):
        self.signum = None
        self._previous = {}

    @property
    def seen(self) -> bool:
        return self.signum is not None

    def _handler(self, signum, frame):
        self.signum = self.signum or signum
        raise KeyboardInterrupt

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handler)
        self._hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        return self

    def _unraisable(self, unraisable) -> None:
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):  # ours: remembered
            self._hook(unraisable)

    def ignore(self) -> None:
        """No more interrupts: the clean-up after the first one must finish."""
        import signal

        for sig in self._previous:
            signal.signal(sig, signal.SIG_IGN)

    def __exit__(self, *exc):
        import signal

        sys.unraisablehook = self._hook
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}


def _interrupted(outputs, interrupts) -> int:
    import signal

    interrupts.ignore()
    removed = outputs.rollback() if outputs is not None else []
    note = f"; removed the {len(removed)} output(s) it had written" if removed else ""
    signum = interrupts.signum or signal.SIGINT
    what = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted"
    print(f"emunmix: {what}{note}", file=sys.stderr)
    return EXIT_INTERRUPTED if signum == signal.SIGINT else 128 + int(signum)


def run_command(args) -> int:
    """Run ``args.func(args)`` with the exit codes and messages of the module docstring."""
    import warnings

    outputs = getattr(args, "outputs", None)
    debug = bool(getattr(args, "debug", False))
    shown = warnings.showwarning
    if not debug:  # warnings in the command line's words too, one line each
        warnings.showwarning = _warning_line(getattr(args, "command", None))
    interrupts = _Interrupts()
    try:
        with interrupts:
            code = int(args.func(args) or 0)
            if interrupts.seen:  # a Ctrl-C that Python swallowed on the way
                return _interrupted(outputs, interrupts)
            return code
    except KeyboardInterrupt:
        if debug:
            raise
        with interrupts:
            return _interrupted(outputs, interrupts)
    except BrokenPipeError:  # `emunmix info f | head`: the reader left; not an error
        try:  # so that Python's own flush at exit does not complain again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # a stdout without a file descriptor
            pass
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the one place that turns errors into codes
        if interrupts.seen and not debug:
            # C code that calls back into Python (ARPACK, ...) turns a KeyboardInterrupt
            # into its own error ("initialization failed"): the cause was the signal
            with interrupts:
                return _interrupted(outputs, interrupts)
        removed = outputs.rollback() if outputs is not None else []
        if debug:
            raise
        note = (f" (removed the {len(removed)} output(s) this run had written)"
                if removed else "")
        print(f"emunmix: error: {_first_line_error(err, args)}{note}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, CLIUsageError) else EXIT_ERROR
    finally:
        warnings.showwarning = shown
