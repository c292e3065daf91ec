"""plot_images: grids of calibrated images."""

import numpy as np
import pytest

import emunmix.api as hs


def test_stack_is_expanded_and_labelled(stack):
    axes = hs.plot.plot_images(stack)
    assert len(axes) == 3
    for ax, data in zip(axes, stack.data):
        np.testing.assert_array_equal(ax.images[0].get_array(), data)
    assert [ax.get_title() for ax in axes] == ["#0", "#1", "#2"]
    fig = axes[0].figure
    assert fig.get_suptitle() == "Loadings"
    assert axes[0].get_xlabel() == "x (nm)" and axes[0].get_ylabel() == "y (nm)"
    # one colorbar per image ("multi"): an inset axes in each panel
    assert all(len(ax.child_axes) == 1 for ax in axes)


def test_list_with_titles_per_row_and_cmaps(image, stack):
    axes = hs.plot.plot_images([image, stack.inav[1]], per_row=1, cmap=["gray", "viridis"],
                               label=["first", "second"], suptitle="Two")
    assert [ax.get_title() for ax in axes] == ["first", "second"]
    assert axes[0].images[0].get_cmap().name == "gray"
    assert axes[1].images[0].get_cmap().name == "viridis"
    ss = [ax.get_subplotspec() for ax in axes]
    assert ss[0].rowspan.start == 0 and ss[1].rowspan.start == 1
    assert axes[0].figure.get_suptitle() == "Two"


def test_single_colorbar_shares_limits(stack):
    axes = hs.plot.plot_images(stack, colorbar="single")
    clims = {ax.images[0].get_clim() for ax in axes}
    assert clims == {(stack.data.min(), stack.data.max())}
    assert all(not ax.child_axes for ax in axes)
    assert len(axes[0].figure.axes) == 4  # three images and one colorbar


def test_no_colorbar_axes_off_nans_and_wrap(image):
    data = image.deepcopy()
    data.data[0, 0] = np.nan
    data.metadata.General.title = "a rather long title that has to be wrapped"
    axes = hs.plot.plot_images([data], colorbar=None, axes_decor="off", no_nans=True,
                               labelwrap=12)
    assert axes[0].images[0].get_array()[0, 0] == 0
    assert not axes[0].axison and not axes[0].child_axes
    assert "\n" in axes[0].get_title()


def test_bad_input(si):
    with pytest.raises(ValueError, match="two signal axes"):
        hs.plot.plot_images([si])
    with pytest.raises(ValueError, match="colorbar must be"):
        hs.plot.plot_images([np.zeros((2, 2))], colorbar="some")
