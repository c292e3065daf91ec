"""plot_components_browser: a static grid headless; keys and a slider where they work."""

import numpy as np
import pytest

import emunmix.api as hs
from emunmix.plot import browser
from emunmix.plot.browser import ComponentsBrowser, ComponentsGrid


def test_headless_is_a_grid_of_all_components(factors, loadings):
    b = hs.plot.plot_components_browser(factors, loadings, title="BSS",
                                        comp_label="BSS component index")
    assert isinstance(b, ComponentsGrid)
    assert b.axes.shape == (4, 2)
    for row in range(4):
        f_ax, l_ax = b.axes[row]
        np.testing.assert_array_equal(f_ax.lines[0].get_ydata(), factors.data[row])
        np.testing.assert_array_equal(l_ax.images[0].get_array(), loadings.data[row])
        assert f_ax.get_title() == f"Factor {row}" and l_ax.get_title() == f"Loading {row}"
    assert b.figure.get_suptitle() == "BSS: components 0 to 3"
    assert b.axes[0, 0].get_xlabel() == "Energy loss (eV)"
    assert b.axes[0, 1].get_xlabel() == "x (nm)"


def test_grid_is_capped_for_many_components(factors, loadings):
    b = ComponentsGrid(factors, loadings, max_components=2)
    assert b.axes.shape == (2, 2)
    assert "first 2 of 4" in b.figure.get_suptitle()


def test_mismatched_components(factors, loadings):
    with pytest.raises(ValueError, match="4 factors but 2 loadings"):
        hs.plot.plot_components_browser(factors, loadings.inav[:2])


def test_keys_change_the_component(factors, loadings, press):
    b = ComponentsBrowser(factors, loadings)
    assert b.index == 0
    press(b.figure, "right")
    press(b.figure, "right")
    assert b.index == 2
    np.testing.assert_array_equal(b.factor_artist.get_ydata(), factors.data[2])
    np.testing.assert_array_equal(b.loading_artist.get_array(), loadings.data[2])
    assert b.loading_artist.get_clim() == (loadings.data[2].min(), loadings.data[2].max())
    assert "Decomposition component index 2" in b.figure.get_suptitle()
    press(b.figure, "left")
    press(b.figure, "left")
    press(b.figure, "left")  # clipped at 0
    assert b.index == 0


def test_interactive_backend_gets_the_key_browser(factors, loadings, monkeypatch):
    monkeypatch.setattr(browser, "browser_mode", lambda: "keys")
    assert isinstance(hs.plot.plot_components_browser(factors, loadings), ComponentsBrowser)


def test_jupyter_slider_drives_the_browser(factors, loadings, monkeypatch, capsys):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(browser, "browser_mode", lambda: "jupyter")
    b = hs.plot.plot_components_browser(factors, loadings, title="BSS",
                                        comp_label="BSS component index")
    assert isinstance(b, ComponentsBrowser)
    assert (b.slider.min, b.slider.max, b.slider.value) == (0, 3, 0)
    # the label is the slider's own description, as wide as its text (never cut)
    assert b.widget.children[0] is b.slider
    assert b.slider.description == "BSS component index"
    assert b.slider.style.description_width == "initial"
    b.slider.value = 3
    assert b.index == 3
    np.testing.assert_array_equal(b.factor_artist.get_ydata(), factors.data[3])
    b.set_component(1)  # and the other way round
    assert b.slider.value == 1
