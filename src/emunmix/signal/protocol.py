"""What code outside the signal classes may assume of a signal, without importing them.

Modules that only inspect signals (IO, the mixins, the helpers of methods) use
:func:`is_signal` and :func:`signal_class` instead of importing ``BaseSignal`` or
``Signal1D``, so that the signal classes can import them without a circle.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .types import class_for


@runtime_checkable
class SignalLike(Protocol):
    """The part of a signal other modules rely on."""

    data: Any
    axes_manager: Any
    metadata: Any


def is_signal(obj) -> bool:
    """True for an emunmix signal (or anything with data, axes_manager and metadata)."""
    return isinstance(obj, SignalLike)


def signal_class(signal_type: str = "", dimension: int | None = 1,
                 is_complex: bool = False) -> type:
    """The registered signal class for a type and signal dimension (``Signal1D`` by
    default), as :func:`~emunmix.signal.types.class_for` picks it."""
    return class_for(signal_type, dimension, is_complex)
