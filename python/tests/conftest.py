"""Shared fixtures of the stroke module tests: the bundles, their golden rows,
random valid records drawn from each schema, and stroke-predict's answers.

Run from ctest (python.module) with PYTHONPATH=build/python; STROKE_MODELS_DIR,
STROKE_TEST_DATA_DIR and STROKE_PREDICT come from CMake."""
import json
import os
import random
import subprocess

import pytest

import stroke  # noqa: F401  (fails loudly if the module was not built)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
MODELS_DIR = os.environ.get("STROKE_MODELS_DIR", os.path.join(SOURCE, "models"))
TEST_DATA_DIR = os.environ.get("STROKE_TEST_DATA_DIR", os.path.join(SOURCE, "tests", "data"))


def bundle_paths():
    """Every bundle in models/ and the test bundle, sorted."""
    paths = [os.path.join(MODELS_DIR, f) for f in os.listdir(MODELS_DIR) if f.endswith(".bundle.json")]
    return sorted(paths) + [os.path.join(TEST_DATA_DIR, "tiny.bundle.json")]


def bundle_id(path):
    return os.path.basename(path).split(".")[0]


@pytest.fixture(params=bundle_paths(), ids=bundle_id)
def bundle_path(request):
    return request.param


@pytest.fixture
def bundle(bundle_path):
    with open(bundle_path) as f:
        return json.load(f)


@pytest.fixture
def model(bundle_path):
    return stroke.Model.load(bundle_path)


@pytest.fixture(scope="session")
def stroke_model():
    return stroke.Model.load(os.path.join(MODELS_DIR, "stroke.bundle.json"))


def random_records(model, n, seed=1):
    """n valid records for `model`: every field drawn inside its training range
    (categories, booleans, integers, numbers), null now and then where nullable."""
    rng = random.Random(seed)
    schema = model.schema
    records = []
    for _ in range(n):
        record = {}
        for field in schema:
            if field["nullable"] and rng.random() < 0.1:
                record[field["name"]] = None
                continue
            bounds = field.get("training_range", field.get("limits", {}))
            lo, hi = bounds.get("min", 0.0), bounds.get("max", 100.0)
            kind = field["type"]
            if kind == "category":
                value = rng.choice(field["categories"])
            elif kind == "boolean":
                value = rng.random() < 0.5
            elif kind == "integer":
                value = rng.randint(int(lo), int(hi))
            else:
                value = round(rng.uniform(lo, hi), rng.choice([0, 1, 2, 6]))
            record[field["name"]] = value
        records.append(record)
    return records


def run_stroke_predict(bundle_path, records, tmp_path, *flags):
    """stroke-predict's JSON answers for `records` (skips the test when the binary is not given)."""
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    return stroke_predict_answers(bundle_path, path, *flags)


def stroke_predict_answers(bundle_path, path, *flags, bad_rows=False):
    """stroke-predict's JSON answers for the input file `path` (skips the test when the
    binary is not given); with bad_rows, some records may fail (exit status 1)."""
    binary = os.environ.get("STROKE_PREDICT")
    if not binary:
        pytest.skip("STROKE_PREDICT not set: stroke-predict was not built (STROKE_BUILD_APPS=OFF)")
    out = subprocess.run([binary, "--model", bundle_path, "--output", "json", *flags, str(path)],
                         capture_output=True, text=True)
    assert out.returncode in ((0, 1) if bad_rows else (0,)), out.stderr
    return json.loads(out.stdout)
