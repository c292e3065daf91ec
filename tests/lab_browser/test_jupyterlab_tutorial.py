"""The tutorial notebook in a real JupyterLab, in headless Chromium, as a microscopist runs it.

Each code cell is run with Shift+Enter; the figures are clicked, dragged, zoomed,
typed into and slid, and every action is checked against what the kernel
holds (read on the side, without a trace in the notebook) and against the
screenshot. Then Run > Run All Cells re-runs every cell. Screenshots go to
``$EMUNMIX_SCREENSHOTS`` (``docs/images/jupyterlab`` for docs/plotting.md) or
to the test's temporary folder.

Run with ``make test-browser`` (it installs Chromium with apt-get and the
``browser`` extra); skipped, saying why, where no browser can be installed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from .lab import Lab, missing_browser

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
STRAY = re.compile(r"<(SignalPlot|SpikesRemovalTool|ComponentsBrowser|ComponentsGrid|"
                   r"emunmix\.[\w.]+ at 0x|matplotlib\.[\w.]+ (object )?at 0x)")
KERNEL_HELPERS = '''
from emunmix.plot.notebook import live_figures as _live, view_of as _view_of
import matplotlib.pyplot as _plt

def _frac(ax, x, y, axes=False):
    """Where a point of ax lies in its figure: fractions from the top-left corner."""
    fig = ax.figure
    X, Y = (ax.transAxes if axes else ax.transData).transform((x, y))
    return [float(X / fig.bbox.width), float(1 - Y / fig.bbox.height)]
'''


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = os.environ.get("EMUNMIX_SCREENSHOTS")
    path = Path(out) if out else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    reason = missing_browser()
    if reason:
        pytest.skip(f"no browser for the JupyterLab tests: {reason}")
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    root.mkdir()
    shutil.copy(DOCS / "tutorial.ipynb", root / "tutorial.ipynb")
    lab = Lab(root, root.parent / "jupyterlab.log")
    try:
        lab.open("tutorial.ipynb")
        lab.js("window.jupyterapp.commands.execute('application:toggle-left-area');")
        yield lab
    finally:
        lab.close()


# -- helpers ------------------------------------------------------------------------------
def source(cell) -> str:
    return cell.find_element("css selector", ".jp-InputArea-editor").text


def figure_div(lab, cell, k=0):
    """The k-th figure's canvas area in a cell's output."""
    divs = cell.find_elements("css selector", ".jupyter-matplotlib-canvas-div")
    assert len(divs) > k, f"no figure {k} in the output of {source(cell)!r}"
    lab.js("arguments[0].scrollIntoView({block: 'center'});", divs[k])
    return divs[k]


def offset(div, frac):
    """Selenium's offset from the element's centre for a point at figure fractions."""
    r = div.rect
    return int(round(frac[0] * r["width"] - r["width"] / 2)), \
        int(round(frac[1] * r["height"] - r["height"] / 2))


def click_at(lab, div, frac):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(lab.driver).move_to_element_with_offset(div, *offset(div, frac)) \
        .click().perform()


def drag(lab, div, start, end, steps=6):
    from selenium.webdriver.common.action_chains import ActionChains

    a, b = np.array(offset(div, start)), np.array(offset(div, end))
    chain = ActionChains(lab.driver).move_to_element_with_offset(div, *a).click_and_hold()
    done = a
    for t in np.linspace(0, 1, steps + 1)[1:]:
        step = np.round(a + (b - a) * t).astype(int)
        chain = chain.move_by_offset(*(step - done))
        done = step
    chain.release().perform()


def keys(lab, *sequence):
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(lab.driver)
    for k in sequence:
        chain = chain.send_keys(k).pause(0.15)
    chain.perform()


def until(lab, expression, expected, what, timeout=20):
    """Wait until the kernel's value of ``expression`` is ``expected``; return it."""
    got = []

    def check():
        got[:] = [lab.ask(expression)]
        return got[0] == expected

    try:
        lab.wait(check, timeout, what, step=0.3)
    except TimeoutError:
        lab.driver.save_screenshot(str(lab.root.parent / "failure.png"))
        pytest.fail(f"{what}: the kernel has {expression} = {got[0]!r}, expected {expected!r}")
    return got[0]


def screenshot(element):
    """The element as it is drawn, an (h, w, 3) uint8 array."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB"))


def red_near(image, frac, radius=8) -> int:
    """Pixels of the pointer's red marker within ``radius`` of a point."""
    h, w, _ = image.shape
    x, y = int(frac[0] * w), int(frac[1] * h)
    patch = image[max(y - radius, 0):y + radius + 1, max(x - radius, 0):x + radius + 1]
    r, g, b = (patch[..., i].astype(int) for i in range(3))
    return int(((r > 180) & (g < 90) & (b < 90)).sum())


def save(lab, element, shots, name):
    from selenium.webdriver.common.action_chains import ActionChains

    lab.js("arguments[0].scrollIntoView({block: 'center'});", element)
    # the pointer off the figure, so ipympl's toolbar fades out as it does for a reader
    top = lab.driver.find_element("css selector", "#jp-top-panel")
    ActionChains(lab.driver).move_to_element(top).perform()
    lab.settle(1.0)
    (shots / f"{name}.png").write_bytes(element.screenshot_as_png)


def output_area(cell):
    return cell.find_element("css selector", ".jp-Cell-outputArea")


# -- what each kind of cell is checked for --------------------------------------------------
def check_signal_plot(lab, cell, shots):
    """s.plot(): click, drag and keys move the pointer; a zoom survives the moves."""
    div = figure_div(lab, cell)
    lab.settle(1.0)
    save(lab, output_area(cell), shots, "signal_plot")
    nav = lambda x, y: lab.ask(f"_frac(_view_of(s).navigator_ax, {x}, {y})")  # noqa: E731
    target = nav(30, 12)
    before = screenshot(div)
    assert red_near(before, target) == 0, "the marker is not at (30, 12) before the click"
    click_at(lab, div, target)
    until(lab, "list(s.axes_manager.indices)", [30, 12], "a click on the navigator")
    assert "x = 30" in lab.ask("_view_of(s).signal_ax.get_title()")
    lab.settle(1.0)
    assert red_near(screenshot(div), target) > 5, "the screenshot shows no marker at the click"
    drag(lab, div, nav(30, 12), nav(50, 40))
    until(lab, "list(s.axes_manager.indices)", [50, 40], "a drag on the navigator")
    from selenium.webdriver.common.keys import Keys

    keys(lab, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_DOWN)
    until(lab, "list(s.axes_manager.indices)", [52, 41], "arrow keys on the figure")
    values = lab.ask("list(_view_of(s).lines[0].get_ydata()[:5].tolist())")
    assert np.allclose(values, lab.ask("s.data[41, 52, :5].tolist()")), \
        "the spectrum shown is not the one at the pointer"
    save(lab, output_area(cell), shots, "signal_plot_moved")

    # zoom into the edge with the toolbar, then move: the zoom stays
    x0, x1 = lab.ask("list(_view_of(s).signal_ax.get_xlim())")
    zoom = "_view_of(s).signal_ax"
    lab.js("arguments[0].scrollIntoView({block: 'center'});", div)
    button = cell.find_element("css selector", "button[title^='Zoom to rectangle']")
    lab.js("arguments[0].click();", button)
    lo, hi = x0 + 0.08 * (x1 - x0), x0 + 0.3 * (x1 - x0)
    drag(lab, div, lab.ask(f"[_frac({zoom}, {lo}, 0)[0], _frac({zoom}, 0, 0.95, True)[1]]"),
         lab.ask(f"[_frac({zoom}, {hi}, 0)[0], _frac({zoom}, 0, 0.05, True)[1]]"))
    lab.wait(lambda: abs(lab.ask(f"{zoom}.get_xlim()[1]") - hi) < 0.02 * (x1 - x0), 20,
             "the toolbar zoom")
    lab.js("arguments[0].click();", button)  # zoom mode off: clicks move the pointer again
    zoomed = lab.ask(f"list({zoom}.get_xlim())")
    click_at(lab, div, nav(10, 50))
    until(lab, "list(s.axes_manager.indices)", [10, 50], "a click after zooming")
    assert lab.ask(f"list({zoom}.get_xlim())") == zoomed, "the pointer move lost the zoom"
    visible = lab.ask(f"(lambda a, y: [float(y[(a >= {zoomed[0]}) & (a <= {zoomed[1]})].min()),"
                      f" float(y[(a >= {zoomed[0]}) & (a <= {zoomed[1]})].max())])"
                      "(s.axes_manager.signal_axes[0].axis, s.data[50, 10])")
    ylo, yhi = lab.ask(f"list({zoom}.get_ylim())")
    assert ylo <= visible[0] and visible[1] <= yhi, "the visible part of the spectrum is cut"
    full = lab.ask("float(s.data[50, 10].max() - s.data[50, 10].min())")
    assert yhi - ylo < 0.9 * full, "the intensity axis was refitted to the whole spectrum"
    lab.settle(1.0)
    save(lab, output_area(cell), shots, "signal_plot_zoomed")


def check_component_browser(lab, cell, shots):
    """plot_decomposition_results(): every component, an uncut label, slider and keys."""
    browser = "_view_of(s, 'decomposition_results')"
    n = lab.ask("s.learning_results.n_components")
    assert lab.ask(f"{browser}.slider.max") == n - 1, "the slider does not offer every component"
    label = cell.find_element("css selector", ".widget-slider .widget-label")
    assert label.text == "Decomposition component index"
    assert lab.js("return arguments[0].scrollWidth <= arguments[0].clientWidth;", label), \
        "the slider's label is cut off"
    handle = cell.find_element("css selector", ".noUi-handle")
    lab.js("arguments[0].scrollIntoView({block: 'center'});", handle)
    handle.click()
    from selenium.webdriver.common.keys import Keys

    keys(lab, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    until(lab, f"{browser}.index", 3, "arrow keys on the component slider")
    assert lab.ask(f"{browser}.slider.value") == 3
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(lab.driver).drag_and_drop_by_offset(handle, 120, 0).perform()
    lab.wait(lambda: lab.ask(f"{browser}.index") > 3, 20, "a drag of the slider")
    seen = []

    def settled():  # the slider sends values while it moves: wait until it rests
        seen.append(lab.ask(f"[{browser}.index, {browser}.slider.value]"))
        return len(seen) > 1 and seen[-1] == seen[-2]

    lab.wait(settled, 20, "the slider to rest", step=0.5)
    moved, value = seen[-1]
    assert value == moved, f"slider at {value}, browser at component {moved}"
    shown, truth = lab.ask(f"[{browser}.factor_artist.get_ydata()[:4].tolist(), "
                           f"s.learning_results.factors[:4, {browser}.index].tolist()]")
    np.testing.assert_allclose(shown, truth, rtol=1e-5)
    div = figure_div(lab, cell)
    click_at(lab, div, [0.5, 0.05])  # the figure's title: focus without a pointer move
    keys(lab, Keys.ARROW_RIGHT)
    until(lab, f"{browser}.slider.value", moved + 1, "a key on the figure moves the slider")
    lab.settle(1.0)
    save(lab, output_area(cell), shots, "decomposition_results")


def check_spikes_tool(lab, cell, shots):
    """spikes_removal_tool(): drawn once; buttons, threshold field and line, options."""
    assert len(lab.canvases(cell)) == 1, "the spikes tool's figure is not drawn exactly once"
    box = cell.find_element("css selector", ".emunmix-spikes-tool")
    tool = "_view_of(s4, 'spikes_tool')"
    status = box.find_element("css selector", ".emunmix-spikes-status")

    def button(label):
        lab.settle(0.5)  # at a user's pace: the last action has been drawn
        for b in box.find_elements("css selector", "button"):
            if b.text.strip() == label:
                return b
        raise AssertionError(f"no {label!r} button")

    def status_matches():
        return status.text == lab.ask(f"{tool}.status_text()")

    assert lab.ask(f"[{tool}.method, {tool}.threshold]") == ["lowrank", "auto"]
    n = lab.ask(f"{tool}.n_spikes")
    assert n >= 30 and status.text.startswith(f"Spike 1 of {n}")
    lab.settle(1.0)
    save(lab, output_area(cell), shots, "spikes_tool")
    button("Remove spike").click()
    until(lab, f"{tool}.n_removed", 1, "the Remove spike button")
    button("Don't remove").click()
    until(lab, f"{tool}.spikes[1].status", "skipped", "the Don't remove button")
    lab.wait(status_matches, 10, "the status line to follow the kernel")
    button("Previous").click()
    button("Previous").click()
    until(lab, f"{tool}.index", 0, "the Previous button")
    lab.settle(1.0)
    save(lab, output_area(cell), shots, "spikes_tool_removed")

    field = box.find_element("css selector", ".widget-text input")
    from selenium.webdriver.common.keys import Keys

    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("20" + Keys.ENTER)
    until(lab, f"{tool}.threshold", 20.0, "a threshold typed in the field")
    assert lab.ask(f"{tool}.n_spikes") <= n
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("abc" + Keys.ENTER)
    lab.wait(lambda: "must be 'auto' or a positive number" in box.text, 10,
             "the tool to say what is wrong with the threshold")
    assert lab.ask(f"{tool}.threshold") == 20.0

    div = figure_div(lab, cell)
    hist = f"{tool}.ax_hist"
    now = lab.ask(f"{tool}.derivative_threshold")
    target = 2 * now
    start = lab.ask(f"[_frac({hist}, {now}, 0)[0], _frac({hist}, 0, 0.5, True)[1]]")
    end = lab.ask(f"[_frac({hist}, {target}, 0)[0], _frac({hist}, 0, 0.5, True)[1]]")
    drag(lab, div, start, end)
    until(lab, f"{tool}.method", "derivative", "dragging the threshold line")
    got = lab.ask(f"{tool}.threshold")
    assert abs(got - target) < 0.03 * target, f"dragged to {target}, the threshold is {got}"
    lab.wait(lambda: field.get_attribute("value") == f"{got:.6g}", 10,
             "the threshold field to follow the line")
    checkbox = [c for c in box.find_elements("css selector", ".widget-checkbox")
                if "Add noise" in c.text][0]
    checkbox.find_element("css selector", "input").click()
    until(lab, f"{tool}.search.add_noise", False, "the Add noise check box")
    from selenium.webdriver.support.ui import Select

    finder = [d for d in box.find_elements("css selector", ".widget-dropdown")
              if "Finder" in d.text][0]
    Select(finder.find_element("css selector", "select")).select_by_visible_text("lowrank")
    until(lab, f"[{tool}.method, {tool}.threshold, [ln.get_label() for ln in {tool}.ax_hist."
          "lines]]", ["lowrank", "auto", ["derivative threshold (drag to use)",
                                          "spikes left (lowrank)"]],
          "the Finder list (a search with the low-rank finder, drawn)")
    lab.wait(status_matches, 10, "the status line after the new search")
    button("Remove all").click()
    until(lab, f"all(sp.status != 'pending' for sp in {tool}.spikes)", True,
          "the Remove all button")
    lab.wait(status_matches, 10, "the status line after Remove all")


CHECKS = {"s.plot()": check_signal_plot,
          "s.plot_decomposition_results()": check_component_browser,
          "s4.spikes_removal_tool(": check_spikes_tool}
SHOTS = {"_ = s.plot_explained_variance_ratio()": "scree",
         "ax = hs.plot.plot_spectra": "plot_spectra",
         "_ = s.plot_decomposition_loadings(4)": "decomposition_loadings_factors",
         "(s - sc).inav[30, 30].plot()": "residuals",
         "(s + sc * 1j).plot()": "complex_plot",
         "_ = s.plot_bss_loadings()": "bss_loadings_factors",
         "s.plot_bss_results()": "bss_results"}


# -- the tests ----------------------------------------------------------------------------
def test_tutorial_cell_by_cell(lab, shots):
    lab.run_silent("import emunmix.api")  # the helpers below need the package only
    first = lab.code_cells()[0]
    lab.run_cell(first)
    lab.run_silent(KERNEL_HELPERS)
    seen = {}
    for cell in lab.code_cells()[1:]:
        text = source(cell)
        lab.run_cell(cell)
        out = lab.output_text(cell)
        assert not STRAY.search(out), f"stray text under {text!r}: {out[:200]!r}"
        assert "Traceback" not in out, f"{text!r} failed: {out[-600:]}"
        assert "More than 20 figures" not in out, "matplotlib warns of too many figures"
        if "learning_results.summary()" in text:
            assert "Decomposition parameters:" in out and "\\n" not in out, \
                f"summary() is not shown as text: {out[:200]!r}"
        for start, check in CHECKS.items():
            if text.startswith(start) or f"\n{start}" in text:
                check(lab, cell, shots)
                seen[start] = True
        for start, name in SHOTS.items():
            if text.startswith(start) or f"\n{start}" in text:
                assert lab.canvases(cell), f"{text!r} shows no figure"
                lab.settle(1.0)
                save(lab, output_area(cell), shots, name)
    assert set(seen) == set(CHECKS), f"cells not found in the notebook: {set(CHECKS) - set(seen)}"
    live = lab.ask("len(_live())")
    shown = len(lab.driver.find_elements("css selector", ".jupyter-matplotlib-figure"))
    assert live == shown, f"{live} figures open in the kernel, {shown} shown in the notebook"
    assert lab.ask("len(_plt.get_fignums())") <= 20
    assert lab.browser_errors() == []


def test_rerun_every_cell(lab):
    """Run > Run All Cells: every cell runs again, figures are replaced, not accumulated."""
    before = lab.ask("len(_live())")
    cells = [c for c in lab.code_cells() if source(c).strip()]  # not the new empty one
    canvases = [len(lab.canvases(c)) for c in cells]
    prompts = [lab.prompt(c) for c in cells]
    menu = [m for m in lab.driver.find_elements("css selector", ".lm-MenuBar-itemLabel")
            if m.text == "Run"][0]
    menu.click()
    item = [m for m in lab.driver.find_elements("css selector", ".lm-Menu-itemLabel")
            if m.text == "Run All Cells"][0]
    item.click()

    def all_ran():
        now = [lab.prompt(c) for c in cells]
        return all(re.fullmatch(r"\[\d+\]:", p) for p in now) and \
            all(a != b for a, b in zip(now, prompts)) and lab._kernel_idle()

    try:
        lab.wait(all_ran, 300, "Run All Cells to finish", step=1.0)
    except TimeoutError:
        lab.driver.save_screenshot(str(lab.root.parent / "run-all.png"))
        now = [lab.prompt(c) for c in cells]
        pytest.fail(f"Run All Cells did not finish: prompts {now} (were {prompts}); "
                    f"screenshot in {lab.root.parent}")
    lab.settle(2.0)
    lab.run_silent(KERNEL_HELPERS)  # the kernel kept its namespace; refresh the helpers
    for cell, n in zip(cells, canvases):
        out = lab.output_text(cell)
        assert "Traceback" not in out, f"{source(cell)!r} failed on re-run: {out[-600:]}"
        assert not STRAY.search(out), f"stray text under {source(cell)!r} on re-run"
        assert len(lab.canvases(cell)) == n, f"{source(cell)!r}: figures differ on re-run"
    after = lab.ask("len(_live())")
    assert after == before, \
        f"{before} figures open before the re-run, {after} after: they accumulate"
    shown = len(lab.driver.find_elements("css selector", ".jupyter-matplotlib-figure"))
    assert shown == after, f"{after} figures open in the kernel, {shown} in the notebook"
    assert lab.browser_errors() == []
