"""threads= and n_jobs= on the batch methods: the rows split over threads give the
one-thread answers bit for bit, the same errors in the same row order, for every
bundle; the keywords' values are checked."""
import os

import numpy as np
import pandas as pd
import pytest

import stroke
from conftest import random_records

ROWS = 12_500  # three chunks of at least 4096 rows (the fewest a thread is given)
BAD_ROWS = (0, 4166, 4167, 8333, 8334, ROWS - 1)  # each side of the chunk boundaries


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind != "f":
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    return a.shape == b.shape and np.array_equal(np.ascontiguousarray(a).view(np.uint64),
                                                  np.ascontiguousarray(b).view(np.uint64))


def with_bad_rows(model, records):
    """records with one required field dropped from each of BAD_ROWS (a "missing" error)."""
    required = next(f["name"] for f in model.schema if not f["nullable"])
    records = [dict(r) for r in records]
    for i in BAD_ROWS:
        del records[i][required]
    return records


@pytest.fixture(scope="module")
def frames():
    """One DataFrame of ROWS valid records, and one with bad rows, per bundle (built once)."""
    return {}


def frames_of(model, cache):
    key = repr(model)
    if key not in cache:
        records = random_records(model, ROWS, seed=3)
        cache[key] = (pd.DataFrame(records), pd.DataFrame(with_bad_rows(model, records)))
    return cache[key]


def calls(model):
    """(name, call(X, **threads)) for every batch method that applies to the model."""
    out = [("predict", lambda X, **kw: model.predict(X, errors="return", **kw)),
           ("predict_raw", lambda X, **kw: model.predict_raw(X, errors="return", **kw)),
           ("prepare", lambda X, **kw: model.prepare(X, errors="return", **kw))]
    if model.task != "regression":
        out.append(("predict_proba", lambda X, **kw: model.predict_proba(X, errors="return", **kw)))
    return out


@pytest.mark.parametrize("threads", [{"threads": 2}, {"threads": 3}, {"threads": 64}, {"n_jobs": -1},
                                     {"n_jobs": 2}])
def test_threads_give_the_one_thread_answers_and_errors(model, threads, frames):
    good, bad = frames_of(model, frames)
    for name, call in calls(model):
        for X in (good, bad):
            expected, expected_errors = call(X, threads=1)
            got, errors = call(X, **threads)
            assert same_bits(got, expected), (name, threads)
            assert errors == expected_errors, (name, threads)
    _, errors = model.predict(bad, errors="return", **threads)
    assert sorted({e["row"] for e in errors}) == list(BAD_ROWS)
    assert [e["row"] for e in errors] == sorted(e["row"] for e in errors)  # row order


def test_predict_features_with_threads(model, frames):
    good, _ = frames_of(model, frames)
    F = model.prepare(good)
    F[5000, 0] = np.inf  # a bad row in the second chunk
    for output in ("class", "probability", "raw_margin"):
        if output == "probability" and model.task == "regression":
            continue
        expected, expected_errors = model.predict_features(F, output=output, errors="return")
        got, errors = model.predict_features(F, output=output, errors="return", threads=3)
        assert same_bits(got, expected), output
        assert errors == expected_errors and errors[0]["row"] == 5000


def test_explain_with_threads(stroke_model):
    X = pd.DataFrame(random_records(stroke_model, 8200, seed=4))
    one, two = stroke_model.explain(X), stroke_model.explain(X, threads=2)
    for field in ("contributions", "by_input", "raw_margin", "expected_value"):
        assert same_bits(getattr(two, field), getattr(one, field)), field


def test_more_threads_than_rows(stroke_model):
    rows = random_records(stroke_model, 5, seed=5)
    assert same_bits(stroke_model.predict_proba(rows, threads=1000), stroke_model.predict_proba(rows))
    assert same_bits(stroke_model.predict_proba(rows[:0], threads=8), stroke_model.predict_proba(rows[:0]))


def test_negative_n_jobs_follow_joblib(stroke_model):
    # joblib: n_jobs < 0 is cpu_count + 1 + n_jobs threads, at least one; beyond the CPUs that is one, not an error.
    rows = random_records(stroke_model, 3, seed=7)
    expected = stroke_model.predict_proba(rows)
    cpus = os.cpu_count()
    for n_jobs in (-1, -2, -cpus, -cpus - 1, -cpus - 2, -100000):
        assert same_bits(stroke_model.predict_proba(rows, n_jobs=n_jobs), expected), n_jobs
    assert same_bits(stroke_model.predict_proba(rows, threads=-cpus - 1), expected)  # the same setting


def test_threads_keywords_are_checked(stroke_model):
    rows = random_records(stroke_model, 3, seed=6)
    with pytest.raises(TypeError, match="not both"):
        stroke_model.predict_proba(rows, threads=2, n_jobs=2)
    with pytest.raises(ValueError, match="threads=0 has no meaning"):
        stroke_model.predict_proba(rows, threads=0)
    with pytest.raises(ValueError, match="n_jobs=0 has no meaning"):
        stroke_model.predict(rows, n_jobs=0)
    with pytest.raises(TypeError):
        stroke_model.predict(rows, threads="2")
    assert same_bits(stroke_model.predict_proba(rows, n_jobs=None), stroke_model.predict_proba(rows))


def test_threads_take_any_integer_and_refuse_other_types(stroke_model):
    rows = random_records(stroke_model, 3, seed=8)
    expected = stroke_model.predict_proba(rows)
    # Any size of integer: beyond the rows' worth of threads is the same answer, not a binding's TypeError.
    for threads in (2**40, 2**70, np.int64(2), np.int32(3)):
        assert same_bits(stroke_model.predict_proba(rows, threads=threads), expected), threads
    for n_jobs in (-2**40, -2**70, np.int64(-1)):
        assert same_bits(stroke_model.predict_proba(rows, n_jobs=n_jobs), expected), n_jobs
    # A bool or a float is not a count: the error names the keyword and what it got, not the rows.
    for bad in (True, False, np.bool_(True), np.bool_(False), 2.0, "2", [2], np.array([2, 3]), np.array([2])):
        with pytest.raises(TypeError, match=r"threads must be an integer .* got ") as raised:
            stroke_model.predict_proba(rows, threads=bad)
        assert "DataFrame" not in str(raised.value) and "gender" not in str(raised.value)
    with pytest.raises(TypeError, match=r"n_jobs must be an integer .* got True \(bool\)"):
        stroke_model.predict(rows, n_jobs=True)
