"""Noise on signals, HyperSpy 2.5's way: adding it, and the noise variance metadata.

``add_poissonian_noise`` and ``add_gaussian_noise`` change the data in place (lazy
signals get a new dask graph); the variance lives in
``metadata.Signal.Noise_properties.variance`` (a number or a signal with the same
navigation shape), where :meth:`estimate_poissonian_noise_variance` puts
``max((data * gain_factor + gain_offset) * correlation_factor, gain_offset *
correlation_factor)``, its parameters defaulting to (and stored in)
``metadata.Signal.Noise_properties.Variance_linear_model``.

As in HyperSpy, MLPCA decomposition does not read this variance: without
``var_array``/``var_func`` it assumes Poisson noise (the data are the variance).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..validation import check_random_state, is_dask

_VARIANCE = "Signal.Noise_properties.variance"
_LINEAR_MODEL = "Signal.Noise_properties.Variance_linear_model"


def _seeded(random_state, lazy: bool):
    """A numpy RandomState, or for lazy data a dask one seeded from it."""
    rng = check_random_state(random_state)
    if not lazy:
        return rng
    import dask.array as da

    return da.random.RandomState(int(rng.randint(2**31 - 1)))


class NoiseMixin:
    """Noise methods mixed into :class:`~emunmix.signal.base.BaseSignal`."""

    def add_poissonian_noise(self, keep_dtype: bool = True, random_state=None) -> None:
        """Replace each value by a Poisson draw with that mean, in place.

        Parameters
        ----------
        keep_dtype : bool
            Kept for HyperSpy compatibility (deprecated there): the data type is
            always kept (draws are cast back to it).
        random_state : None, int, numpy RandomState or Generator
            Seed for the draws (dask's generator, seeded from it, for lazy data).

        Raises
        ------
        ValueError
            Negative or NaN values (no Poisson distribution has such a mean).

        Examples
        --------
        >>> import numpy as np
        >>> from emunmix.signal import Signal1D
        >>> s = Signal1D(np.full((2, 50), 10.0))
        >>> s.add_poissonian_noise(random_state=0)
        >>> bool(s.data.std() > 0)
        True
        """
        if not self._lazy:
            data = np.asarray(self.data)
            if np.iscomplexobj(data):
                raise TypeError("add_poissonian_noise needs real data; the data are "
                                f"{data.dtype}: take s.real or abs(s) first")
            bad = ~(data >= 0)
            if bad.any():
                raise ValueError(
                    f"add_poissonian_noise: {int(bad.sum())} value(s) are negative or NaN "
                    f"(e.g. {data[bad].flat[0]!r}); a Poisson mean must be >= 0: clip or "
                    "offset the data first (nothing was changed)")
        rng = _seeded(random_state, self._lazy)
        if self._lazy:
            draws = rng.poisson(lam=self.data, chunks=self.data.chunks)
            self._data = draws.astype(self.data.dtype)
            return
        draws = rng.poisson(lam=self.data)
        self._settle_learning_results()
        self.data[...] = draws  # in place, as HyperSpy: shallow copies see it

    def add_gaussian_noise(self, std, random_state=None) -> None:
        """Add normal noise of standard deviation ``std`` to the data, in place.

        Parameters
        ----------
        std : float
            The standard deviation of the noise (>= 0).
        random_state : None, int, numpy RandomState or Generator
            Seed for the draws (dask's generator, seeded from it, for lazy data).

        Raises
        ------
        TypeError
            Integer data (as HyperSpy): ``s.change_dtype("float64")`` first.
        ValueError
            A negative or non-finite ``std``.
        """
        if np.dtype(self.data.dtype).char not in np.typecodes["AllFloat"]:
            raise TypeError(
                "add_gaussian_noise needs float data, but the data type is "
                f"{self.data.dtype}; change it first: s.change_dtype('float64')")
        if not isinstance(std, numbers.Real) or not np.isfinite(std) or std < 0:
            raise ValueError(f"add_gaussian_noise: std must be a finite number >= 0, "
                             f"got {std!r}")
        rng = _seeded(random_state, self._lazy)
        if self._lazy:
            noise = rng.normal(loc=0, scale=std, size=self.data.shape,
                               chunks=self.data.chunks)
            self._data = (self.data + noise).astype(self.data.dtype)
            return
        noise = rng.normal(loc=0, scale=std, size=self.data.shape)
        self._settle_learning_results()
        self.data[...] += noise

    def estimate_poissonian_noise_variance(self, expected_value=None, gain_factor=None,
                                           gain_offset=None,
                                           correlation_factor=None) -> None:
        """Estimate the noise variance of Poisson counts and store it (HyperSpy's model).

        The variance is ``(expected * gain_factor + gain_offset) *
        correlation_factor``, clipped below at ``gain_offset * correlation_factor``,
        and is stored as a signal (same axes) with :meth:`set_noise_variance`.

        Parameters
        ----------
        expected_value : signal, optional
            The expected (noise-free) value; None uses the signal itself.
        gain_factor, gain_offset, correlation_factor : float, optional
            The detector's linear model (all >= 0); None takes each from
            ``metadata.Signal.Noise_properties.Variance_linear_model``, or
            1, 0 and 1 (pure Poisson counts) when absent. The values used are
            stored there.

        Raises
        ------
        ValueError
            A negative parameter, or an ``expected_value`` of another shape.
        """
        expected = self if expected_value is None else expected_value
        if not hasattr(expected, "axes_manager") or expected.data.shape != self.data.shape:
            shape = getattr(getattr(expected, "data", expected), "shape", None)
            raise ValueError(
                "expected_value must be a signal with the data shape "
                f"{self.data.shape} of this one, got {type(expected).__name__} of shape "
                f"{shape}")
        params = {"gain_factor": gain_factor, "gain_offset": gain_offset,
                  "correlation_factor": correlation_factor}
        defaults = {"gain_factor": 1, "gain_offset": 0, "correlation_factor": 1}
        for name, value in params.items():
            if value is None:
                value = self.metadata.get_item(f"{_LINEAR_MODEL}.{name}", defaults[name])
            if not isinstance(value, numbers.Real) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
            params[name] = value
        for name, value in params.items():  # only once all are valid: no half change
            self.metadata.set_item(f"{_LINEAR_MODEL}.{name}", value)
        g, o, c = params["gain_factor"], params["gain_offset"], params["correlation_factor"]
        data = expected.data
        variance = (data * g + o) * c
        floor = o * c
        variance = variance.clip(floor) if is_dask(variance) else np.clip(variance, floor,
                                                                        np.inf)
        from .types import class_for

        title = self.metadata.get_item("General.title", "")
        var = self._new_like(variance, cls=class_for("", self.axes_manager.signal_dimension,
                                                     np.iscomplexobj(variance)))
        var.metadata = type(self.metadata)({"General": {"title": f"Variance of {title}"},
                                            "Signal": {"signal_type": ""}})
        self.set_noise_variance(var)

    def set_noise_variance(self, variance) -> None:
        """Store the noise variance in ``metadata.Signal.Noise_properties.variance``.

        Parameters
        ----------
        variance : None, float or signal
            A number, a signal with this signal's navigation shape, or None to clear it.
        """
        if hasattr(variance, "axes_manager"):
            nav = variance.axes_manager.navigation_shape
            if nav != self.axes_manager.navigation_shape:
                raise ValueError(
                    f"the variance's navigation shape {nav} is not the signal's "
                    f"{self.axes_manager.navigation_shape}; give a number or a signal with "
                    "the same navigation axes")
        elif variance is not None and not isinstance(variance, numbers.Number):
            raise ValueError("variance must be None, a number or a signal, not "
                             f"{type(variance).__name__}")
        self.metadata.set_item(_VARIANCE, variance)

    def get_noise_variance(self):
        """The noise variance set on the signal (a number or signal), or None."""
        return self.metadata.get_item(_VARIANCE, None)
