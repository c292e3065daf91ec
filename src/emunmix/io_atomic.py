"""Atomic writes: files staged under hidden names beside their targets, renamed in at the
end, removed on every exit path Python can catch, swept on the next write when it could not.

A staged entry is named ``.NAME.tmp-PID-XXXXXXXX`` (``.NAME.old-PID-XXXXXXXX`` for the
previous version of a folder being replaced), so a later write to the same folder can
tell whose it is: an entry of a process that is no longer running (or of an earlier
process that had the same PID) is stale and is removed, while one of a save in progress
is left alone. A stale ``.old-`` entry whose target is missing is the only copy left of
a folder replaced when the process died: it is put back instead of being removed.

While a :class:`StagedWrites` is open in the main thread, SIGINT and SIGTERM raise in
Python (Ctrl-C as KeyboardInterrupt, SIGTERM as :class:`SaveInterrupted`); the staged
entries are removed, the previous handlers restored, and a SIGTERM is then delivered
again so that the process ends the way its owner asked.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import threading
import uuid
from pathlib import Path

from .exceptions import SaveInterrupted

_ENTRY = re.compile(r"^\.(?P<name>.+)\.(?P<tag>tmp|old)-(?P<pid>\d+)-(?P<key>[0-9a-f]{8})$")
_ACTIVE: set[str] = set()  # staged entries of this process's writes in progress
_LOCK = threading.Lock()


_NAME_MAX = 255  # bytes of a file name on common file systems


def staged_name(target: Path, tag: str = "tmp") -> Path:
    """A fresh hidden name beside ``target`` that says which process made it (a name
    too long to carry the suffix is shortened, marked with ``~`` and a hash of it)."""
    base, suffix = target.name, f".{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if len(os.fsencode(f".{base}{suffix}")) > _NAME_MAX:
        import hashlib

        digest = hashlib.sha1(os.fsencode(base)).hexdigest()[:8]
        base = os.fsdecode(os.fsencode(base)[:150]).rstrip("\ufffd") + f"~{digest}"
    return target.with_name(f".{base}{suffix}")


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), None if unknown."""
    try:
        import psutil  # a dependency of dask.distributed

        return psutil.Process(pid).create_time()
    except Exception:  # noqa: BLE001 - no psutil or no such process: unknown
        return None


def _pid_running(pid: int) -> bool:
    try:
        import psutil

        return psutil.pid_exists(pid)
    except ImportError:
        pass
    if os.name == "nt":  # os.kill would end the process there: never guess
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def is_stale(entry: Path) -> bool:
    """Whether ``entry`` (a staged name) was left by a write that is no longer running."""
    m = _ENTRY.match(entry.name)
    if m is None:
        return False
    pid = int(m["pid"])
    if pid == os.getpid():
        with _LOCK:
            return os.fspath(entry) not in _ACTIVE
    if not _pid_running(pid):
        return True
    started = _process_start(pid)
    try:
        made = entry.lstat().st_mtime
    except FileNotFoundError:
        return False
    # a running process with that PID that started after the entry was last written
    # cannot be its owner (the PID was reused); 1 s of slack for coarse clocks
    return started is not None and made < started - 1.0


def sweep(folder: Path) -> list[Path]:
    """Remove the stale staged entries in ``folder`` (restore a lost ``.old-`` folder);
    return what was removed or restored. Never raises: sweeping is a courtesy."""
    done = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return done
    for entry in entries:
        m = _ENTRY.match(entry.name)
        if m is None or not is_stale(entry):
            continue
        target = entry.with_name(m["name"])
        try:
            if m["tag"] == "old" and not os.path.lexists(target):
                if re.search(r"~[0-9a-f]{8}$", m["name"]):
                    continue  # its target's full name is unknown: never delete a last copy
                os.replace(entry, target)  # the only copy left of the replaced folder
            else:
                remove(entry)
            done.append(entry)
        except OSError:
            continue
    return done


def folder_error(path: Path, err: OSError) -> OSError:
    """The error of a write the folder refused, saying what to do."""
    if getattr(err, "emunmix_explained", False):
        return err
    where = os.fspath(path.parent)
    new = err
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        free = shutil.disk_usage(where).free / 2**20 if os.path.isdir(where) else 0.0
        new = OSError(err.errno, f"no space left on the device of {where!r} while "
                      f"saving {path.name!r} ({free:.1f} MiB free); free some space or "
                      "save elsewhere. Nothing was written or replaced")
    elif err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        kind = "is on a read-only file system" if err.errno == errno.EROFS else \
            "is not writable by you"
        new = PermissionError(err.errno, f"cannot save {path.name!r}: the folder {where!r} "
                              f"{kind}; save elsewhere or change its permissions")
    new.emunmix_explained = True
    return new


def remove(path: Path) -> None:
    """Remove a file or folder if present (no error if it is not)."""
    if not os.path.lexists(path):
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def replace(staged: Path, target: Path) -> None:
    """Rename ``staged`` onto ``target`` (folders too: .zspy is a folder)."""
    if staged.is_dir() and target.exists():
        backup = staged_name(target, "old")
        _register(backup)
        try:
            os.replace(target, backup)
            try:
                os.replace(staged, target)
            except BaseException:
                os.replace(backup, target)
                raise
            remove(backup)
        finally:
            _unregister(backup)
    else:
        os.replace(staged, target)


def _register(path: Path) -> None:
    with _LOCK:
        _ACTIVE.add(os.fspath(path))


def _unregister(path: Path) -> None:
    with _LOCK:
        _ACTIVE.discard(os.fspath(path))


class _SignalGuard:
    """SIGINT/SIGTERM raise in Python while a write is in progress (main thread only)."""

    def __init__(self):
        self.previous: dict[int, object] = {}
        self.terminated = False

    def _on_term(self, signum, frame):
        self.terminated = True
        raise SaveInterrupted(f"the save was interrupted by signal {signum} (SIGTERM); "
                              "no file was written or replaced")

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        handlers = {signal.SIGTERM: self._on_term, signal.SIGINT: signal.default_int_handler}
        for signum, handler in handlers.items():
            current = signal.getsignal(signum)
            if current in (signal.SIG_DFL, signal.default_int_handler):  # not the user's own
                self.previous[signum] = current
                signal.signal(signum, handler)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        if self.terminated and self.previous.get(signal.SIGTERM) is signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGTERM)  # end as asked, now that nothing is left
        return False


class StagedWrites:
    """Write several files all-or-nothing: stage each, then rename all into place.

    Examples
    --------
    >>> with StagedWrites(folder) as batch:               # doctest: +SKIP
    ...     tmp = batch.stage(folder / "a.hspy")       # write the file at ``tmp``
    ...     batch.commit()                             # rename everything in
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.staged: list[Path] = []  # removed at the end, whatever happens
        self.moves: list[tuple[Path, Path]] = []  # (staged, target), renamed by commit
        self.targets: list[Path] = []  # what is being written (named by errors)
        self._guard = _SignalGuard()
        self.committed = False

    def __enter__(self):
        self._guard.__enter__()
        sweep(self.folder)
        return self

    def stage(self, target: Path, folder: bool = False) -> Path:
        """A staged path beside ``target``: a file renamed onto ``target`` by
        :meth:`commit`, or (``folder=True``) a folder to write into, whose entries are
        given to :meth:`move`."""
        tmp = staged_name(Path(target))
        _register(tmp)
        self.staged.append(tmp)
        self.targets.append(Path(target))
        if folder:
            tmp.mkdir()
        else:
            self.moves.append((tmp, Path(target)))
        return tmp

    def move(self, staged: Path, target: Path) -> None:
        """Rename ``staged`` (inside a staged folder) onto ``target`` at commit."""
        self.moves.append((Path(staged), Path(target)))

    def commit(self) -> None:
        """Rename every staged entry onto its target, the main files last."""
        for tmp, target in self.moves:
            if os.path.lexists(tmp):
                replace(tmp, target)
        self.committed = True

    def __exit__(self, exc_type, exc, tb):
        self._cleanup(exc_type, exc, tb)
        if isinstance(exc, OSError) and self.targets and not isinstance(exc, FileExistsError):
            explained = folder_error(self.targets[-1], exc)
            if explained is not exc:
                raise explained from exc
        return False

    def _cleanup(self, exc_type, exc, tb):
        try:
            for tmp in self.staged:
                try:
                    remove(tmp)
                except OSError:  # never hide the error that ended the write
                    pass
                _unregister(tmp)
        finally:
            self._guard.__exit__(exc_type, exc, tb)
        return False


class GuardedFile:
    """The HDF5 library cannot recover from a write that fails half-way (a full disk):
    its file stays open in a broken state and the process crashes at exit. So .hspy
    files are written through this Python file object, which records the first failure
    (or a Ctrl-C/SIGTERM arriving between two chunks) and lets HDF5 finish and close
    cleanly while discarding what follows; the caller removes the staged file.

    A binary file for h5py's ``fileobj`` driver that never fails under HDF5: the first
    error (or interrupt) is recorded, later writes are discarded, and :meth:`close`
    raises it once HDF5 has closed the file. Also an ``os.PathLike`` of its path."""

    def __init__(self, path: Path, mode: str = "w+b"):
        self.path = os.fspath(path)
        self.file = open(self.path, mode)
        self.error: BaseException | None = None

    def _guard(self, call, *args, fallback=None):
        if self.error is not None:
            return fallback
        try:
            return call(*args)
        except BaseException as err:  # noqa: BLE001 - KeyboardInterrupt too: raised later
            self.error = err
            return fallback

    def write(self, b):
        n = memoryview(b).nbytes
        self._guard(self.file.write, b)
        return n

    def read(self, n=-1):
        return self._guard(self.file.read, n, fallback=b"")

    def readinto(self, b):
        return self._guard(self.file.readinto, b, fallback=0)

    def seek(self, *args):
        return self.file.seek(*args)

    def tell(self):
        return self.file.tell()

    def truncate(self, size=None):
        self._guard(self.file.truncate, size)
        return size

    def flush(self):
        self._guard(self.file.flush)

    def close(self):
        try:
            self.file.close()
        except BaseException as err:  # noqa: BLE001 - the first error is the one to raise
            self.error = self.error or err
        if self.error is not None:
            raise self.error

    def __fspath__(self):
        return self.path
