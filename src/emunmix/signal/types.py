"""Which signal class serves a (signal_type, signal dimension, complex) triple."""

from __future__ import annotations

_CLASSES: dict[tuple[str, int | None, bool], type] = {}
_ALIASES: dict[str, str] = {}


def register_signal_class(cls, signal_type: str = "", dimension: int | None = None,
                          is_complex: bool = False, aliases: tuple[str, ...] = ()):
    """Record ``cls`` as the class for the given signal type and dimension."""
    _CLASSES[(signal_type, dimension, is_complex)] = cls
    for a in aliases:
        _ALIASES[a.lower()] = signal_type
    _ALIASES[signal_type.lower()] = signal_type
    return cls


def canonical_signal_type(signal_type: str | None) -> str:
    """Map user spellings ("eels", "EDS_TEM") to the canonical type."""
    if signal_type is None or (isinstance(signal_type, str) and not signal_type):
        return ""
    if not isinstance(signal_type, str):
        raise TypeError(f"signal_type must be a string such as 'EELS' (or '' for a generic "
                        f"signal), got {signal_type!r}")
    try:
        return _ALIASES[signal_type.lower()]
    except KeyError:
        known = sorted({v for v in _ALIASES.values() if v})
        raise ValueError(
            f"unknown signal_type {signal_type!r}; known types: {known} "
            "(or '' for a generic signal)"
        ) from None


def known_signal_type(signal_type: str | None) -> bool:
    return not signal_type or signal_type.lower() in _ALIASES


def class_for(signal_type: str, dimension: int, is_complex: bool) -> type:
    """The most specific registered class, falling back to generic ones."""
    st = _ALIASES.get((signal_type or "").lower(), "")
    for key in ((st, dimension, is_complex), ("", dimension, is_complex), ("", None, is_complex)):
        if key in _CLASSES:
            cls = _CLASSES[key]
            # a typed class only fits its own dimension
            return cls
    return _CLASSES[("", None, False)]
