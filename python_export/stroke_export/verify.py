"""Verifies a bundle against the training library before it is written.

The bundle is loaded the way it will be served - by libstroke's C++ evaluator,
through the `stroke` Python module (libstroke_scorer.py) - and scored on the
same inputs as the training library:

- raw records: the golden rows, the training rows given (or a sample), and
  probes made from the schema - null for every nullable input, every known
  category and one unknown, each input's limits and training range;
- prepared features: every split's threshold and its float neighbours on both
  sides as the library compares them (float32 `<=` for scikit-learn trees,
  float32 `<` for XGBoost, float64 `<=` for HistGradientBoosting), every
  category of a categorical split and one unknown, NaN where the model takes
  missing values.

Any difference refuses the export (UnsupportedModel), printing the first
differing rows with both answers. Tolerance (tolerance_of, docs/models.md
"Exactness"): 0, except where the library's own arithmetic explains a
difference - XGBoost multi:softmax's float32 sum (XGBOOST_TOLERANCE), and a
float64 softmax when numpy runs its own AVX-512 exp/log instead of the C
library's (NUMPY_SIMD_EXP_TOLERANCE). Classes are always compared exactly.
There is no switch to turn verification off.
"""
import functools
import math
import time

import numpy as np

from . import bundle_writer
from .errors import UnsupportedModel
from .featureprog import RecordError
from .libstroke_scorer import ModuleScorer

MAX_RECORDS = 5000        # training rows verified (a deterministic sample beyond)
MAX_FEATURE_PROBES = 20000
SHOWN = 5                 # differing rows printed
# XGBoost computes the margin, sigmoid and softmax in float32 and libstroke
# does the same operations: 0. But predict_proba of a multi:softmax model is
# scipy's softmax over the float32 margins, summed in float32 (libstroke sums
# in float64 as XGBoost's softprob does): up to 2 float32 ulps of a probability.
XGBOOST_TOLERANCE = 2 ** -22
# scikit-learn's softmax (HistGradientBoosting: exp(raw - max) / sum;
# GradientBoosting: exp(raw - logsumexp(raw))) is computed by libstroke in the
# same order with the C library's exp and log: 0. numpy on a CPU with AVX-512
# dispatches its own exp/log (within 1 ulp of the C library's, different bits
# for about 1 argument in 4); the softmax spreads that to a few ulps of a
# probability (measured: <= 4 ulps, 3.3e-16, for exp(raw - max) / sum; <= 17
# ulps, 1.8e-15, for the logsumexp form at margins of magnitude <= 15, where
# the error grows with |logsumexp|). The class is compared exactly.
NUMPY_SIMD_EXP_TOLERANCE = 1e-14
UNKNOWN_CATEGORY = "\u2047unknown-category-probe"


# ---------------------------------------------------------------- probes


def _f32_neighbours(t):
    """The float32 values around float64 threshold t: the largest float32 <= t
    and the smallest > t (what `float32(x) <= t` can tell apart)."""
    with np.errstate(over="ignore"):
        below = np.float32(t)
    if float(below) > t:
        below = np.nextafter(below, np.float32(-np.inf))
    above = np.nextafter(below, np.float32(np.inf))
    return [float(v) for v in (np.nextafter(below, np.float32(-np.inf)), below, above,
                               np.nextafter(above, np.float32(np.inf))) if np.isfinite(v)]


def threshold_values(ensemble):
    """{feature index: sorted probe values} from every split of the ensemble."""
    rule = ensemble["split_rule"]
    values = {}
    known = {k["feature"]: k["categories"] for k in ensemble.get("known_categories", [])}
    for f, cats in known.items():
        values.setdefault(f, set()).update(float(c) for c in cats)
        values[f].update([float(max(cats) + 1), -1.0])
    for tree in ensemble["trees"]:
        categorical = tree.get("categorical") or [0] * len(tree["left"])
        for node, (f, t, left) in enumerate(zip(tree["feature"], tree["threshold"], tree["left"])):
            if left == -1 or categorical[node]:
                continue
            out = values.setdefault(f, set())
            if rule == "float64_le":
                if t < np.finfo(np.float64).max:
                    out.update([t, float(np.nextafter(t, -np.inf)), float(np.nextafter(t, np.inf))])
            else:
                out.add(float(t))
                out.update(_f32_neighbours(t))
    if ensemble.get("handles_missing"):
        for f in range(ensemble["num_features"]):
            values.setdefault(f, set()).add(math.nan)
    return {f: sorted(v, key=lambda x: (math.isnan(x), x)) for f, v in values.items()}


def feature_probes(ensemble, base_rows):
    """(rows, descriptions): each probe value set into a base row, in turn."""
    base_rows = [np.asarray(r, dtype=np.float64) for r in base_rows]
    rows, what = [], []
    k = 0
    for f, probe in sorted(threshold_values(ensemble).items()):
        for v in probe:
            row = base_rows[k % len(base_rows)].copy()
            k += 1
            row[f] = v
            rows.append(row)
            what.append((f, v))
    if len(rows) > MAX_FEATURE_PROBES:
        keep = np.random.RandomState(0).choice(len(rows), MAX_FEATURE_PROBES, replace=False)
        keep.sort()
        rows, what = [rows[i] for i in keep], [what[i] for i in keep]
    return np.array(rows), what


def record_probes(inputs, base_records, unknown_categories=True):
    """(records, descriptions): each input set to null (nullable), each of its
    categories and one unknown, true/false, its limits and training range."""
    records, what = [], []
    k = 0

    def add(name, value):
        nonlocal k
        r = dict(base_records[k % len(base_records)])
        k += 1
        r[name] = value
        records.append(r)
        what.append(f"{name} = {value!r}")

    for f in inputs:
        name = f["name"]
        if f.get("nullable"):
            add(name, None)
        if f["type"] == "category":
            for c in f["categories"]:
                add(name, c)
            if unknown_categories:
                add(name, UNKNOWN_CATEGORY)
        elif f["type"] == "boolean":
            add(name, True)
            add(name, False)
        else:
            for code in f.get("codes", []):  # numeric category codes, and one unknown
                add(name, int(code) if f["type"] == "integer" else code)
            if f.get("codes"):
                add(name, int(max(f["codes"])) + 1)
            for key in ("limits", "training_range"):
                for end in ("min", "max"):
                    v = f.get(key, {}).get(end)
                    if v is not None and math.isfinite(v):
                        add(name, int(v) if f["type"] == "integer" and v == int(v) else v)
    return records, what


# ---------------------------------------------------------------- comparison


@functools.lru_cache(maxsize=None)  # numpy's dispatch is fixed when it is imported
def numpy_exp_is_the_c_librarys():
    """True when numpy's float64 exp and log give the C library's bits (as
    Python's math module does), False when numpy dispatches its own AVX-512
    versions (NPY_DISABLE_CPU_FEATURES="AVX512F AVX512_SKX" turns them off)."""
    x = np.linspace(-40.0, 40.0, 4001)
    y = np.linspace(1e-3, 1e3, 4001)
    return (np.array_equal(np.exp(x), [math.exp(v) for v in x])
            and np.array_equal(np.log(y), [math.log(v) for v in y]))


def tolerance_of(bundle):
    """The largest |difference| of a probability or value that verification
    accepts for this bundle: 0 unless the library's own arithmetic explains one."""
    ensemble = bundle["ensemble"]
    if bundle["model"].get("xgboost_objective") == "multi:softmax":
        return XGBOOST_TOLERANCE
    if ensemble.get("precision") == "float32":
        return 0.0
    if ensemble["link"] in ("softmax", "softmax_logsumexp") and not numpy_exp_is_the_c_librarys():
        return NUMPY_SIMD_EXP_TOLERANCE
    return 0.0


def _difference(task, ours, theirs, tolerance):
    """None when the answers agree, else the largest |difference| (inf when one refused)."""
    if ("error" in ours) != ("error" in theirs):
        return math.inf
    if "error" in ours:
        return None
    if task == "regression":
        a, b = ours["value"], theirs["value"]
        delta = abs(a - b)
        return None if delta <= tolerance * max(1.0, abs(b)) else delta
    if task == "binary_classification":
        delta = abs(ours["probability"] - theirs["probability"])
        same_class = ours["prediction"] == theirs["prediction"]
    else:
        delta = max(abs(a - b) for a, b in zip(ours["probabilities"], theirs["probabilities"]))
        same_class = ours["prediction"] == theirs["prediction"]
    return None if delta <= tolerance and same_class else (delta if same_class else max(delta, 1.0))


def _shown(answer):
    keep = ("error", "value", "probability", "probabilities", "prediction")
    return {k: answer[k] for k in keep if k in answer}


class Report:
    """What verification compared: rows per kind, the largest difference, the
    differing rows, seconds spent."""

    def __init__(self, task, tolerance):
        self.task, self.tolerance = task, tolerance
        self.rows, self.worst, self.bad, self.seconds = {}, 0.0, [], 0.0

    def compare(self, kind, ours, theirs, described):
        self.rows[kind] = self.rows.get(kind, 0) + len(theirs)
        if len(ours) != len(theirs):
            self.bad.append((kind, "", f"{len(ours)} answers", f"{len(theirs)} rows"))
            return
        for i, (a, b, what) in enumerate(zip(ours, theirs, described)):
            delta = _difference(self.task, a, b, self.tolerance)
            if delta is None:
                if "error" not in a:
                    self.worst = max(self.worst, _plain_delta(self.task, a, b))
                continue
            self.worst = max(self.worst, delta)
            self.bad.append((kind, what, _shown(a), _shown(b)))

    def message(self, library):
        total = sum(self.rows.values())
        lines = [f"libstroke and {library} differ on {len(self.bad)} of {total} verified rows "
                 f"(tolerance {self.tolerance:g}); refusing to write a different model. First differing rows:"]
        for kind, what, ours, theirs in self.bad[:SHOWN]:
            lines.append(f"  {kind} {what}: libstroke {ours} | {library} {theirs}")
        return "\n".join(lines)

    def summary(self):
        rows = ", ".join(f"{n} {kind}" for kind, n in self.rows.items())
        return (f"verified against libstroke: {rows}; max |difference| {self.worst:.3g}, "
                f"{self.seconds:.2f} s")


def _plain_delta(task, a, b):
    if task == "regression":
        return abs(a["value"] - b["value"])
    if task == "binary_classification":
        return abs(a["probability"] - b["probability"])
    return max(abs(x - y) for x, y in zip(a["probabilities"], b["probabilities"]))


def verify(bundle, library, records, kinds, feature_rows, library_name, scorer=None):
    """Refuses (UnsupportedModel) unless libstroke answers every row as the library does.

    `library` has two methods returning golden-style dicts ({"error": text} for a
    refused row): `records(list of dicts)` (the raw records through the whole
    model, as the training library would see them) and `features(X)` (prepared
    feature rows into the estimator). `records` are labelled by `kinds` (golden,
    data, probe ...); `feature_rows` are base rows for the feature probes.
    Returns the Report."""
    start = time.perf_counter()
    scorer = scorer or ModuleScorer()
    ensemble = bundle["ensemble"]
    report = Report(ensemble["task"], tolerance_of(bundle))
    ours = scorer.records(bundle, records)
    theirs = library.records(records)
    groups = {}
    for i, (kind, what) in enumerate(kinds):
        groups.setdefault(kind, []).append((i, what))
    for kind, members in groups.items():
        report.compare(kind, [ours[i] for i, _ in members], [theirs[i] for i, _ in members],
                       [f"{what}" for _, what in members])
    if len(feature_rows):
        X, what = feature_probes(ensemble, feature_rows)
        names = [f["name"] for f in bundle["features"]]
        report.compare("feature probe", scorer.features(bundle, X), library.features(X),
                       [f"{names[f]} = {v!r}" for f, v in what])
    report.seconds = time.perf_counter() - start
    if report.bad:
        raise UnsupportedModel(report.message(library_name))
    return report


# ---------------------------------------------------------------- the library's side


def _per_row(answer_batch, items):
    """answer_batch(items) or, when the batch is refused, each item alone
    (a refused item answers {"error": ...})."""
    try:
        return answer_batch(items)
    except Exception:  # noqa: BLE001 - the library's own refusal, whatever its type
        pass
    out = []
    for item in items:
        try:
            out += answer_batch([item])
        except Exception as e:  # noqa: BLE001
            out.append({"error": f"{type(e).__name__}: {e}"})
    return out


class ProgramLibrary:
    """A bare estimator behind the spec's feature program (evaluated by
    featureprog.py, the training side's definition of the features)."""

    def __init__(self, program, estimator, task):
        self.program, self.estimator, self.task = program, estimator, task

    def records(self, records):
        rows, where = [], []
        out = [None] * len(records)
        for i, r in enumerate(records):
            try:
                rows.append(self.program.features_of(r, allow_unknown=True))
                where.append(i)
            except RecordError as e:
                out[i] = {"error": str(e)}
        if rows:
            for i, a in zip(where, bundle_writer.library_answers(self.estimator, np.array(rows), self.task)):
                out[i] = a
        return out

    def features(self, X):
        return bundle_writer.library_answers(self.estimator, X, self.task)


class PipelineLibrary:
    """A fitted Pipeline: records go through the whole pipeline as a frame
    built like the training data (`as_frame(records)`)."""

    def __init__(self, pipeline, estimator, task, as_frame):
        self.pipeline, self.estimator, self.task, self.as_frame = pipeline, estimator, task, as_frame

    def records(self, records):
        return _per_row(lambda rs: bundle_writer.library_answers(self.pipeline, self.as_frame(rs), self.task),
                        records)

    def features(self, X):
        return bundle_writer.library_answers(self.estimator, X, self.task)
