"""Signal types map to classes: names, dimensions, complex data, aliases."""

import numpy as np
import pytest

from emunmix.signal import (
    BaseSignal,
    ComplexSignal,
    ComplexSignal1D,
    ComplexSignal2D,
    EDSSEMSpectrum,
    EDSSpectrum,
    EDSTEMSpectrum,
    EELSSpectrum,
    Signal1D,
    Signal2D,
    class_for,
)
from emunmix.signal.types import canonical_signal_type, known_signal_type


@pytest.mark.parametrize("signal_type, dim, is_complex, cls", [
    ("EELS", 1, False, EELSSpectrum),
    ("EDS", 1, False, EDSSpectrum),
    ("EDS_TEM", 1, False, EDSTEMSpectrum),
    ("EDS_SEM", 1, False, EDSSEMSpectrum),
    ("", 1, False, Signal1D),
    ("", 2, False, Signal2D),
    ("", 0, False, BaseSignal),
    ("", 3, False, BaseSignal),
    ("", 1, True, ComplexSignal1D),
    ("", 2, True, ComplexSignal2D),
    ("", 0, True, ComplexSignal),
    ("EELS", 1, True, ComplexSignal1D),  # no complex EELS class: generic complex
    ("EELS", 2, False, Signal2D),  # an EELS type on an image keeps the image class
    ("EELS", 0, False, BaseSignal),
    ("not-a-type", 1, False, Signal1D),  # unknown types fall back to the generic class
])
def test_class_for(signal_type, dim, is_complex, cls):
    assert class_for(signal_type, dim, is_complex) is cls


@pytest.mark.parametrize("spelling, canonical", [
    ("EELS", "EELS"), ("eels", "EELS"), ("EELSSpectrum", "EELS"), ("eds_tem", "EDS_TEM"),
    ("EDSSEMSpectrum", "EDS_SEM"), ("", ""), (None, "")])
def test_canonical_signal_type(spelling, canonical):
    assert canonical_signal_type(spelling) == canonical
    assert known_signal_type(spelling)


def test_unknown_signal_type():
    assert not known_signal_type("Raman")
    with pytest.raises(ValueError, match=r"unknown signal_type 'Raman'.*'EDS_TEM', 'EELS'"):
        canonical_signal_type("Raman")


@pytest.mark.parametrize("cls, signal_type", [
    (EELSSpectrum, "EELS"), (EDSTEMSpectrum, "EDS_TEM"), (EDSSEMSpectrum, "EDS_SEM"),
    (Signal1D, "")])
def test_class_sets_its_signal_type_in_metadata(cls, signal_type):
    s = cls(np.zeros((2, 4)))
    assert s.metadata.Signal.signal_type == signal_type
    assert s.axes_manager.signal_dimension == 1


def test_typed_classes_are_signal1d():
    for cls in (EELSSpectrum, EDSSpectrum, EDSTEMSpectrum, EDSSEMSpectrum):
        assert issubclass(cls, Signal1D)
    assert issubclass(EDSTEMSpectrum, EDSSpectrum)


def test_slicing_keeps_the_type_while_the_signal_axis_remains(eels):
    assert type(eels.inav[0]) is EELSSpectrum
    assert type(eels.isig[2:5]) is EELSSpectrum
    assert type(eels.isig[2]) is BaseSignal
    assert eels.isig[2].metadata.Signal.signal_type == "EELS"


def test_set_signal_type_eds_on_eels(eels):
    eels.set_signal_type("EDS_TEM")
    assert type(eels) is EDSTEMSpectrum
    assert eels.metadata.Signal.signal_type == "EDS_TEM"
