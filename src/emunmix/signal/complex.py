"""Complex signals: the tutorial's ``(s + sc * 1j).plot()`` compares two real ones."""

from __future__ import annotations

import numpy as np

from .base import BaseSignal
from .types import register_signal_class


class ComplexSignal(BaseSignal):
    """A signal with complex data; ``real``/``imag``/``amplitude``/``phase`` are signals."""

    _signal_dimension = 0
    _dtype = "complex"

    def _part(self, values):
        return self._new_like(values)

    @property
    def real(self) -> BaseSignal:
        """Real part as a real signal."""
        return self._part(np.real(self.data))

    @property
    def imag(self) -> BaseSignal:
        """Imaginary part as a real signal."""
        return self._part(np.imag(self.data))

    @property
    def amplitude(self) -> BaseSignal:
        """Modulus as a real signal."""
        return self._part(np.abs(self.data))

    @property
    def phase(self) -> BaseSignal:
        """Argument (radians) as a real signal."""
        return self._part(np.angle(self.data))

    def angle(self, deg: bool = False) -> BaseSignal:
        """Argument in radians (or degrees)."""
        return self._part(np.angle(self.data, deg=deg))


class ComplexSignal1D(ComplexSignal):
    """Complex signal with one signal axis."""

    _signal_dimension = 1


class ComplexSignal2D(ComplexSignal):
    """Complex signal with two signal axes."""

    _signal_dimension = 2


register_signal_class(ComplexSignal, "", None, True)
register_signal_class(ComplexSignal1D, "", 1, True)
register_signal_class(ComplexSignal2D, "", 2, True)
