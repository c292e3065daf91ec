"""Numbers on the page and in summary.json are the same text."""

import json

import numpy as np

from emunmix.report.numbers import SIGNIFICANT, clean, fmt, leaf_numbers


def test_page_text_equals_json_text_for_many_magnitudes():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(size=200) * 10.0 ** rng.integers(-12, 12, 200),
                             [0.0, -0.0, 1.0, 1e16, 123456789.0, 2.5e-300]])
    for v in values:
        c = clean(v)
        assert fmt(c) == json.dumps(c)
        assert abs(c - v) <= abs(v) * 10.0 ** (1 - SIGNIFICANT)


def test_clean_makes_numpy_values_plain_and_drops_non_finite():
    c = clean({"a": np.int64(3), "b": np.array([np.float32(0.5), np.inf]), 1: (True,)})
    assert c == {"a": 3, "b": [0.5, None], "1": [True]}
    assert type(c["a"]) is int
    assert leaf_numbers(c) == [3, 0.5]
