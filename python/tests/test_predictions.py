"""Predictions of every bundle: the training library's golden rows, stroke-predict's
answers bit for bit, DataFrame = list of dicts, prepare + predict_features = predict,
shapes, dtypes and properties."""
import numpy as np
import pandas as pd
import pytest

import stroke
from conftest import random_records, run_stroke_predict


def golden_inputs(bundle):
    return [g["inputs"] for g in bundle["golden"]]


def test_golden_rows_match_the_training_library(model, bundle):
    golden = bundle["golden"]
    assert len(golden) >= 2
    rows = golden_inputs(bundle)
    if model.task == "regression":
        expected = np.array([g["value"] for g in golden])
        np.testing.assert_array_equal(model.predict(rows), expected)  # bit for bit
        return
    proba = model.predict_proba(rows)
    if model.task == "binary_classification":
        np.testing.assert_array_equal(proba[:, 1], [g["probability"] for g in golden])  # bit for bit
        np.testing.assert_array_equal(proba[:, 0], 1.0 - proba[:, 1])  # what predict_proba's [1-p, p] gives
        if "raw_margin" in golden[0] and model.n_outputs == 1:
            np.testing.assert_array_equal(model.predict_raw(rows)[:, 0], [g["raw_margin"] for g in golden])
    else:
        # Softmax: libstroke matches scikit-learn to ~1e-16 (stroke/ensemble.h), not bit for bit.
        np.testing.assert_allclose(proba, [g["probabilities"] for g in golden], rtol=0, atol=1e-15)
    expected_labels = model.classes_[[g["prediction"] for g in golden]]
    np.testing.assert_array_equal(model.predict(rows), expected_labels)


def test_equal_to_stroke_predict(model, bundle, bundle_path, tmp_path):
    rows = golden_inputs(bundle) + random_records(model, 200, seed=3)
    answers = run_stroke_predict(bundle_path, rows, tmp_path)
    assert all("errors" not in a for a in answers), [a for a in answers if "errors" in a][:3]
    if model.task == "regression":
        np.testing.assert_array_equal(model.predict(rows), [a["value"] for a in answers])
        return
    proba = model.predict_proba(rows)
    labels = model.predict(rows)
    np.testing.assert_array_equal(labels, [a["label"] for a in answers])
    if model.task == "binary_classification":
        p = np.array([a["probability"] for a in answers])
        np.testing.assert_array_equal(proba[:, 1], p)
        np.testing.assert_array_equal(proba[:, 0], 1.0 - p)
        if model.n_outputs == 1:  # gradient boosting: the logit
            np.testing.assert_array_equal(model.predict_raw(rows)[:, 0], [a["raw_margin"] for a in answers])
    else:
        expected = [[a["probabilities"][label] for label in model.classes_] for a in answers]
        np.testing.assert_array_equal(proba, expected)


def test_dataframe_and_list_of_dicts_agree(model, bundle):
    rows = golden_inputs(bundle) + random_records(model, 300, seed=5)
    frame = pd.DataFrame(rows)
    np.testing.assert_array_equal(model.predict_raw(frame), model.predict_raw(rows))
    np.testing.assert_array_equal(model.prepare(frame), model.prepare(rows))
    np.testing.assert_array_equal(model.predict(frame), model.predict(rows))
    if model.task != "regression":
        np.testing.assert_array_equal(model.predict_proba(frame), model.predict_proba(rows))


def test_predict_features_on_prepared_features(model, bundle):
    rows = golden_inputs(bundle) + random_records(model, 100, seed=7)
    features = model.prepare(rows)
    assert features.shape == (len(rows), model.n_features) and features.dtype == np.float64
    np.testing.assert_array_equal(model.predict_features(features), model.predict(rows))
    np.testing.assert_array_equal(model.predict_features(features, output="raw_margin"), model.predict_raw(rows))
    if model.task != "regression":
        np.testing.assert_array_equal(model.predict_features(features, output="probability"),
                                      model.predict_proba(rows))
    # Not C-contiguous, not float64: converted.
    fortran = np.asfortranarray(features)
    np.testing.assert_array_equal(model.predict_features(fortran, output="raw_margin"), model.predict_raw(rows))
    np.testing.assert_array_equal(model.predict_features(features.tolist()), model.predict(rows))
    with pytest.raises(ValueError, match="shape"):
        model.predict_features(features[:, :-1])
    with pytest.raises(ValueError, match="output"):
        model.predict_features(features, output="proba")


def test_shapes_and_dtypes(model, bundle):
    rows = golden_inputs(bundle)
    n = len(rows)
    assert model.predict_raw(rows).shape == (n, model.n_outputs)
    assert model.predict_raw(rows).dtype == np.float64
    labels = model.predict(rows)
    assert labels.shape == (n,)
    if model.task == "regression":
        assert labels.dtype == np.float64
        with pytest.raises(TypeError, match="regression"):
            model.predict_proba(rows)
        assert not hasattr(model, "classes_")
    else:
        proba = model.predict_proba(rows)
        assert proba.shape == (n, len(model.classes_)) and proba.dtype == np.float64
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        assert labels.dtype.kind == "U" and set(labels) <= set(model.classes_)
        assert list(model.classes_) == bundle["model"]["class_labels"]
    empty = model.predict_raw([])
    assert empty.shape == (0, model.n_outputs)


def test_properties(model, bundle):
    assert model.task == bundle["ensemble"]["task"]
    assert model.info["name"] == bundle["model"]["name"]
    assert model.info["layout"]
    assert [f["name"] for f in model.schema] == [f["name"] for f in bundle["inputs"]]
    assert list(model.feature_names_in_) == [f["name"] for f in bundle["inputs"]]
    assert model.n_features_in_ == len(bundle["inputs"])
    assert model.n_features == len(model.feature_names) == bundle["ensemble"]["num_features"]
    assert model.n_outputs == bundle["ensemble"].get("num_outputs", 1)
    assert model.info["name"] in repr(model)


def test_from_json_equals_load(bundle_path, bundle):
    with open(bundle_path) as f:
        text = f.read()
    a, b = stroke.Model.load(bundle_path), stroke.Model.from_json(text)
    rows = golden_inputs(bundle)
    np.testing.assert_array_equal(a.predict_raw(rows), b.predict_raw(rows))
    np.testing.assert_array_equal(b.predict_raw(rows), stroke.Model.from_json(text.encode()).predict_raw(rows))


def test_threshold(stroke_model):
    rows = random_records(stroke_model, 200, seed=11)
    p = stroke_model.predict_proba(rows)[:, 1]
    for threshold in (0.1, 0.5, 0.9):
        expected = np.where(p > threshold, "stroke", "no stroke")
        np.testing.assert_array_equal(stroke_model.predict(rows, threshold=threshold), expected)
    np.testing.assert_array_equal(stroke_model.predict(rows), np.where(p > 0.5, "stroke", "no stroke"))
    with pytest.raises(ValueError, match="threshold"):
        stroke_model.predict(rows, threshold=1.5)
