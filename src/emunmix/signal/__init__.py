"""The data model: axes, metadata, indexing, arithmetic and the signal classes."""

from .axes import AxesManager, DataAxis
from .base import BaseSignal
from .complex import ComplexSignal, ComplexSignal1D, ComplexSignal2D
from .eds import EDSSEMSpectrum, EDSSpectrum, EDSTEMSpectrum
from .eels import EELSSpectrum
from .metadata import DictionaryTreeBrowser
from .signal1d import Signal1D
from .signal2d import Signal2D
from .types import class_for

__all__ = [
    "AxesManager", "BaseSignal", "ComplexSignal", "ComplexSignal1D", "ComplexSignal2D",
    "DataAxis", "DictionaryTreeBrowser", "EDSSEMSpectrum", "EDSSpectrum", "EDSTEMSpectrum",
    "EELSSpectrum", "Signal1D", "Signal2D", "class_for",
]
