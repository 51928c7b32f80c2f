"""verify.py: a bundle that libstroke answers differently from the library is
refused with the first differing rows; probes reach every split from both sides."""
import copy

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier

from stroke_export import bundle_writer, libstroke_scorer, verify
from stroke_export.errors import UnsupportedModel
from stroke_export.featureprog import FeatureProgram

INPUTS = [{"name": "x", "type": "number", "limits": {"min": -5, "max": 5}},
          {"name": "c", "type": "category", "categories": ["a", "b"]}]
FEATURES = [{"name": "x", "expr": ["input", "x"]}, {"name": "c_b", "expr": ["onehot", "c", "b"]}]


def _model():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(size=300), rng.randint(2, size=300)])
    y = (X[:, 0] + X[:, 1] > 0.5).astype(int)
    return GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(X, y)


def _bundle(model, program):
    records = [{"x": 0.25, "c": "a"}, {"x": -1.5, "c": "b"}]
    X = np.array([program.features_of(r) for r in records])
    golden = bundle_writer.golden_rows(model, records, X, "binary_classification")
    info = {"name": "t", "labels": ["0", "1"]}
    return bundle_writer.make_bundle(info, INPUTS, FEATURES, model, golden), records, X


def _verify(bundle, program, model, records, X):
    probes, described = verify.record_probes(INPUTS, records)
    kinds = [("golden row", str(i)) for i in range(len(records))] + [("record probe", d) for d in described]
    library = verify.ProgramLibrary(program, model, "binary_classification")
    return verify.verify(bundle, library, records + probes, kinds, X, "scikit-learn")


def test_a_faithful_bundle_passes_with_every_probe_kind():
    model = _model()
    program = FeatureProgram(INPUTS, FEATURES)
    bundle, records, X = _bundle(model, program)
    report = _verify(bundle, program, model, records, X)
    assert report.worst == 0.0 and not report.bad
    assert set(report.rows) == {"golden row", "record probe", "feature probe"}
    assert report.rows["record probe"] == 2 + 2 + 1  # x at its limits; c: each category, one unknown


@pytest.mark.parametrize("tamper", ["leaf", "threshold", "base"])
def test_a_different_bundle_is_refused_naming_the_rows(tamper):
    model = _model()
    program = FeatureProgram(INPUTS, FEATURES)
    bundle, records, X = _bundle(model, program)
    bad = copy.deepcopy(bundle)
    tree = bad["ensemble"]["trees"][0]
    if tamper == "leaf":
        leaf = tree["left"].index(-1)
        tree["value"][leaf] += 1.0
    elif tamper == "threshold":  # one float32 step: only the threshold probes can tell
        tree["threshold"][0] = float(np.nextafter(np.float32(tree["threshold"][0]), np.float32(np.inf)))
    else:
        bad["ensemble"]["base_margin"][0] += 1e-12
    with pytest.raises(UnsupportedModel, match="differ on .* verified rows") as refused:
        _verify(bad, program, model, records, X)
    assert "libstroke {" in str(refused.value) and "scikit-learn {" in str(refused.value)


def test_float32_neighbours_bracket_the_threshold():
    t = 0.1  # not a float32
    values = verify._f32_neighbours(t)
    below = [v for v in values if np.float32(v) <= t]
    above = [v for v in values if np.float32(v) > t]
    assert below and above
    assert max(below) == float(np.float32(t)) or np.nextafter(np.float32(max(below)), np.float32(1)) > t


def test_a_missing_stroke_module_refuses_rather_than_skipping(monkeypatch):
    monkeypatch.setattr(libstroke_scorer, "import_stroke", lambda: None)
    with pytest.raises(UnsupportedModel, match="unverified bundle is never written"):
        libstroke_scorer.ModuleScorer()


def test_tolerance_is_zero_unless_the_library_arithmetic_explains_one(monkeypatch):
    bundle = {"model": {}, "ensemble": {"link": "softmax_logsumexp", "precision": "float64"}}
    monkeypatch.setattr(verify, "numpy_exp_is_the_c_librarys", lambda: True)
    assert verify.tolerance_of(bundle) == 0.0
    monkeypatch.setattr(verify, "numpy_exp_is_the_c_librarys", lambda: False)
    assert verify.tolerance_of(bundle) == verify.NUMPY_SIMD_EXP_TOLERANCE
    assert verify.tolerance_of({"model": {}, "ensemble": {"link": "logistic", "precision": "float64"}}) == 0.0
