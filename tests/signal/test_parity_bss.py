"""HyperSpy 2.5's BSS calls: estimator objects, return_info, whiten_method=None, and
convergence warnings that scikit-learn's filters catch."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.decomposition import FastICA
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import emunmix.api as hs
from emunmix import exceptions
from emunmix.learn.bss.whiten import whiten


@pytest.fixture
def s():
    s = hs.datasets.CL1(random_state=0).isig[:200].inav[:16, :12]
    s.axes_manager.signal_axes[0].scale = 0.02
    s.decomposition(True, print_info=False)
    return s


def test_named_fastica_return_info_is_the_fitted_estimator(s):
    est = s.blind_source_separation(3, print_info=False, return_info=True, random_state=0)
    assert isinstance(est, FastICA)
    assert not est.whiten  # HyperSpy whitens itself and turns FastICA's whitening off
    # the unmixing is FastICA's rotation of HyperSpy's whitening (sorted, signed)
    w = s.learning_results.unmixing_matrix
    assert np.allclose(np.abs(np.linalg.det(est.components_)), 1, atol=1e-6)
    assert w.shape == (3, 3)


@pytest.mark.parametrize("make", [
    lambda: FastICA(whiten=False, random_state=0, tol=1e-10, max_iter=1000),
    lambda: make_pipeline(StandardScaler(), FastICA(whiten=False, random_state=0,
                                                    tol=1e-10, max_iter=1000)),
])
def test_estimator_objects_unmix_as_the_named_algorithm(s, make):
    est = make()
    out = s.blind_source_separation(3, algorithm=est, print_info=False, return_info=True)
    assert out is est
    mine = np.asarray(s.learning_results.bss_factors)
    ref = s.deepcopy()
    ref.blind_source_separation(3, print_info=False, random_state=0)
    theirs = ref.learning_results.bss_factors
    # the same sources up to order and sign (the scaler only rescales the whitened data)
    corr = np.abs(np.corrcoef(mine.T, theirs.T)[:3, 3:])
    assert np.all(corr.max(axis=1) > 0.999)


def test_whiten_method_none_lets_fastica_whiten(s):
    """HyperSpy: whiten_method=None leaves FastICA's own whitening on, so the unmixing is
    FastICA's components_ (its whitening included) of the differentiated factors."""
    est = s.blind_source_separation(3, whiten_method=None, print_info=False,
                                    return_info=True, random_state=0, max_iter=1000)
    assert est.whiten == "unit-variance"
    lr = s.learning_results
    dF = np.gradient(lr.factors[:, :3], s.axes_manager.signal_axes[0].axis, axis=0)
    sources = (dF - est.mean_) @ lr.unmixing_matrix.T
    # independent sources are uncorrelated with unit variance (FastICA's unit-variance)
    np.testing.assert_allclose(np.cov(sources.T, bias=True), np.eye(3), atol=1e-6)


def test_whiten_keyword_with_a_whitening_method_is_ignored_with_a_warning(s):
    ref = s.deepcopy()
    ref.blind_source_separation(3, print_info=False, random_state=0)
    with pytest.warns(UserWarning, match="whitened already"):
        s.blind_source_separation(3, print_info=False, random_state=0, whiten=True)
    np.testing.assert_allclose(s.learning_results.bss_factors,
                               ref.learning_results.bss_factors)


def test_bss_derivative_is_in_calibrated_units(s):
    """BSS factors scale with the axis scale as HyperSpy's (derivative per unit)."""
    a = s.deepcopy()
    a.axes_manager.signal_axes[0].scale = 1.0
    a.blind_source_separation(3, print_info=False, random_state=0)
    s.blind_source_separation(3, print_info=False, random_state=0)
    np.testing.assert_allclose(s.learning_results.bss_factors,
                               0.02 * a.learning_results.bss_factors, rtol=1e-6,
                               atol=1e-9 * np.abs(a.learning_results.bss_factors).max())


def test_sklearn_filters_catch_our_convergence_warnings(s):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        s.blind_source_separation(3, print_info=False, random_state=0, max_iter=2)
        s.deepcopy().decomposition(algorithm="NMF", output_dimension=2, max_iter=2,
                                   print_info=False, random_state=0)
    with pytest.warns(exceptions.ConvergenceWarning, match="max_iter") as rec:
        s.blind_source_separation(3, print_info=False, random_state=0, max_iter=2)
    assert issubclass(rec[0].category, SklearnConvergenceWarning)


def test_estimator_convergence_warnings_are_ours_too(s):
    with pytest.warns(exceptions.ConvergenceWarning) as rec:
        s.blind_source_separation(3, algorithm=FastICA(whiten=False, max_iter=2, tol=1e-12,
                                                       random_state=0), print_info=False)
    assert any(issubclass(w.category, SklearnConvergenceWarning)
               and issubclass(w.category, exceptions.BSSConvergenceWarning) for w in rec)


@pytest.mark.parametrize("name", ["NMFConvergenceWarning", "MLPCAConvergenceWarning",
                                  "RPCAConvergenceWarning", "BSSConvergenceWarning",
                                  "DecompositionConvergenceWarning"])
def test_warning_classes_derive_from_both(name):
    cls = getattr(exceptions, name)
    assert issubclass(cls, exceptions.ConvergenceWarning)
    assert issubclass(cls, SklearnConvergenceWarning)
    assert cls is exceptions.convergence_warning(name)


def test_import_does_not_import_sklearn():
    code = ("import sys, emunmix.api, emunmix.exceptions, emunmix.learn.bss, "
            "emunmix.learn.nmf, emunmix.learn.decomposition; "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_whitening_is_pca_whitening():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3)) @ rng.normal(size=(3, 3))
    Y, W = whiten(X)
    np.testing.assert_allclose(Y.T @ Y / len(Y), np.eye(3), atol=1e-8)
