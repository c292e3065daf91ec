"""HyperSpy's RGB(A) data types through change_dtype."""

import numpy as np
import pytest

from emunmix.signal import Signal1D, Signal2D


def _colours(n=3, dtype=np.uint8):
    data = np.arange(4 * 5 * n, dtype=dtype).reshape(4, 5, n)
    return Signal1D(data, axes=[{"name": "y", "units": "nm", "scale": 2.0},
                                {"name": "x", "units": "nm", "scale": 2.0},
                                {"name": "channel", "navigate": False}])


@pytest.mark.parametrize("name, n, dtype", [("rgb8", 3, np.uint8), ("rgba16", 4, np.uint16)])
def test_channels_fold_into_one_colour_per_pixel(name, n, dtype):
    s = _colours(n, dtype)
    raw = s.data.copy()
    s.change_dtype(name)
    assert type(s) is Signal2D and s.axes_manager.signal_shape == (5, 4)
    assert s.data.dtype.names == ("R", "G", "B", "A")[:n]
    assert s.data[2, 3]["G"] == raw[2, 3, 1] and s.data[3, 4]["R"] == raw[3, 4, 0]
    assert [a.name for a in s.axes_manager.signal_axes] == ["x", "y"]


def test_wrong_channel_count_or_dtype_is_refused_and_the_signal_kept():
    s = _colours(4)
    with pytest.raises(ValueError, match="3 channels"):
        s.change_dtype("rgb8")
    s = _colours(3, np.float32)
    with pytest.raises(ValueError, match="needs uint8 data"):
        s.change_dtype("rgb8")
    assert s.data.dtype == np.float32 and type(s) is Signal1D
