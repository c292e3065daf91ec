"""Plotting: matplotlib figures and widgets; reads signals and results, never computes.

Every function returns its matplotlib objects and works headless (Agg: draw,
never block), with Qt/Tk and in Jupyter (``%matplotlib widget`` or inline).

>>> import emunmix.api as hs
>>> s = hs.datasets.CL1()  # doctest: +SKIP
>>> p = s.plot()  # doctest: +SKIP
>>> ax = hs.plot.plot_spectra([s.inav[0, 0], s.inav[10, 10]], legend=("a", "b"))  # doctest: +SKIP
"""

from .browser import ComponentsBrowser, ComponentsGrid, plot_components_browser
from .components import plot_component_factors, plot_component_loadings
from .images import plot_images
from .notebook import view_of
from .pointer import Pointer
from .scree import plot_cumulative_explained_variance_ratio, plot_scree
from .signal_plot import SignalPlot, plot_signal
from .spectra import plot_spectra

__all__ = [
    "ComponentsBrowser", "ComponentsGrid", "Pointer", "SignalPlot",
    "plot_component_factors", "plot_component_loadings", "plot_components_browser",
    "plot_cumulative_explained_variance_ratio", "plot_images", "plot_scree", "plot_signal",
    "plot_spectra", "view_of",
]
