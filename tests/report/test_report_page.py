"""The report page and summary.json: self-contained, complete, consistent, written safely."""

import json

import numpy as np
import pytest

import emunmix
import emunmix.api as hs
from _report_page import PageParts, decode_png, figure_titles, missing_numbers
from emunmix.report import Report, Section, report, write_report
from emunmix.report.html import render_html


@pytest.fixture(scope="module")
def written(cl1_decomposed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rep")
    page = hs.report(cl1_decomposed, folder, command="python my_script.py")
    return page, json.loads((folder / "summary.json").read_text())


def test_report_holds_dataset_steps_version_and_command(written):
    page, summary = written
    assert page.name == "report.html"
    assert summary["emunmix_version"] == emunmix.__version__
    assert summary["command"] == "python my_script.py"
    assert [s["name"] for s in summary["steps"]] == ["decomposition", "blind source separation"]
    (ds,) = summary["datasets"]
    assert ds["data_shape"] == [64, 64, 1024]
    assert [a["name"] for a in ds["axes"]] == ["x", "y", "Energy loss"]
    assert ds["axes"][2]["offset"] == 400.0 and ds["axes"][2]["units"] == "eV"
    assert ds["metadata"]["Acquisition_instrument.TEM.beam_energy"] == 200.0
    html = page.read_text()
    for text in ("python my_script.py", f"emunmix {emunmix.__version__}", "Scree plot",
                 "Against the ground truth"):
        assert text in html


def test_page_is_self_contained_and_every_figure_is_an_inline_png(written):
    page, summary = written
    parts = PageParts(page.read_text())
    assert parts.scripts == 0
    # every src/href is inline: nothing to fetch, so the page opens offline
    assert all(u.startswith("data:") for u in parts.urls), parts.urls
    titles = figure_titles(summary)
    assert len(parts.images) == len(titles) >= 4  # overview, scree, components, BSS
    for src in parts.images:
        assert len(decode_png(src)) > 2000


def test_every_number_of_the_summary_is_on_the_page(written):
    page, summary = written
    text = " ".join(PageParts(page.read_text()).text)
    assert missing_numbers(summary, text) == []


def test_scree_table_and_elbow_agree_with_the_results(cl1_decomposed, written):
    _, summary = written
    lr = cl1_decomposed.learning_results
    dec = summary["steps"][0]
    ratios = [row["explained variance ratio"] for row in dec["tables"]["scree"]]
    np.testing.assert_allclose(ratios, lr.explained_variance_ratio[:20], rtol=1e-5)
    assert dec["results"]["elbow position"] == cl1_decomposed.estimate_elbow_position()
    assert dec["results"]["number_significant_components"] == 5  # HyperSpy's elbow + 1
    assert dec["results"]["estimated_number_of_components"] == 4


def test_ground_truth_scores_match_an_independent_computation(cl1_decomposed, written):
    from emunmix.datasets import make_dataset

    _, summary = written
    truth = make_dataset("CL1").truth
    model = cl1_decomposed.get_decomposition_model(4).data.astype(np.float64)
    expected = np.sqrt(np.mean((model - truth.noiseless) ** 2))
    gt = summary["steps"][0]["ground_truth"]
    assert gt["true components"] == 4
    assert gt["RMS error vs noiseless, 4-component model"] == pytest.approx(expected, rel=1e-4)
    bss = summary["steps"][1]["ground_truth"]
    lr = cl1_decomposed.learning_results
    for i, sp in enumerate(truth.spectra):  # each true spectrum has a near-copy among sources
        best = max(abs(np.corrcoef(sp, lr.bss_factors[:, j])[0, 1]) for j in range(4))
        assert bss["spectra |corr| per true component"][i] == pytest.approx(best, abs=1e-5)
    assert bss["maps mean |corr|"] > 0.99


def test_other_data_get_no_ground_truth(eels):
    eels.decomposition(print_info=False)  # title "CL1" but 3 x 5 pixels: not the dataset
    rep = report(eels)
    assert all(not s.ground_truth for s in rep.sections)


def test_changed_synthetic_data_keep_component_scores_only(cl1_decomposed):
    s = cl1_decomposed.deepcopy()
    s.data[0, 0, 0] += 1  # no longer the default-seed data: noiseless truth does not apply
    s.decomposition(True, algorithm="NMF", output_dimension=4, random_state=0,
                    print_info=False)
    gt = report(s).sections[0].ground_truth
    assert gt["maps mean |corr|"] > 0.99
    assert not any(k.startswith("RMS") for k in gt)


def test_a_signal_without_results_gets_the_dataset_part_only(eels, tmp_path):
    page = report(eels, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["steps"] == [] and summary["datasets"][0]["learning results"] == "none"
    assert "EELSSpectrum" in page.read_text()


def test_learning_results_report_works_without_the_signal(cl1_decomposed, tmp_path):
    page = cl1_decomposed.learning_results.report(tmp_path / "lr")
    summary = json.loads((tmp_path / "lr" / "summary.json").read_text())
    assert summary["datasets"] == []
    assert [s["name"] for s in summary["steps"]] == ["decomposition", "blind source separation"]
    assert len(PageParts(page.read_text()).images) == 3


def test_an_existing_report_is_kept_unless_overwrite(eels, tmp_path):
    first = report(eels, tmp_path)
    before = first.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        report(eels, tmp_path, title="another")
    assert first.read_bytes() == before
    report(eels, tmp_path, title="another", overwrite=True)
    assert "another" in first.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "summary.json"]


def test_a_failed_write_leaves_no_file(eels, tmp_path, monkeypatch):
    import emunmix.report.writer as writer

    def broken(_report):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "render_html", broken)
    with pytest.raises(RuntimeError):
        report(eels, tmp_path / "r")
    assert not (tmp_path / "r").exists() or list((tmp_path / "r").iterdir()) == []


def test_a_path_that_is_an_existing_file_is_refused(eels, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"is a file.*\.html"):
        report(eels, tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    page = report(eels, tmp_path / "run.2026")  # a new folder may have a dot in its name
    assert page == tmp_path / "run.2026" / "report.html"


def test_an_html_path_gets_its_summary_beside_it(eels, tmp_path):
    page = report(eels, tmp_path / "run.html")
    assert page == tmp_path / "run.html" and (tmp_path / "summary.json").exists()


def test_text_is_escaped_and_numbers_are_printed_as_json_writes_them():
    rep = Report("<b>title</b>", command="emunmix decompose 'a&b.hspy'")
    rep.add(Section("step <1>", parameters={"x": 1e-07, "big": 123456789.0},
                    seconds=0.5, results={"nan": float("nan")}))
    html = render_html(rep)
    assert "<b>title</b>" not in html and "&lt;b&gt;title&lt;/b&gt;" in html
    assert "a&amp;b.hspy" in html and "step &lt;1&gt;" in html
    summary = rep.to_summary()
    assert summary["steps"][0]["results"]["nan"] is None  # JSON has no NaN
    json.dumps(summary, allow_nan=False)
    assert missing_numbers(summary, " ".join(PageParts(html).text)) == []


def test_decomposition_section_needs_results(eels):
    from emunmix.report.sections import decomposition_section

    with pytest.raises(ValueError, match="decomposition"):
        decomposition_section(eels.learning_results, eels)


def test_write_report_returns_the_page(tmp_path):
    page = write_report(Report("empty"), tmp_path)
    assert page.exists() and page.read_text().startswith("<!DOCTYPE html>")


def test_the_python_calls_on_the_page_repeat_the_steps(cl1_decomposed, written):
    from emunmix import datasets

    _, summary = written
    calls = [st["call"] for st in summary["steps"]]
    assert calls[0].startswith("s.decomposition(") and "random_state" in calls[1]
    s = datasets.CL1()
    for call in calls:
        exec(call, {"s": s})  # noqa: S102 - the page's own text, run as a user would
    lr, ref = s.learning_results, cl1_decomposed.learning_results
    np.testing.assert_allclose(lr.explained_variance_ratio, ref.explained_variance_ratio,
                               rtol=1e-6)
    np.testing.assert_allclose(lr.bss_factors, ref.bss_factors, rtol=1e-5, atol=1e-6)


def test_a_report_shows_itself_in_jupyter(eels):
    from html import unescape

    rep = report(eels, title="in a notebook")
    frame = rep._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "<html" not in frame  # escaped page
    doc = unescape(frame.split('srcdoc="', 1)[1].split('" title=', 1)[0])
    assert doc == render_html(rep)
