"""Which RosettaSciIO reader opens a file, and reading it with errors that say why.

Several readers share extensions (``.hdf5``: HyperSpy, USID, Delmic; ``.h5``: five;
``.xml``: Horiba JobinYvon, EMPAD; ``.img``: Hamamatsu, JEOL; ``.csv``: Protochips,
DENSsolutions Impulse; ``.mrc``: MRC, MRCZ). HyperSpy 2.5 asks the user to pick one;
here the file's content decides, and when it cannot, every candidate is tried and
the error lists what each said. Failures are reported by cause: a missing optional
package (with the pip command), a reader that cannot load lazily, a damaged file.
"""

from __future__ import annotations

import importlib
import os
import warnings
from pathlib import Path

from .exceptions import ReaderUnavailableError

_FIX = ("Check that the file is complete and in that format: copy it again or restore it "
        "from a backup (reader= chooses another reader)")

HDF5_EXTENSIONS = {"hspy", "hdf5", "h5", "hdf", "nxs", "emd", "app5"}

# RosettaSciIO extras that provide a reader's optional packages (module -> pip name)
_PIP_NAMES = {
    "tifffile": "tifffile", "imagecodecs": "imagecodecs", "imageio": "imageio",
    "PIL": "pillow", "skimage": "scikit-image", "numba": "numba", "mrcz": "mrcz",
    "pyUSID": "pyUSID", "sidpy": "pyUSID", "sparse": "sparse", "hdf5plugin": "hdf5plugin",
    "h5py": "h5py", "zarr": "zarr<3", "msgpack": "msgpack",
}


def plugins() -> list[dict]:
    from rsciio import IO_PLUGINS

    return IO_PLUGINS


def supported_extensions(writes: bool = False) -> list[str]:
    """Sorted lower-case file extensions RosettaSciIO reads (or writes)."""
    exts = set()
    for p in plugins():
        if writes and not p["writes"]:
            continue
        exts.update(e.lower() for e in p["file_extensions"])
    return sorted(exts)


def plugin_by_name(name: str) -> dict:
    """The reader called ``name`` (a RosettaSciIO name, alias or an extension)."""
    for p in plugins():
        names = [p["name"].lower()] + [a.lower() for a in p.get("name_aliases", [])]
        if name.lower() in names:
            return p
    for p in plugins():  # allow an extension as the reader name
        if name.lower().lstrip(".") in (e.lower() for e in p["file_extensions"]):
            return p
    known = sorted(p["name"] for p in plugins())
    raise ValueError(f"unknown reader {name!r}; known readers: {', '.join(known)}")


def plugins_for_extension(ext: str, writes: bool = False) -> list[dict]:
    ext = ext.lower().lstrip(".")
    return [p for p in plugins() if ext in (e.lower() for e in p["file_extensions"])
            and (p["writes"] or not writes)]


# -- sniffing ---------------------------------------------------------------------------

def sniff_hdf5(filename: str | os.PathLike) -> str:
    """Name of the RosettaSciIO reader for an HDF5 file, from its content.

    HyperSpy 2.5 asks the user to choose between HSPY, USID and Delmic for a
    ``.hdf5`` file; the file itself says which it is.
    """
    import h5py

    try:
        with h5py.File(filename, "r") as f:
            attrs = {k: f.attrs[k] for k in f.attrs}
            keys = set(f.keys())
    except OSError as err:
        raise OSError(
            f"could not read {os.fspath(filename)!r}: it is not a valid HDF5 file "
            f"(corrupt or truncated?): {err}. {_FIX}"
        ) from err
    fmt = attrs.get("file_format", b"")
    fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
    if fmt.lower() == "hyperspy" or "Experiments" in keys:
        return "HSPY"
    if "version_major" in attrs or any(str(k).startswith("emd") for k in attrs):
        return "EMD"
    if any(k.startswith("Measurement_") for k in keys):
        return "USID"
    if any(k.startswith("Acquisition") for k in keys):
        return "Delmic"
    if "TofDAQ Version" in attrs or "FullSpectra" in keys:
        return "Tofwerk"
    if "entry" in keys:
        return "Arina" if any(k.startswith("data_") for k in _entry_data(filename)) else "NeXus"
    raise OSError(
        f"could not identify the HDF5 flavour of {os.fspath(filename)!r} (not HyperSpy, "
        "EMD, USID, Delmic, Tofwerk, Arina or NeXus); pass reader= explicitly"
    )


def _entry_data(filename) -> list[str]:
    import h5py

    with h5py.File(filename, "r") as f:
        data = f["entry"].get("data")
        return list(data.keys()) if data is not None and hasattr(data, "keys") else []


def _head(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def _sniff_text(path: Path, ext: str) -> str | None:
    """Reader for a shared non-HDF5 extension, from the first bytes; None if unsure."""
    head = _head(path)
    if ext == "xml":
        if b"<LSX_Data" in head or b"<LSX_Tree" in head:
            return "JobinYvon"
        if b"<root" in head:
            return "EMPAD"
    elif ext == "img":
        return "Hamamatsu" if head[:2] == b"IM" else "JEOL"
    elif ext == "csv":
        first = head.split(b"\n", 1)[0]
        if b"Notes" in first and b"Time" in first:
            return "Protochips"
        if b"TimeStamp" in first or b"Impulse" in head:
            return "Impulse"
    elif ext == "mrc":
        return "MRC"  # MRC reads every plain .mrc; MRCZ needs the mrcz package
    return None


def candidate_readers(path: Path, reader: str | None) -> list[dict]:
    """Readers to try for ``path``, best first (one unless the content is unclear)."""
    if reader is not None:
        return [plugin_by_name(reader)]
    ext = path.suffix.lower().lstrip(".")
    if path.is_dir() and ext != "zspy":
        raise IsADirectoryError(f"{os.fspath(path)!r} is a folder, not a file")
    plugins_ = plugins_for_extension(ext)
    if not plugins_:
        raise ValueError(
            f"unknown file extension {path.suffix!r} for {os.fspath(path)!r}. "
            f"Supported extensions: {', '.join(supported_extensions())}"
        )
    unique = list({p["name"]: p for p in plugins_}.values())
    if len(unique) == 1:
        return unique
    if ext in HDF5_EXTENSIONS:
        return [plugin_by_name(sniff_hdf5(path))]
    name = _sniff_text(path, ext)
    if name is not None:  # the content names the format: its reader's error is the one
        return [plugin_by_name(name)]
    return unique


# -- reading ------------------------------------------------------------------------------

def _missing_package(err: ImportError) -> str:
    module = (getattr(err, "name", None) or str(err)).split(".")[0]
    return _PIP_NAMES.get(module, module)


def read_with(plugin: dict, path: Path, lazy: bool, **kwds) -> list[dict]:
    """Run one reader; its failures become errors that name their cause."""
    name = plugin["name"]
    try:
        module = importlib.import_module(plugin["api"])
    except ImportError as err:
        pkg = _missing_package(err)
        raise ReaderUnavailableError(
            f"the {name} reader needs the package {pkg!r}, which is not installed: "
            f"pip install {pkg}"
        ) from err
    try:
        return module.file_reader(os.fspath(path), lazy=lazy, **kwds)
    except NotImplementedError as err:
        if lazy and "lazy" in str(err).lower():
            raise NotImplementedError(
                f"the {name} reader cannot load lazily: load {os.fspath(path)!r} with "
                "lazy=False (then s.as_lazy() gives a dask-backed copy)"
            ) from err
        raise
    except ImportError as err:
        pkg = _missing_package(err)
        raise ReaderUnavailableError(
            f"reading {os.fspath(path)!r} with the {name} reader needs the package "
            f"{pkg!r}, which is not installed: pip install {pkg}"
        ) from err
    except TypeError as err:
        if "keyword argument" in str(err):  # a reader option misspelt by the caller
            raise TypeError(f"the {name} reader: {err}") from err
        raise OSError(
            f"could not read {os.fspath(path)!r} with the {name} reader: the file "
            f"may be damaged, truncated or not in that format (TypeError: {err}). {_FIX}"
        ) from err
    except (FileNotFoundError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - any other reader failure: an unreadable file
        raise OSError(
            f"could not read {os.fspath(path)!r} with the {name} reader: the file "
            f"may be damaged, truncated or not in that format ({type(err).__name__}: {err}). "
            f"{_FIX}"
        ) from err


def _read_lazy_or_eager(plugin: dict, path: Path, lazy: bool, **kwds) -> list[dict]:
    """Read; when a lazy read fails on a file an eager read opens, say so and use that
    (RosettaSciIO's lazy path of some readers is broken, e.g. PNG/JPEG): the data are
    then in memory, wrapped as dask by the caller."""
    try:
        return read_with(plugin, path, lazy, **kwds)
    except OSError as err:
        if not lazy or isinstance(err, FileNotFoundError):
            raise
        try:
            dicts = read_with(plugin, path, False, **kwds)
        except Exception:  # noqa: BLE001 - the lazy error is the one to report
            raise err from err.__cause__  # the lazy error (and its cause) is the one
        warnings.warn(
            f"the {plugin['name']} reader failed to read {os.fspath(path)!r} lazily "
            f"({err.__cause__!r}); it was read into memory and wrapped as a dask array",
            stacklevel=4)
        return dicts


# containers that check their own structure when opened (a truncated one fails there)
_SELF_CHECKING = {"HSPY", "ZSPY", "EMD", "NeXus", "USID", "Delmic", "Tofwerk", "Arina"}


def _check_lazy_end(plugin: dict, path: Path, dicts: list[dict]) -> None:
    """Read the last value of each lazy array now: raw-layout readers (TIFF, blockfile,
    DM, MIB...) map the file without reading it, so a truncated file would only fail at
    the first computation, with a raw error. One value costs one page of the file."""
    if plugin["name"] in _SELF_CHECKING:
        return
    for d in dicts:
        data = d.get("data")
        if not type(data).__module__.startswith("dask") or not data.ndim:
            continue
        try:
            data[(-1,) * data.ndim].compute()
        except Exception as err:  # noqa: BLE001 - any failure here: the file lacks its data
            raise OSError(
                f"could not read {os.fspath(path)!r} with the {plugin['name']} reader: the "
                f"file is damaged or truncated (its last value cannot be read: "
                f"{type(err).__name__}: {err}). {_FIX}"
            ) from err


def _check_point_count(plugin: dict, path: Path, dicts: list[dict]) -> None:
    """An MSA file states its number of points; the lenient reader returns what is there
    (a truncated file would load as a shorter spectrum without a word)."""
    if plugin["name"] != "MSA":
        return
    for d in dicts:
        stated = (d.get("original_metadata") or {}).get("NPOINTS")
        try:
            stated = int(float(stated))
        except (TypeError, ValueError):
            continue
        found = int(getattr(d.get("data"), "size", 0))
        if found != stated:
            raise OSError(
                f"could not read {os.fspath(path)!r} with the MSA reader: the file states "
                f"{stated} points but holds {found}; it is truncated or damaged. {_FIX}")


def read_file(path: Path, reader: str | None, lazy: bool, **kwds) -> tuple[dict, list[dict]]:
    """The reader used and the signal dictionaries it gave for ``path``."""
    candidates = candidate_readers(path, reader)
    failures = []
    for plugin in candidates:
        try:
            dicts = _read_lazy_or_eager(plugin, path, lazy, **kwds)
        except (OSError, ReaderUnavailableError) as err:
            if len(candidates) == 1:
                raise
            failures.append(f"{plugin['name']}: {err}")
            continue
        # .size, not np.size: np.size would compute a lazy (dask) array
        if not dicts or any(getattr(d.get("data"), "size", 0) == 0 for d in dicts):
            # lenient readers (e.g. MSA) return empty data for garbage instead of failing
            failures.append(f"{plugin['name']}: no data found")
            if len(candidates) == 1:
                raise OSError(
                    f"could not read {os.fspath(path)!r} with the {plugin['name']} reader: "
                    "no data found (the file may be damaged, truncated or not in that format). "
                    + _FIX
                )
            continue
        _check_lazy_end(plugin, path, dicts)
        _check_point_count(plugin, path, dicts)
        return plugin, dicts
    names = [p["name"] for p in candidates]
    raise OSError(
        f"no reader could open {os.fspath(path)!r}; readers for {path.suffix!r} files: "
        f"{names}. Pass reader= to choose one. What each said: " + " | ".join(failures)
    )
