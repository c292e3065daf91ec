"""Bad arguments to decomposition, BSS, clustering, models, plots and pre-processing
methods: a clear error (type, the problem and the fix), and the signal's data, axes,
metadata and existing learning results unchanged."""

import matplotlib
import numpy as np
import pytest
from _cli_helpers import assert_refused, assert_state_unchanged, signal_state, spectra

from emunmix.exceptions import InvalidMaskError, UnknownAlgorithmError
from emunmix.signal import EELSSpectrum

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def base():
    s = spectra(cls=EELSSpectrum)
    s.decomposition(print_info=False)
    s.blind_source_separation(2, print_info=False, random_state=0)
    return s


@pytest.fixture
def s(base):
    return base.deepcopy()


NAV = (4, 5)
CASES = {
    # decomposition
    "output_dimension=0": (lambda s: s.decomposition(output_dimension=0), ValueError,
                           ["between 1 and 20", "got 0"]),
    "output_dimension=1000": (lambda s: s.decomposition(output_dimension=1000), ValueError,
                              ["between 1 and 20"]),
    "output_dimension=nan": (lambda s: s.decomposition(output_dimension=float("nan")),
                             TypeError, ["integer"]),
    "output_dimension=True": (lambda s: s.decomposition(output_dimension=True), TypeError,
                              ["integer"]),
    "algorithm='foo'": (lambda s: s.decomposition(algorithm="foo"), UnknownAlgorithmError,
                        ["'foo'", "Known algorithms", "SVD"]),
    "unknown option": (lambda s: s.decomposition(foo=1), TypeError, ["foo", "it accepts"]),
    "navigation_mask shape": (lambda s: s.decomposition(navigation_mask=np.zeros(3, bool)),
                              ValueError, ["navigation_mask", "shape"]),
    "navigation_mask 0.5": (lambda s: s.decomposition(navigation_mask=np.full(NAV, 0.5)),
                            InvalidMaskError, ["boolean", "0 and 1"]),
    "navigation_mask all": (lambda s: s.decomposition(navigation_mask=np.ones(NAV, bool)),
                            ValueError, ["excludes all"]),
    "signal_mask all": (lambda s: s.decomposition(signal_mask=np.ones(32, bool)), ValueError,
                        ["excludes all 32"]),
    "centre='foo'": (lambda s: s.decomposition(centre="foo"), ValueError, ["centre", "one of"]),
    "svd_solver='foo'": (lambda s: s.decomposition(svd_solver="foo"), ValueError,
                         ["svd_solver", "randomized"]),
    "reproject='foo'": (lambda s: s.decomposition(reproject="foo"), ValueError, ["reproject"]),
    "random_state='foo'": (lambda s: s.decomposition(random_state="foo"), ValueError,
                           ["random_state", "integer"]),
    "var_array shape": (lambda s: s.decomposition(algorithm="MLPCA", output_dimension=2,
                                                  var_array=np.ones(3)), ValueError,
                        ["var_array", "shape"]),
    "NMF centred": (lambda s: s.decomposition(algorithm="NMF", output_dimension=2,
                                              centre="navigation"), ValueError, ["centre=None"]),
    # blind source separation
    "bss(0)": (lambda s: s.blind_source_separation(0), ValueError, ["at least 2"]),
    "bss(1)": (lambda s: s.blind_source_separation(1), ValueError, ["at least 2"]),
    "bss(2.5)": (lambda s: s.blind_source_separation(2.5), TypeError, ["integer"]),
    "bss(True)": (lambda s: s.blind_source_separation(True), TypeError, ["integer"]),
    "bss(100)": (lambda s: s.blind_source_separation(100), ValueError,
                 ["more than the 20", "larger output_dimension"]),
    "bss comp_list": (lambda s: s.blind_source_separation(comp_list=[0, 100]), ValueError,
                      ["[100]", "indices 0 to 19"]),
    "bss algorithm": (lambda s: s.blind_source_separation(2, algorithm="foo"),
                      UnknownAlgorithmError, ["'foo'", "sklearn_fastica"]),
    "bss mask": (lambda s: s.blind_source_separation(2, mask=np.ones(3, bool)), ValueError,
                 ["mask", "(32,)"]),
    "bss whiten": (lambda s: s.blind_source_separation(2, whiten_method="foo"), ValueError,
                   ["'foo'", "PCA", "ZCA"]),
    "bss criterion": (lambda s: s.blind_source_separation(
        2, reverse_component_criterion="foo"), ValueError, ["factors", "loadings"]),
    "bss diff_axes": (lambda s: s.blind_source_separation(2, diff_axes=[5]), ValueError,
                      ["out of range"]),
    "bss diff_order=-1": (lambda s: s.blind_source_separation(2, diff_order=-1), ValueError,
                          ["non-negative"]),
    "bss diff_order=40": (lambda s: s.blind_source_separation(2, diff_order=40), ValueError,
                          ["too high", "41 points"]),
    # clustering
    "n_clusters=0": (lambda s: s.cluster_analysis("signal", n_clusters=0), ValueError,
                     [">= 2"]),
    "n_clusters=1000": (lambda s: s.cluster_analysis("signal", n_clusters=1000), ValueError,
                        ["at most 20"]),
    "n_clusters=2.5": (lambda s: s.cluster_analysis("signal", n_clusters=2.5), ValueError,
                       ["integer"]),
    "cluster source": (lambda s: s.cluster_analysis("foo", n_clusters=2), ValueError,
                       ["'foo'", "decomposition"]),
    "cluster preprocessing": (lambda s: s.cluster_analysis("signal", n_clusters=2,
                                                           preprocessing="foo"), ValueError,
                              ["'foo'", "standard"]),
    "cluster algorithm": (lambda s: s.cluster_analysis("signal", n_clusters=2,
                                                       algorithm="foo"), ValueError,
                          ["'foo'", "kmeans"]),
    "cluster components": (lambda s: s.cluster_analysis("decomposition", n_clusters=2,
                                                        number_of_components=100), ValueError,
                           ["from 1 to 20"]),
    "max_clusters=1": (lambda s: s.estimate_number_of_clusters("signal", max_clusters=1),
                       ValueError, [">= 2"]),
    "metric='foo'": (lambda s: s.estimate_number_of_clusters("signal", metric="foo"),
                     ValueError, ["gap", "silhouette"]),
    # models and plots
    "model(100)": (lambda s: s.get_decomposition_model(100), ValueError, ["from 1 to 20"]),
    "model(0)": (lambda s: s.get_decomposition_model(0), ValueError, ["from 1 to 20"]),
    "model([100])": (lambda s: s.get_decomposition_model([100]), ValueError,
                     ["indices 0 to 19"]),
    "model(2.5)": (lambda s: s.get_decomposition_model(2.5), TypeError, ["int"]),
    "bss model(100)": (lambda s: s.get_bss_model(100), ValueError, ["from 1 to 2"]),
    "factors(-1)": (lambda s: s.plot_decomposition_factors(-1), ValueError, ["from 1 to 20"]),
    "loadings([50])": (lambda s: s.plot_decomposition_loadings([50]), ValueError,
                       ["indices 0 to 19"]),
    "bss factors(10)": (lambda s: s.plot_bss_factors(10), ValueError, ["from 1 to 2"]),
    "scree n=0": (lambda s: s.plot_scree_plot(n=0), ValueError, ["at least 1"]),
    "scree n=-3": (lambda s: s.plot_scree_plot(n=-3), ValueError, ["at least 1"]),
    "scree n=2.5": (lambda s: s.plot_explained_variance_ratio(n=2.5), TypeError, ["integer"]),
    "cumulative n=-1": (lambda s: s.plot_cumulative_explained_variance_ratio(n=-1),
                        ValueError, ["at least 1"]),
    "elbow max_points=0": (lambda s: s.estimate_elbow_position(max_points=0), ValueError,
                           ["at least 2"]),
    # shifts, alignment, spikes
    "shift1D shape": (lambda s: s.shift1D(np.zeros(3)), ValueError, ["(3,)", "navigation"]),
    "shift1D inf": (lambda s: s.shift1D(np.full(NAV, np.inf)), ValueError, ["infinite"]),
    "shift1D +-20": (lambda s: s.shift1D(np.where(np.arange(20).reshape(NAV) % 2, 20.0,
                                                   -20.0)), ValueError,
                     ["leave nothing", "crop=False"]),
    "shift1D method": (lambda s: s.shift1D(np.zeros(NAV), interpolation_method="foo"),
                       ValueError, ["'foo'", "linear"]),
    "align1D window": (lambda s: s.align1D(20.0, 10.0), ValueError, ["window", "at least 3"]),
    "estimate_shift1D max_shift=-1": (lambda s: s.estimate_shift1D(max_shift=-1), ValueError,
                                      ["max_shift", ">= 0"]),
    "align1D max_shift=nan": (lambda s: s.align1D(max_shift=float("nan")), ValueError,
                              ["max_shift"]),
    "estimate_shift1D start=nan": (lambda s: s.estimate_shift1D(start=float("nan")),
                                   ValueError, ["not a number"]),
    "align1D reference": (lambda s: s.align1D(reference_indices=(100,)), ValueError,
                          ["reference_indices", "2 entries"]),
    "spikes threshold=-1": (lambda s: s.spikes_removal_tool(threshold=-1, interactive=False),
                            ValueError, ["'auto' or a positive number"]),
    "spikes threshold=nan": (lambda s: s.spikes_removal_tool(threshold=float("nan"),
                                                             interactive=False), ValueError,
                             ["positive number"]),
    "spikes navigation_mask": (lambda s: s.spikes_removal_tool(
        interactive=False, navigation_mask=np.ones(3, bool)), ValueError, ["(3,)"]),
    "spikes signal_mask": (lambda s: s.spikes_removal_tool(
        interactive=False, signal_mask=np.ones(3, bool)), ValueError, ["one value per channel"]),
    "spikes width": (lambda s: s.spikes_removal_tool(interactive=False,
                                                     default_spike_width=-1), ValueError,
                     [">= 0"]),
    "remove_spikes factor": (lambda s: s.remove_spikes(threshold_factor=-1), ValueError,
                             ["positive number"]),
    "zlp signal_range": (lambda s: s.align_zero_loss_peak(signal_range=(1, 10**6)),
                         ValueError, ["signal_range", "outside"]),
    "zlp mask": (lambda s: s.align_zero_loss_peak(mask=np.ones(3, bool)), ValueError,
                 ["(3,)"]),
    "zlp kwarg": (lambda s: s.align_zero_loss_peak(foo=1), TypeError, ["foo", "accepted"]),
    "zlp method": (lambda s: s.estimate_zero_loss_peak_centre(method="foo"), ValueError,
                   ["'foo'", "fit"]),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_argument_is_refused_and_everything_kept(s, name):
    call, error, words = CASES[name]
    assert_refused(s, call, error, words)


class _Failing:
    """An estimator whose fit fails half-way through a call."""

    n_components = 2
    components_ = None

    def fit(self, X, y=None):
        raise RuntimeError("the estimator failed")

    fit_transform = fit_predict = fit

    def transform(self, X):
        raise RuntimeError("the estimator failed")


FAILING_STEPS = {
    "decomposition": lambda s: s.decomposition(algorithm=_Failing(), output_dimension=2),
    "bss": lambda s: s.blind_source_separation(2, algorithm=_Failing()),
    "cluster": lambda s: s.cluster_analysis("signal", algorithm=_Failing()),
    "cluster scaler": lambda s: s.cluster_analysis("signal", n_clusters=2,
                                                   preprocessing=_Failing()),
}


@pytest.fixture(scope="module")
def clustered(base):
    s = base.deepcopy()
    s.cluster_analysis("signal", n_clusters=2, random_state=0)
    return s


@pytest.mark.parametrize("name", FAILING_STEPS)
def test_an_algorithm_failing_mid_call_leaves_all_results_as_they_were(clustered, name):
    s = clustered.deepcopy()
    before = signal_state(s)
    with pytest.raises(RuntimeError, match="the estimator failed"):
        FAILING_STEPS[name](s)
    assert_state_unchanged(s, before)


@pytest.mark.parametrize("call", ["decomposition", "spikes"])
def test_nan_data_are_refused_with_the_fix_and_nothing_changes(s, call):
    s.data[0, 0, 0] = np.nan
    before = signal_state(s)
    with pytest.raises(ValueError, match="NaN") as info:
        if call == "decomposition":
            s.decomposition()
        else:
            s.spikes_removal_tool(interactive=False)
    assert "mask" in str(info.value)
    assert_state_unchanged(s, before)
