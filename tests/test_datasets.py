"""Synthetic datasets: shapes, physics of the ground truth, determinism and the signal wrappers."""

from functools import lru_cache

import numpy as np
import pytest

from emunmix import datasets
from emunmix.datasets import DATASET_NAMES, make_dataset


@lru_cache(maxsize=None)
def _ds(name, hard=False):
    # each dataset is made once per session; tests must not modify the arrays
    ds = make_dataset(name, hard=hard)
    for a in (ds.data, ds.truth.noiseless, ds.truth.maps, ds.truth.spectra):
        a.flags.writeable = False
    return ds


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("name", DATASET_NAMES)
def test_shapes_axes_and_metadata(name, hard):
    ds = _ds(name, hard)
    t = ds.truth
    k = len(t.component_names)
    assert ds.name == name
    assert ds.data.shape == t.noiseless.shape == (64, 64, 1024)
    assert ds.data.dtype == np.float32 and ds.data.flags.c_contiguous
    assert t.maps.shape == (k, 64, 64) and t.spectra.shape == (k, 1024)
    assert (t.maps >= 0).all() and (t.spectra >= 0).all() and (ds.data >= 0).all()
    assert [a["name"] for a in ds.axes] == ["y", "x", "Energy loss"]
    assert [a["navigate"] for a in ds.axes] == [True, True, False]
    sig = ds.axes[2]
    assert sig["size"] == 1024
    np.testing.assert_allclose(t.energy_axis, sig["offset"] + sig["scale"] * np.arange(1024))
    assert ds.metadata["General"]["title"] == (f"{name} (hard)" if hard else name)
    assert ds.metadata["Signal"]["signal_type"] == "EELS"
    assert (t.shifts is not None) == (name in ("CL3", "CL4", "LL3"))
    assert (t.spike_mask is not None) == (t.spike_free is not None) == (name == "CL4")


def test_names_are_case_insensitive_and_unknown_names_are_listed():
    assert make_dataset("cl2").name == "CL2"
    with pytest.raises(ValueError, match="CL1, CL2, CL3, CL4, LL3"):
        make_dataset("CL5")
    with pytest.raises(TypeError):
        make_dataset("CL1", random_state="seed")


def test_core_loss_axis_contains_the_edges():
    e = _ds("CL1").truth.energy_axis
    assert e[0] == 400.0 and e[1] - e[0] == 1.0
    for onset in (456, 530, 533, 575, 640, 708, 779, 855, 872):
        assert e[0] + 20 < onset < e[-1] - 20
    assert _ds("CL1").truth.component_names == [
        "SiO2 matrix (O K)", "Ti (Ti L2,3)", "Mn (Mn L2,3)", "Ni (Ni L2,3)"]


@pytest.mark.parametrize("hard", [False, True])
def test_components_are_phases_with_their_own_background(hard):
    t = _ds("CL2", hard).truth
    e = t.energy_axis
    for name, spectrum in zip(t.component_names, t.spectra.astype(np.float64)):
        # below the first edge (O K >= 530 eV, Ti L 456 eV) a phase is a pure power law
        # with a plausible exponent
        top = 450 if name.startswith("Ti") else 525
        pre = slice(0, top - 400)
        r = -np.polyfit(np.log(e[pre]), np.log(spectrum[pre]), 1)[0]
        assert 2.4 < r < 3.6, (name, r)
        # and it never falls to zero: the background runs under every edge
        assert spectrum.min() > 0.01 * spectrum.max(), name
        # every phase carries edges: well above its extrapolated background after them
        fit = np.polyfit(np.log(e[pre]), np.log(spectrum[pre]), 1)
        excess = spectrum / np.exp(np.polyval(fit, np.log(e))) - 1.0
        assert excess[top - 400 + 5 :].max() > 0.5, name
    if hard:
        # phases share edges: O K in five of them, the metallic Fe edge in Fe and CoFe
        names = t.component_names
        assert sum("O K" in n for n in names) == 5
        assert sum("Fe L2,3" in n for n in names) == 3


@pytest.mark.parametrize("hard", [False, True])
def test_cl2_is_exactly_maps_times_spectra_with_rank_n_components(hard):
    ds = _ds("CL2", hard)
    t = ds.truth
    model = np.einsum("kyx,kc->yxc", t.maps.astype(np.float64), t.spectra.astype(np.float64))
    np.testing.assert_allclose(ds.data, model, rtol=1e-6)
    np.testing.assert_array_equal(ds.data, t.noiseless)
    rows = ds.data.reshape(-1, 1024)[::16].astype(np.float64)  # 256 pixels keep the rank
    sv = np.linalg.svd(rows, compute_uv=False)
    assert int((sv / sv[0] > 1e-5).sum()) == len(t.component_names)


@pytest.mark.parametrize("hard", [False, True])
def test_maps_are_distinct_but_overlap(hard):
    maps = _ds("CL1", hard).truth.maps
    m = maps.reshape(len(maps), -1)
    corr = np.corrcoef(m)[np.triu_indices(len(m), 1)]
    assert np.abs(corr).max() < 0.9
    # non-trivial mixing: every phase shares pixels with another phase
    overlap = np.minimum(m[:, None], m[None]).sum(-1) / m.sum(-1)[:, None]
    np.fill_diagonal(overlap, 0)
    assert (overlap.max(axis=1) > 0.1).all()


def test_easy_phases_are_each_nearly_pure_somewhere():
    t = _ds("CL2").truth
    k = len(t.component_names)
    # CL2 is thickness-weighted: the phase fraction of a pixel is its share of the counts
    # at map weight 1, i.e. maps * spectra integrated, divided by the pixel's total
    weight = t.maps.reshape(k, -1) * t.spectra.sum(axis=1)[:, None]
    fraction = weight / weight.sum(axis=0)
    assert (fraction.max(axis=1) > 0.7).all()


@pytest.mark.parametrize("hard", [False, True])
def test_low_loss_thickness_is_the_sum_of_the_phase_thicknesses(hard):
    cl, ll = _ds("CL2", hard).truth, _ds("LL3", hard).truth
    maps = ll.maps.astype(np.float64)
    t_over_lambda = (maps[1] / maps[0]).ravel()  # I0 exp(-t) t / (I0 exp(-t))
    lo, hi = (0.75, 1.25) if hard else (0.45, 1.0)
    assert lo < t_over_lambda.min() and t_over_lambda.max() < hi
    np.testing.assert_allclose(maps[2] / maps[0], (maps[1] / maps[0]) ** 2 / 2, rtol=1e-5)
    # t/lambda is a positive combination of the phase maps (their peak thicknesses)
    k = len(cl.maps)
    peaks, *_ = np.linalg.lstsq(cl.maps.reshape(k, -1).T.astype(np.float64), t_over_lambda,
                                rcond=None)
    assert (peaks > 0.2).all() and (peaks < 1.0).all()
    fit = cl.maps.reshape(k, -1).T @ peaks
    np.testing.assert_allclose(fit, t_over_lambda, rtol=1e-5)


def test_cl1_is_poisson_noise_on_cl2():
    ds = _ds("CL1")
    np.testing.assert_array_equal(ds.truth.noiseless, _ds("CL2").data)
    np.testing.assert_array_equal(ds.data, np.round(ds.data))
    lam = ds.truth.noiseless.astype(np.float64)
    z2 = (ds.data - lam) ** 2 / lam
    assert abs(z2.mean() - 1.0) < 0.01
    background = ds.data[..., -1]  # counts per channel at 1423 eV
    assert 100 < background.mean() and 3000 < ds.data[..., 0].mean() < 6000


def test_cl3_shifts_are_about_one_channel_and_move_features_up():
    ds = _ds("CL3")
    s = ds.truth.shifts
    assert s.shape == (64, 64)
    assert 0.9 < s.std() < 1.1 and abs(s.mean()) < 0.1 and np.abs(s).max() <= 3.5
    assert not np.allclose(s, np.round(s))  # sub-channel shifts
    # positive shift = features at higher energy: Mn L3 white line at 640.6 eV + shift
    t = ds.truth
    mn = t.component_names.index("Mn (Mn L2,3)")
    pixels = t.maps[mn] > 0.5
    window = slice(630 - 400, 650 - 400)
    peak = t.energy_axis[window][np.argmax(t.noiseless[pixels][:, window], axis=1)]
    assert np.abs(peak - (640.6 + s[pixels])).max() <= 1.0
    # noiseless at zero shift is CL2; shifting raises the rank
    z = np.abs(s) < 0.05
    np.testing.assert_allclose(t.noiseless[z], _ds("CL2").data[z], rtol=0.05)
    lam = t.noiseless.astype(np.float64)
    assert abs(((ds.data - lam) ** 2 / lam).mean() - 1.0) < 0.01


def test_cl4_spikes_are_single_channel_and_on_top_of_cl3():
    ds = _ds("CL4")
    t = ds.truth
    np.testing.assert_array_equal(t.spike_free, _ds("CL3").data)
    np.testing.assert_array_equal(t.shifts, _ds("CL3").truth.shifts)
    spikes = ds.data - t.spike_free
    assert (spikes[~t.spike_mask] == 0).all() and (spikes[t.spike_mask] > 0).all()
    np.testing.assert_array_equal(t.spike_free + spikes, ds.data)
    per_pixel = t.spike_mask.sum(-1)
    assert 0.005 <= (per_pixel > 0).mean() <= 0.01
    assert per_pixel.max() == 2 and (per_pixel == 2).sum() >= 1
    ratio = spikes[t.spike_mask] / t.noiseless[t.spike_mask]
    assert ratio.min() > 2 and ratio.max() < 35 and np.median(ratio) > 5
    # single-channel: no two spikes in neighbouring channels
    assert not (t.spike_mask[..., 1:] & t.spike_mask[..., :-1]).any()


@pytest.mark.parametrize("hard", [False, True])
def test_ll3_zlp_sits_at_the_cl3_shift(hard):
    ds = _ds("LL3", hard)
    t = ds.truth
    np.testing.assert_array_equal(t.shifts, _ds("CL3", hard).truth.shifts)
    assert ds.axes[2]["offset"] == -20.0 and ds.axes[2]["scale"] == 0.1
    nearest = np.round((t.shifts + 20.0) / 0.1).astype(int)  # channel of the true ZLP centre
    exact = t.energy_axis[np.argmax(t.noiseless, axis=-1)]
    assert np.abs(exact - t.shifts).max() <= 0.05 + 0.005  # half a channel; float32 energies
    assert np.abs(np.argmax(ds.data, axis=-1) - nearest).max() <= 1  # noise: one channel
    plasmon = t.energy_axis[300 + np.argmax(ds.data[..., 300:], axis=-1)]  # above 10 eV
    assert 15 < np.median(plasmon - t.shifts) < 25


def test_hard_variant_has_more_components_and_about_ten_times_fewer_counts():
    for name in ("CL1", "LL3"):
        ratio = _ds(name).data.mean() / _ds(name, True).data.mean()
        assert 7 < ratio < 13
    hard = _ds("CL1", True).truth
    assert len(hard.component_names) == 7
    for element in ("O K", "Cr L2,3", "Mn L2,3", "Fe L2,3", "Co L2,3", "Ni L2,3"):
        assert any(element in n for n in hard.component_names), element
    assert not np.allclose(_ds("CL3", True).truth.shifts, _ds("CL3").truth.shifts)


def test_deterministic_and_seedable():
    a = make_dataset("CL4")
    np.testing.assert_array_equal(a.data, _ds("CL4").data)
    np.testing.assert_array_equal(a.truth.spike_mask, _ds("CL4").truth.spike_mask)
    b = make_dataset("CL1", random_state=np.random.default_rng(7))
    c = make_dataset("CL1", random_state=np.random.default_rng(7))
    np.testing.assert_array_equal(b.data, c.data)
    assert not np.array_equal(b.data, _ds("CL1").data)


def test_results_are_fresh_copies():
    a = make_dataset("CL2")
    a.data[:] = 0
    a.truth.maps[:] = 0
    a.truth.noiseless[:] = 0
    b = make_dataset("CL2")
    assert b.data.max() > 0 and b.truth.maps.max() == 1 and b.truth.noiseless.max() > 0


def test_signal_wrappers():
    signals = datasets.load_all()
    assert list(signals) == list(DATASET_NAMES)
    s = signals["CL1"]
    assert type(s).__name__ == "EELSSpectrum"
    np.testing.assert_array_equal(np.asarray(s.data), _ds("CL1").data)
    assert s.metadata.General.title == "CL1"
    assert s.axes_manager.signal_axes[0].offset == 400.0
    assert signals["LL3"].axes_manager.signal_axes[0].scale == pytest.approx(0.1)
    s2, truth = datasets.CL2(hard=True, return_truth=True)
    assert s2.metadata.General.title == "CL2 (hard)"
    assert truth.maps.shape == (7, 64, 64)


def test_spectra_on_resamples_the_truth_on_another_axis():
    truth = make_dataset("CL1").truth
    same = truth.spectra_on(truth.energy_axis)
    np.testing.assert_allclose(same, truth.spectra)
    half = truth.spectra_on(truth.energy_axis[10:20] + 0.5)
    np.testing.assert_allclose(half, 0.5 * (truth.spectra[:, 10:20] + truth.spectra[:, 11:21]),
                               rtol=1e-6)


def test_phases_dataset_ground_truth():
    from emunmix.datasets import PHASES

    s, truth = PHASES(return_truth=True)
    assert s.data.shape == (64, 64, 512) and s.metadata.Signal.signal_type == "EDS_TEM"
    assert truth.n_phases == 4 and set(np.unique(truth.labels)) == {0, 1, 2, 3}
    np.testing.assert_allclose(truth.fractions.sum(0), 1.0)
    # pure pixels hold one phase; boundary pixels mix two, the labelled one in majority
    pure = ~truth.boundary
    assert (truth.fractions.max(0)[pure] == 1.0).all()
    assert (truth.fractions.max(0)[truth.boundary] >= 0.55).all()
    np.testing.assert_array_equal(truth.fractions.argmax(0), truth.labels)
    assert 0.05 < truth.boundary.mean() < 0.3
    np.testing.assert_allclose(truth.noiseless,
                               np.einsum("kyx,kc->yxc", truth.fractions, truth.spectra),
                               rtol=1e-5)
    assert 2000 < s.data.sum(-1).mean() < 4000  # counts per pixel (easy)
    hard, ht = PHASES(hard=True, return_truth=True)
    assert ht.n_phases == 6 and hard.data.sum(-1).mean() < 600
    again = PHASES()
    np.testing.assert_array_equal(again.data, s.data)  # deterministic default
    assert not np.array_equal(PHASES(random_state=5).data, s.data)
