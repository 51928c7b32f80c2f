"""explain: TreeSHAP sums to the raw margin, groups by input, equals stroke-predict --explain."""
import numpy as np
import pandas as pd

from conftest import random_records, run_stroke_predict


def test_contributions_sum_to_the_raw_margin(model, bundle):
    rows = [g["inputs"] for g in bundle["golden"]] + random_records(model, 100, seed=9)
    why = model.explain(pd.DataFrame(rows))
    n, k, f = len(rows), model.n_outputs, model.n_features
    assert why.contributions.shape == (n, k, f) and why.contributions.dtype == np.float64
    assert why.expected_value.shape == (k,) and why.raw_margin.shape == (n, k)
    assert why.by_input.shape == (n, k, len(why.input_names))
    assert why.feature_names == model.feature_names
    np.testing.assert_array_equal(why.raw_margin, model.predict_raw(rows))
    total = why.expected_value + why.contributions.sum(axis=2)
    np.testing.assert_allclose(total, why.raw_margin, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(why.by_input.sum(axis=2), why.contributions.sum(axis=2), rtol=1e-12, atol=1e-12)
    inputs = {field["name"] for field in model.schema}
    assert set(why.input_names) >= inputs & set(why.input_names)


def test_equal_to_stroke_predict_explain(model, bundle, bundle_path, tmp_path):
    rows = [g["inputs"] for g in bundle["golden"]] + random_records(model, 20, seed=13)
    answers = run_stroke_predict(bundle_path, rows, tmp_path, "--explain")
    why = model.explain(rows)
    for i, answer in enumerate(answers):
        explanations = answer["explanation"]
        if not isinstance(explanations, list):  # binary and regression: the last raw output
            explanations = [dict(explanations, **{"class": model.n_outputs - 1})]
        for e in explanations:
            k = e["class"]
            assert why.expected_value[k] == e["expected_value"]
            np.testing.assert_array_equal(why.contributions[i, k], [e["contributions"][name]
                                                                    for name in model.feature_names])
            np.testing.assert_array_equal(why.by_input[i, k], [e["by_input"][name] for name in why.input_names])
