"""Damage detection for the .hspy and .zspy files emunmix writes.

After a file is written (and before it is renamed into place) every dataset is read back
and a CRC-32 of each of its storage chunks is stored in a root group ``_emunmix_integrity``
(one ``uint32`` dataset per protected dataset, its ``path`` and digest ``chunks`` as
attributes). HyperSpy and RosettaSciIO read only ``/Experiments``, so they ignore it.

On load the digests are checked: eagerly on the array the reader returned, lazily inside
each chunk read at compute time (a chunk is checked when it is read, so a zarr chunk
file that went missing, which zarr would read as zeros, is an error naming the file and
the chunk). A lazy file is also stamped (size, mtime, inode) when loaded; a read after
it was deleted or changed raises :class:`~emunmix.exceptions.FileChangedError`. Files
without digests (from HyperSpy) load as before, with the stamp check when lazy.
"""

from __future__ import annotations

import itertools
import os
import threading
import zlib
from pathlib import Path

import numpy as np

from .exceptions import DamagedFileError, FileChangedError
from .io_atomic import GuardedFile

GROUP = "_emunmix_integrity"
SEALED = ("HSPY", "ZSPY")
_FIX = "restore the file from a backup or write it again from its source"


# -- writing ------------------------------------------------------------------------------

def _open(path: Path, fmt: str, mode: str = "r"):
    if fmt == "HSPY":
        import h5py

        return h5py.File(os.fspath(path), mode)
    return _zarr_group(path, mode)


def _zarr_store(path: Path):
    import warnings

    import zarr

    with warnings.catch_warnings():  # rsciio writes this store; zarr 2.18 deprecates it
        warnings.simplefilter("ignore", FutureWarning)
        return zarr.storage.NestedDirectoryStore(os.fspath(path))


def _zarr_group(path: Path, mode: str):
    import zarr

    return zarr.open_group(_zarr_store(path), mode=mode)


def _datasets(root, fmt: str) -> list[tuple[str, object]]:
    found = []
    if fmt == "HSPY":
        import h5py

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                found.append((name, obj))
        root.visititems(visit)
    else:
        import zarr

        def visit(name, obj):
            if isinstance(obj, zarr.Array):
                found.append((name, obj))
        root.visititems(visit)
    return [(n, d) for n, d in found
            if not n.startswith(GROUP) and d.dtype != object and d.ndim]


def chunk_slices(shape, chunks):
    """The index of each chunk of the grid (C order) and its slices."""
    ranges = [range(0, -(-s // c)) for s, c in zip(shape, chunks)]
    for idx in itertools.product(*ranges):
        yield idx, tuple(slice(i * c, min((i + 1) * c, s))
                         for i, c, s in zip(idx, chunks, shape))


def crc(block) -> int:
    """CRC-32 of the bytes of ``block`` in C order, without copying a view of a larger
    array: the CRC of its contiguous rows, chained."""
    a = np.asarray(block)
    if a.flags.c_contiguous:
        return zlib.crc32(a.reshape(-1).view(np.uint8))
    k = next((k for k in range(1, a.ndim) if a[(0,) * k].flags.c_contiguous), a.ndim)
    if k == a.ndim or not a.size:  # the last axis itself is strided: copy
        return zlib.crc32(np.ascontiguousarray(a).reshape(-1).view(np.uint8))
    value = 0
    for idx in np.ndindex(*a.shape[:k]):
        value = zlib.crc32(a[idx].reshape(-1).view(np.uint8), value)
    return value


def sealable(path: Path, fmt: str) -> bool:
    """Whether ``path`` is a file of ours that carries digests: .hspy, or a .zspy folder
    (a .zspy zip store is left as RosettaSciIO writes it)."""
    return fmt == "HSPY" or (fmt == "ZSPY" and Path(path).is_dir())


def group_name(d: dict) -> str:
    """The group RosettaSciIO writes a signal dictionary's experiment in."""
    title = (d.get("metadata") or {}).get("General", {}).get("title") or "__unnamed__"
    return title.replace("/", "-")


def seal(path: Path, fmt: str, known: dict | None = None) -> None:
    """Store the chunk digests of every dataset of the written file ``path``.

    ``known`` maps dataset paths to the in-memory arrays just written there: their
    digests are computed from memory instead of reading (and decompressing) them back.
    """
    if not sealable(path, fmt):
        return
    known = known or {}
    if fmt == "HSPY":  # through the guarded file: a full disk here is an error, no crash
        import h5py

        handle = GuardedFile(path, "r+b")
        root = h5py.File(handle, "r+")
    else:
        root = _open(path, fmt, "a")
    try:
        entries = []
        for name, ds in _datasets(root, fmt):
            chunks = tuple(ds.chunks or ds.shape)
            src = known.get(name)
            if not (isinstance(src, np.ndarray) and src.shape == ds.shape
                    and src.dtype == ds.dtype):
                src = ds
            digests = [crc(src[sl]) for _, sl in chunk_slices(ds.shape, chunks)]
            entries.append((name, chunks, np.asarray(digests, dtype=np.uint32)))
        group = root.require_group(GROUP)
        group.attrs["algorithm"] = "crc32 of each storage chunk, C order"
        for i, (name, chunks, digests) in enumerate(entries):
            kw = {"compressor": None} if fmt == "ZSPY" else {}
            d = group.create_dataset(str(i), data=digests, **kw)
            d.attrs["path"] = name
            d.attrs["chunks"] = [int(c) for c in chunks]
    finally:
        if fmt == "HSPY":
            root.close()
            handle.close()  # raises what the guard recorded
    if fmt == "ZSPY":
        import zarr

        zarr.consolidate_metadata(_zarr_store(path))


# -- reading ------------------------------------------------------------------------------

def manifest(path: Path, fmt: str) -> dict[str, tuple[tuple, np.ndarray]]:
    """``{dataset path: (chunks, digests)}`` of a sealed file; empty for other files."""
    if not sealable(path, fmt):
        return {}
    try:
        root = _open(path, fmt)
    except Exception:  # noqa: BLE001 - the reader has already opened it; no digests
        return {}
    try:
        if GROUP not in root:
            return {}
        out = {}
        for _, d in root[GROUP].items():
            out[str(d.attrs["path"])] = (tuple(int(c) for c in d.attrs["chunks"]),
                                         np.asarray(d[...], dtype=np.uint32))
        return out
    finally:
        if fmt == "HSPY":
            root.close()


def _where(path: Path, fmt: str, dspath: str, idx) -> str:
    """The chunk, and for zarr its file and whether it is missing."""
    text = f"chunk {'.'.join(map(str, idx))} of dataset {dspath!r}"
    if fmt == "ZSPY":
        sep = "/"  # rsciio writes a NestedDirectoryStore
        zarray = Path(path, dspath, ".zarray")
        if zarray.exists():
            import json

            sep = json.loads(zarray.read_text()).get("dimension_separator") or "."
        chunk_file = Path(path, dspath, sep.join(map(str, idx)))
        state = "is missing" if not chunk_file.exists() else "does not match its digest"
        text += f" (chunk file {os.fspath(chunk_file)!r} {state})"
    return text


def damaged(path: Path, fmt: str, dspath: str, idx, detail: str = "") -> DamagedFileError:
    return DamagedFileError(
        f"{os.fspath(path)!r} is damaged: {_where(path, fmt, dspath, idx)}"
        f"{detail}; {_FIX}")


def check_array(array, path: Path, fmt: str, dspath: str, entry) -> None:
    """Raise DamagedFileError if ``array`` (what was read) does not match its digests."""
    chunks, digests = entry
    for n, (idx, sl) in enumerate(chunk_slices(np.shape(array), chunks)):
        if n >= len(digests) or crc(array[sl]) != digests[n]:
            raise damaged(path, fmt, dspath, idx)


def check_dataset(path: Path, fmt: str, dspath: str, entry) -> DamagedFileError | None:
    """The damage of dataset ``dspath`` of the file (read from it), None if intact."""
    root = _open(path, fmt)
    try:
        check_array(root[dspath][...], path, fmt, dspath, entry)
    except DamagedFileError as err:
        return err
    except KeyError:
        return DamagedFileError(f"{os.fspath(path)!r} is damaged: dataset {dspath!r} is "
                                f"missing; {_FIX}")
    finally:
        if fmt == "HSPY":
            root.close()
    return None


# -- lazy reads ------------------------------------------------------------------------------

def stamp(path: Path, fmt: str = "", dspath: str = "") -> tuple:
    """What identifies this version of a file: (size, mtime, inode), and for zarr the
    array's own description file too."""
    paths = [Path(path)]
    if fmt == "ZSPY" and dspath:
        paths.append(Path(path, dspath, ".zarray"))
    out = []
    for p in paths:
        st = os.stat(p)
        out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def check_stamp(path: Path, expected: tuple, fmt: str = "", dspath: str = "") -> None:
    try:
        now = stamp(path, fmt, dspath)
    except FileNotFoundError:
        raise FileChangedError(
            f"{os.fspath(path)!r} was deleted after it was loaded lazily, so its data "
            "cannot be read; load it again (or load with lazy=False to keep the data in "
            "memory)") from None
    if now != expected:
        raise FileChangedError(
            f"{os.fspath(path)!r} changed (size, modification time or identity) after it "
            "was loaded lazily; its data would not be the ones loaded. Load it again")


class VerifiedChunks:
    """An array-like over one dataset of a .hspy/.zspy file for dask: each read checks
    that the file is unchanged and the digests of the storage chunks it reads."""

    def __init__(self, path: Path, fmt: str, dspath: str, shape, dtype, entry=None):
        self.path, self.fmt, self.dspath = Path(path), fmt, dspath
        self.shape, self.dtype, self.ndim = tuple(shape), np.dtype(dtype), len(shape)
        self.entry = entry
        self.stamp = stamp(self.path, fmt, dspath)
        self._handle = None
        self._lock = threading.Lock()

    def __getstate__(self):  # for dask.distributed workers: reopen there
        state = dict(self.__dict__)
        state["_handle"], state["_lock"] = None, None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _dataset(self):
        with self._lock:
            if self._handle is None:
                self._handle = _open(self.path, self.fmt)
            return self._handle[self.dspath]

    def __getitem__(self, key):
        check_stamp(self.path, self.stamp, self.fmt, self.dspath)
        key, post = _bounding_key(key, self.shape)
        block = self._read(key)
        for axis in reversed(range(len(post))):  # integers drop their axis, last first
            if post[axis] is not None:
                block = np.take(block, post[axis], axis=axis)
        return block

    def _read(self, key):
        """The region of ``key`` (unit-step slices, one per axis), its chunks checked."""
        bounds = [k.indices(s)[:2] for k, s in zip(key, self.shape)]
        try:
            ds = self._dataset()
            if self.entry is None:
                return ds[key]
            chunks, digests = self.entry
            first = [b[0] // c for b, c in zip(bounds, chunks)]
            last = [max(b[1] - 1, b[0]) // c for b, c in zip(bounds, chunks)]
            region = tuple(slice(f * c, min((lo + 1) * c, s))
                           for f, lo, c, s in zip(first, last, chunks, self.shape))
            block = ds[region]
        except (FileChangedError, DamagedFileError):
            raise
        except Exception as err:  # noqa: BLE001 - a raw h5py/zarr/blosc failure
            raise DamagedFileError(
                f"{os.fspath(self.path)!r} is damaged: dataset {self.dspath!r} could not be "
                f"read ({type(err).__name__}: {err}); {_FIX}") from err
        grid = [-(-s // c) for s, c in zip(self.shape, chunks)]
        for idx in itertools.product(*[range(f, lo + 1) for f, lo in zip(first, last)]):
            local = tuple(slice(i * c - r.start, min((i + 1) * c, s) - r.start)
                          for i, c, s, r in zip(idx, chunks, self.shape, region))
            if crc(block[local]) != digests[int(np.ravel_multi_index(idx, grid))]:
                raise damaged(self.path, self.fmt, self.dspath, idx)
        rel = tuple(slice(b[0] - r.start, b[1] - r.start) for b, r in zip(bounds, region))
        return block[rel]


def _bounding_key(key, shape):
    """Unit-step slices covering ``key`` (as dask or numpy give it: ints, slices, integer
    or boolean arrays, Ellipsis), and per axis what to take from that region after (None:
    all of it; an int drops the axis; an array of positions)."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in key):
        i = next(j for j, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * (len(shape) - len(key) + 1) + key[i + 1:]
    if any(k is None for k in key) or len(key) > len(shape):
        raise IndexError(f"unsupported index {key!r} for a lazily read array of shape "
                         f"{shape}")
    key = key + (slice(None),) * (len(shape) - len(key))
    bounding, post = [], []
    for k, n in zip(key, shape):
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            if step == 1:
                bounding.append(slice(start, max(stop, start)))
                post.append(None)
                continue
            k = np.arange(start, stop, step)
        if isinstance(k, (int, np.integer)):
            i = int(k) + n if k < 0 else int(k)
            if not 0 <= i < n:
                raise IndexError(f"index {int(k)} is out of bounds for an axis of size {n}")
            bounding.append(slice(i, i + 1))
            post.append(0)
            continue
        k = np.asarray(k)
        if k.dtype == bool:
            k = np.flatnonzero(k)
        k = np.where(k < 0, k + n, k).astype(np.intp)
        if k.size == 0:
            bounding.append(slice(0, 0))
            post.append(None)
            continue
        lo = int(k.min())
        bounding.append(slice(lo, int(k.max()) + 1))
        post.append(k - lo)
    return tuple(bounding), post


def verified_dask(path: Path, fmt: str, dspath: str, data, entry=None):
    """A dask array with ``data``'s chunks whose reads are checked (see VerifiedChunks)."""
    import dask.array as da
    from dask.base import tokenize

    source = VerifiedChunks(path, fmt, dspath, data.shape, data.dtype, entry)
    name = "emunmix-file-" + tokenize(os.fspath(path), dspath, source.stamp)
    return da.from_array(source, chunks=data.chunks, name=name, asarray=True,
                         meta=np.empty((0,) * data.ndim, dtype=data.dtype))


def rebind(data, path: Path, fmt: str, dspath: str) -> bool:
    """After ``data`` (read lazily from ``path``) was saved over ``path`` itself, read
    it from the new file: same values, new stamp and digests. Only for data that are the
    file's dataset itself (not a computation on it, whose source is gone), now stored
    at ``dspath``. Returns whether it did; on any doubt it does nothing (a later read
    then raises FileChangedError)."""
    name = getattr(data, "name", "")
    if not name.startswith("emunmix-file-"):
        return False
    graph = data.__dask_graph__()
    layer = graph.layers.get(name) if hasattr(graph, "layers") else None
    found = [v for v in (layer or graph).values() if isinstance(v, VerifiedChunks)]
    if not found:  # the source sits in its own layer (dask puts it under "original-...")
        found = [v for v in dict(graph).values() if isinstance(v, VerifiedChunks)]
    done = False
    for source in {id(v): v for v in found}.values():
        if Path(source.path).resolve() != Path(path).resolve() or source.fmt != fmt:
            continue
        try:
            root = _open(Path(path), fmt)
            try:
                ds = root[dspath]
                same = tuple(ds.shape) == source.shape and ds.dtype == source.dtype
            finally:
                if fmt == "HSPY":
                    root.close()
            if not same:
                continue
            entry = manifest(Path(path), fmt).get(dspath)
            new_stamp = stamp(Path(path), fmt, dspath)
        except Exception:  # noqa: BLE001 - leave it: reads will say the file changed
            continue
        with source._lock:
            source.dspath, source.entry, source.stamp = dspath, entry, new_stamp
            source._handle = None
        done = True
    return done


class StampedSource:
    """An array-like over a reader's dask array that checks the file's stamps before
    each read (a memory-mapped file truncated after loading would otherwise crash the
    process with SIGBUS when read)."""

    def __init__(self, data, stamps):
        self.data, self.stamps = data, stamps
        self.shape, self.dtype, self.ndim = data.shape, data.dtype, data.ndim

    def __getitem__(self, key):
        for path, expected in self.stamps:
            check_stamp(path, expected)
        return np.asarray(self.data[key].compute(scheduler="synchronous"))


def stamped_dask(path: Path, data, companions=()):
    """``data`` (dask, from any reader) read only after the stamps of the file (and of
    the files it names, e.g. the .raw of a .rpl) are checked, block by block."""
    import dask.array as da
    from dask.base import tokenize

    stamps = [(os.fspath(p), stamp(p)) for p in [path, *companions]]
    name = "emunmix-stamped-" + tokenize(data.name, stamps)
    return da.from_array(StampedSource(data, stamps), chunks=data.chunks, name=name,
                         asarray=True, meta=np.empty((0,) * data.ndim, dtype=data.dtype))
