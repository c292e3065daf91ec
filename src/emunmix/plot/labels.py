"""Text for plots: calibrated axis labels with units, titles, wrapped labels."""

from __future__ import annotations

import textwrap

_UNDEFINED = "<undefined>"


def _defined(text) -> bool:
    return text not in (None, "", _UNDEFINED)


def axis_label(axis, fallback: str = "index", calibrate: bool = True) -> str:
    """``"Energy loss (eV)"`` for a calibrated axis; the name alone without units.

    Parameters
    ----------
    axis : DataAxis
        The axis to describe.
    fallback : str
        Used when the axis has no name.
    calibrate : bool
        False labels the axis in pixels/channels: ``"x (index)"``.

    Examples
    --------
    >>> from emunmix.signal import DataAxis
    >>> axis_label(DataAxis(10, name="Energy loss", units="eV"))
    'Energy loss (eV)'
    >>> axis_label(DataAxis(10))
    'index'
    """
    name = axis.name if _defined(axis.name) else fallback
    if not calibrate:
        return name if name == "index" else f"{name} (index)"
    return f"{name} ({axis.units})" if _defined(axis.units) else name


def nav_axis_name(axis, position: int) -> str:
    """The axis name, or ``x``, ``y``, ``z``, ``axis 3``... by natural-order position."""
    if _defined(axis.name):
        return axis.name
    return ("x", "y", "z")[position] if position < 3 else f"axis {position}"


def axis_value_text(axis, index: int, fallback: str = "index") -> str:
    """``"x = 12 nm"``: the calibrated position of one index, for pointer titles."""
    name = axis.name if _defined(axis.name) else fallback
    value = float(axis.index2value(index))
    units = f" {axis.units}" if _defined(axis.units) else ""
    return f"{name} = {value:.4g}{units}"


def signal_title(signal, fallback: str = "") -> str:
    """The signal's ``metadata.General.title`` (or ``fallback`` when empty)."""
    title = signal.metadata.get_item("General.title", "") if hasattr(signal, "metadata") else ""
    return str(title) if title else fallback


def quantity_label(signal, fallback: str = "Intensity") -> str:
    """The y label of a spectrum: ``metadata.Signal.quantity`` or ``"Intensity"``."""
    quantity = signal.metadata.get_item("Signal.quantity", "") if hasattr(
        signal, "metadata") else ""
    return str(quantity) if quantity else fallback


def wrap(text: str, width: int | None) -> str:
    """Wrap a label to lines of at most ``width`` characters (None: unchanged)."""
    if not width or len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width))
