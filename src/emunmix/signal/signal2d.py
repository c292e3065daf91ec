"""``Signal2D``: signals with two signal axes (images, image stacks)."""

from __future__ import annotations

from .base import BaseSignal
from .types import register_signal_class


class Signal2D(BaseSignal):
    """A signal with two signal axes: an image or a stack of images."""

    _signal_dimension = 2


register_signal_class(Signal2D, "", 2, False)
