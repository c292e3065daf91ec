"""Report tests: headless figures, one decomposed CL1 shared by the module's tests."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def cl1_decomposed():
    """CL1 (the built-in dataset, default seed) after Poisson SVD and a 4-source BSS."""
    from emunmix import datasets

    s = datasets.CL1()
    s.decomposition(True, print_info=False)
    s.blind_source_separation(4, print_info=False, random_state=0)
    return s
