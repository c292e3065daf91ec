"""Nested attribute trees for ``metadata`` and ``original_metadata``.

``s.metadata.General.title`` reads like HyperSpy's ``DictionaryTreeBrowser``;
the tree prints as an indented outline and converts to and from plain dicts
(which is how it is written to files).
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import numpy as np

_MISSING = object()


class DictionaryTreeBrowser:
    """A dict whose keys are also attributes, nested to any depth.

    Parameters
    ----------
    dictionary : dict, optional
        Initial content; nested dicts become nested browsers.

    Examples
    --------
    >>> md = DictionaryTreeBrowser({"General": {"title": "CL1"}})
    >>> md.General.title
    'CL1'
    >>> md.set_item("Signal.signal_type", "EELS")
    >>> md.get_item("Signal.signal_type")
    'EELS'
    """

    def __init__(self, dictionary: dict | None = None):
        object.__setattr__(self, "_items", {})
        if dictionary:
            self.add_dictionary(dictionary)

    # -- attribute access ---------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        items = object.__getattribute__(self, "_items")
        if name in items:
            return items[name]
        key = _slug_match(items, name)
        if key is not None:  # "EELS Spectrometer" is also .EELS_Spectrometer (HyperSpy)
            return items[key]
        raise AttributeError(
            f"metadata has no item {name!r}; available: {sorted(items) or 'none'}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, dict):
            value = type(self)(value)  # nested nodes of a subclass are of that subclass
        self._items[name] = value

    def __delattr__(self, name: str) -> None:
        del self._items[name]

    __getitem__ = __getattr__
    __setitem__ = __setattr__
    __delitem__ = __delattr__

    def __contains__(self, name: str) -> bool:
        return self.has_item(name)

    def __iter__(self):
        return iter(sorted(self._items.items()))

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DictionaryTreeBrowser):
            return NotImplemented
        return _equal(self.as_dictionary(), other.as_dictionary())

    def __deepcopy__(self, memo):
        return DictionaryTreeBrowser(copy.deepcopy(self.as_dictionary(), memo))

    def __dir__(self):
        return list(self._items) + [k for k in type(self).__dict__ if not k.startswith("_")]

    # -- path access ----------------------------------------------------------
    def set_item(self, path: str, value: Any) -> None:
        """Set ``value`` at dotted ``path``, creating intermediate nodes."""
        node = self
        *parents, leaf = path.split(".")
        for key in parents:
            if key not in node._items or not isinstance(
                node._items[key], DictionaryTreeBrowser
            ):
                node._items[key] = DictionaryTreeBrowser()
            node = node._items[key]
        setattr(node, leaf, value)

    def get_item(self, path: str, default: Any = _MISSING) -> Any:
        """Value at dotted ``path``; ``default`` (or AttributeError) if absent."""
        node: Any = self
        for key in path.split("."):
            if isinstance(node, DictionaryTreeBrowser) and key in node._items:
                node = node._items[key]
            elif (isinstance(node, DictionaryTreeBrowser)
                  and _slug_match(node._items, key) is not None):
                node = node._items[_slug_match(node._items, key)]
            elif default is _MISSING:
                raise AttributeError(f"metadata has no item {path!r}")
            else:
                return default
        return node

    def has_item(self, path: str) -> bool:
        """True when dotted ``path`` exists."""
        return self.get_item(path, _MISSING_SENTINEL) is not _MISSING_SENTINEL

    def add_dictionary(self, dictionary: dict) -> None:
        """Merge a (nested) dict into the tree."""
        for key, value in dictionary.items():
            if isinstance(value, dict) and isinstance(
                self._items.get(key), DictionaryTreeBrowser
            ):
                self._items[key].add_dictionary(value)
            else:
                setattr(self, str(key), copy.deepcopy(value))

    def as_dictionary(self) -> dict:
        """A plain nested dict copy of the tree."""
        out = {}
        for key, value in self._items.items():
            if isinstance(value, DictionaryTreeBrowser):
                out[key] = value.as_dictionary()
            else:
                out[key] = copy.deepcopy(value)
        return out

    def keys(self):
        return self._items.keys()

    def copy(self) -> DictionaryTreeBrowser:
        return copy.deepcopy(self)

    # -- printing ---------------------------------------------------------------
    def _tree_lines(self, prefix: str = "") -> list[str]:
        lines = []
        keys = sorted(self._items)
        for i, key in enumerate(keys):
            last = i == len(keys) - 1
            branch = "└── " if last else "├── "
            value = self._items[key]
            if isinstance(value, DictionaryTreeBrowser):
                lines.append(f"{prefix}{branch}{key}")
                lines.extend(value._tree_lines(prefix + ("    " if last else "│   ")))
            else:
                lines.append(f"{prefix}{branch}{key} = {_short(value)}")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._tree_lines())

    __str__ = __repr__


_MISSING_SENTINEL = object()


def slugify(key) -> str:
    """A key as a Python name, as HyperSpy's tree makes it ("Exposure (s)" ->
    "Exposure_s", "2nd" -> "Number_2nd"): characters other than letters, digits,
    "_" and spaces dropped, spaces made "_"."""
    text = unicodedata.normalize("NFKD", str(key)).encode("ascii", "ignore").decode()
    text = "".join(c for c in text if c.isalnum() or c in "_ ").strip().replace(" ", "_")
    return text if text.isidentifier() else "Number_" + text


def _slug_match(items: dict, name: str) -> str | None:
    """The key of ``items`` that ``name`` names once both are slugs (file keys with
    spaces and brackets), if any."""
    slug = slugify(name)
    for key in items:
        if isinstance(key, str) and key != name and slugify(key) == slug:
            return key
    return None


def slugged(value):
    """``value`` with every key of nested trees as its slug (what HyperSpy's
    metadata-mapping functions of RosettaSciIO readers expect to see)."""
    if isinstance(value, DictionaryTreeBrowser):
        value = value.as_dictionary()
    if isinstance(value, dict):
        return _MappingTree({slugify(k): _slugged_plain(v) for k, v in value.items()})
    return value


class _MappingTree(DictionaryTreeBrowser):
    """What a reader's mapping function sees: HyperSpy's tree, whose ``get_item``
    gives None for a missing item."""

    def get_item(self, path: str, default: Any = None) -> Any:
        return super().get_item(path, default)

    def keys(self):
        """A sorted list, as HyperSpy's (readers index it: ``keys()[0]``)."""
        return sorted(self._items)


def _slugged_plain(value):
    if isinstance(value, dict):
        return {slugify(k): _slugged_plain(v) for k, v in value.items()}
    return value


def _short(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray) and value.size > 10:
        return f"<array shape={value.shape} dtype={value.dtype}>"
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return a == b
