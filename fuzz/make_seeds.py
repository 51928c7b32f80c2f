"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) and
their dictionaries (fuzz/<target>.dict) from the shipped bundles' schemas and
golden rows, examples/patient.json, tests/data/tiny.bundle.json and small
models of every family trained here. Deterministic; run it again after a
bundle's schema changes:

    $(scripts/find-python.sh) fuzz/make_seeds.py

Seed layout (the first byte is the target's selector, see each target's
header comment): record_fuzz: model | format << 2 | allow_unknown << 4, then
the text; routes_fuzz: route | content_type << 3, then the body;
bundle_fuzz: the bundle text as it is.
"""
import csv
import io
import json
import os
import shutil
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")
sys.path.insert(0, os.path.join(ROOT, "python_export"))  # the import root of stroke_export

MODELS = ["stroke", "lung_cancer", "heart_disease", "loan_amount"]  # record_fuzz's model numbers
JSON, JSONL, CSV, AUTO = 0, 1, 2, 3  # record_fuzz's formats
ROUTES = {"predict": 0, "prediction": 1, "predict_proba": 2, "explain": 3, "explain_dashboard": 4}
CONTENT_TYPES = {"json": 0, "csv": 1, "none": 2, "json_utf8": 3, "problem_json": 4, "form": 5,
                 "text": 6, "csv_header": 7}


def bundle(name):
    with open(os.path.join(ROOT, "models", f"{name}.bundle.json"), encoding="utf-8") as f:
        return json.load(f)


def dumps(value):
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)


def csv_text(fields, records, null="", line_end="\n"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(fields)
    for r in records:
        row = []
        for name in fields:
            v = r.get(name)
            row.append(null if v is None else ("true" if v is True else "false" if v is False else v))
        writer.writerow(row)
    return out.getvalue()


class Corpus:
    def __init__(self, target):
        self.dir = os.path.join(FUZZ, "corpus", target)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)

    def add(self, name, data, selector=None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        if selector is not None:
            data = bytes([selector]) + data
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)


def record_seeds():
    corpus = Corpus("record_fuzz")
    for m, name in enumerate(MODELS):
        b = bundle(name)
        fields = [f["name"] for f in b["inputs"]]
        records = [g["inputs"] for g in b["golden"]]
        corpus.add(f"{name}_one.json", dumps(records[0]), m | JSON << 2)
        corpus.add(f"{name}_array.json", dumps(records[:4]), m | JSON << 2)
        corpus.add(f"{name}_rows.jsonl", "\n".join(dumps(r) for r in records[:4]) + "\n", m | JSONL << 2)
        corpus.add(f"{name}_rows.csv", csv_text(fields, records[:4]), m | CSV << 2)
        corpus.add(f"{name}_auto.csv", csv_text(fields, records[4:6], line_end="\r\n"), m | AUTO << 2)
        corpus.add(f"{name}_cr.csv", csv_text(fields, records[:6], line_end="\r"), m | CSV << 2)  # old Mac line ends
        corpus.add(f"{name}_auto.jsonl", "\n".join(dumps(r) for r in records[4:6]), m | AUTO << 2)
        # Near misses: a field missing, an unknown one (refused, then allowed), a wrong type.
        missing = dict(records[1])
        missing.pop(fields[0])
        corpus.add(f"{name}_missing_field.json", dumps(missing), m | JSON << 2)
        extra = dict(records[1], extra_field=1)
        corpus.add(f"{name}_unknown_field.json", dumps(extra), m | JSON << 2)
        corpus.add(f"{name}_unknown_field_allowed.json", dumps(extra), m | JSON << 2 | 1 << 4)
        wrong = dict(records[2], **{fields[-1]: [1, 2]})
        corpus.add(f"{name}_wrong_type.json", dumps(wrong), m | JSON << 2)
    with open(os.path.join(ROOT, "examples", "patient.json"), encoding="utf-8") as f:
        patient = json.load(f)
    stroke = 0
    corpus.add("stroke_patient.json", json.dumps(patient, indent=2), stroke | AUTO << 2)
    corpus.add("stroke_patient_bom.json", "\ufeff" + dumps(patient), stroke | JSON << 2)
    corpus.add("stroke_bmi_na.csv", csv_text(list(patient), [dict(patient, bmi=None)], null="N/A"),
               stroke | CSV << 2)
    corpus.add("stroke_quoted.csv", '"gender","age","hypertension","heart_disease","ever_married",'
               '"work_type","Residence_type","avg_glucose_level","bmi","smoking_status"\n'
               '"Male","67","0","1","Yes","Private","Urban","228.69","","formerly smoked"\n', stroke | CSV << 2)
    corpus.add("stroke_ragged.csv", csv_text(list(patient), [patient]) + "Male,67\n", stroke | CSV << 2)
    corpus.add("stroke_unterminated.csv", 'gender,age\n"Male,67\n', stroke | CSV << 2)
    for label, change in [("category_case", {"gender": "male"}), ("age_string", {"age": "67"}),
                          ("age_huge", {"age": 1e308}), ("age_negative", {"age": -1}),
                          ("bools_as_numbers", {"hypertension": 1, "heart_disease": 0}),
                          ("bmi_null", {"bmi": None}), ("age_fraction", {"age": 0.08})]:
        corpus.add(f"stroke_{label}.json", dumps(dict(patient, **change)), stroke | JSON << 2)
    text = dumps(patient)
    corpus.add("stroke_duplicate_key.json", text[:-1] + ', "age": 3}', stroke | JSON << 2)
    corpus.add("stroke_exponent.json", text.replace('"age": 67', '"age": 6.7e1'), stroke | JSON << 2)
    corpus.add("stroke_escapes.json", text.replace('"Male"', '"M\\u0061le"'), stroke | JSON << 2)
    corpus.add("stroke_truncated.json", text[:40], stroke | JSON << 2)
    heart = MODELS.index("heart_disease")
    h = bundle("heart_disease")
    fields = [f["name"] for f in h["inputs"]]
    corpus.add("heart_disease_question_marks.csv",
               csv_text(fields, [dict(h["golden"][0]["inputs"], ca=None, thal=None)], null="?"), heart | CSV << 2)


def route_seeds():
    corpus = Corpus("routes_fuzz")
    with open(os.path.join(ROOT, "examples", "patient.json"), encoding="utf-8") as f:
        patient = json.load(f)
    one, two = dumps(patient), dumps([patient, dict(patient, gender="Female", bmi=None)])
    stroke_csv = csv_text(list(patient), [patient, dict(patient, bmi=None)], null="N/A")
    for route, r in ROUTES.items():
        corpus.add(f"{route}_one.json", one, r | CONTENT_TYPES["json"] << 3)
        corpus.add(f"{route}_two.json", two, r | CONTENT_TYPES["json_utf8"] << 3)
        corpus.add(f"{route}_rows.csv", stroke_csv, r | CONTENT_TYPES["csv"] << 3)
    corpus.add("predict_no_type.json", one, ROUTES["predict"] | CONTENT_TYPES["none"] << 3)
    corpus.add("predict_problem_json.json", one, ROUTES["predict"] | CONTENT_TYPES["problem_json"] << 3)
    corpus.add("prediction_form.json", one, ROUTES["prediction"] | CONTENT_TYPES["form"] << 3)
    corpus.add("predict_text_plain.txt", one, ROUTES["predict"] | CONTENT_TYPES["text"] << 3)
    corpus.add("predict_csv_header.csv", stroke_csv, ROUTES["predict"] | CONTENT_TYPES["csv_header"] << 3)
    corpus.add("prediction_invalid.json", '{"invalid_data": true}', ROUTES["prediction"])
    corpus.add("prediction_malformed.json", '{"age": ', ROUTES["prediction"])
    corpus.add("prediction_array.json", "[" + one + "]", ROUTES["prediction"])
    corpus.add("predict_empty_array.json", "[]", ROUTES["predict"])
    corpus.add("predict_mixed.json", "[" + one + ', {}, 3, "x"]', ROUTES["predict"])
    corpus.add("explain_bad_category.json", dumps(dict(patient, work_type="Retired")), ROUTES["explain"])


def bundle_seeds():
    corpus = Corpus("bundle_fuzz")
    with open(os.path.join(ROOT, "tests", "data", "tiny.bundle.json"), encoding="utf-8") as f:
        tiny_text = f.read()
    corpus.add("tiny.bundle.json", tiny_text)
    tiny = json.loads(tiny_text)
    compact = lambda b: json.dumps(b, separators=(",", ":"))
    corpus.add("tiny_compact.json", compact(tiny))
    # Near misses, each refused for one reason.
    def variant(name, change):
        b = json.loads(tiny_text)
        change(b)
        corpus.add(f"tiny_{name}.json", compact(b))
    variant("cycle", lambda b: b["ensemble"]["trees"][0]["left"].__setitem__(2, 0))
    variant("child_out_of_range", lambda b: b["ensemble"]["trees"][0]["right"].__setitem__(0, 99))
    variant("feature_out_of_range", lambda b: b["ensemble"]["trees"][0]["feature"].__setitem__(0, 9))
    variant("null_threshold", lambda b: b["ensemble"]["trees"][0]["threshold"].__setitem__(0, None))
    variant("format_version_2", lambda b: b.__setitem__("format_version", 2))
    variant("later_feature", lambda b: b["features"][0].__setitem__("expr", ["feature", "x_over_n"]))
    variant("deep_expr", lambda b: b["features"][3].__setitem__(
        "expr", json.loads("[\"add\", " * 40 + "1" + ", 1]" * 40)))
    variant("nesting_70", lambda b: b["model"].__setitem__("extra", json.loads("[" * 70 + "]" * 70)))
    variant("multiclass_softmax", lambda b: (
        b["ensemble"].update(task="multiclass_classification", link="softmax", num_outputs=3,
                             base_margin=[0.1, 0.2, 0.3]),
        b["ensemble"]["trees"][1].__setitem__("output", 2),
        b["model"].__setitem__("class_labels", ["a", "b", "c"]),
        b.pop("golden")))
    variant("forest_mean", lambda b: (
        b["ensemble"].update(kind="random_forest", link="identity", num_outputs=2, leaf_width=2,
                             aggregation="mean", base_margin=[0, 0]),
        [t.__setitem__("value", [v for x in t["value"] for v in (1 - abs(x) / 2, abs(x) / 2)])
         for t in b["ensemble"]["trees"]],
        b.pop("golden")))
    variant("xgboost_missing", lambda b: (
        b["ensemble"].update(kind="xgboost", split_rule="float32_lt", precision="float32", handles_missing=True),
        b["inputs"][1].pop("impute"),
        b.pop("golden")))
    variant("regression", lambda b: (
        b["ensemble"].update(task="regression", link="identity"),
        b["model"].pop("class_labels"), b["model"].pop("threshold"), b.pop("golden")))
    for name, b in trained_bundles():
        corpus.add(f"{name}.bundle.json", compact(b))


def trained_bundles():
    """Small models of every family (2-3 trees of depth 2) with golden rows,
    through the exporter the shipped bundles come from."""
    try:
        from sklearn.ensemble import (GradientBoostingClassifier, HistGradientBoostingClassifier,
                                      HistGradientBoostingRegressor, RandomForestClassifier,
                                      RandomForestRegressor)
        from stroke_export import bundle_writer
        from stroke_export.featureprog import FeatureProgram
    except ImportError as e:
        print(f"make_seeds: no trained bundle seeds ({e})", file=sys.stderr)
        return []
    rng = np.random.RandomState(5)
    inputs = [{"name": "x0", "type": "number", "nullable": True}, {"name": "x1", "type": "number"},
              {"name": "c", "type": "category", "categories": ["a", "b", "c"]}]
    features_onehot = [{"name": "x0", "expr": ["input", "x0"]}, {"name": "x1", "expr": ["input", "x1"]}] + \
                      [{"name": f"c_{c}", "expr": ["onehot", "c", c]} for c in "abc"]
    features_ordinal = features_onehot[:2] + [{"name": "c", "expr": ["ordinal", "c"]}]
    records = [{"x0": float(np.round(rng.normal(), 2)), "x1": float(np.round(rng.normal(), 2)),
                "c": "abc"[i % 3]} for i in range(200)]
    y = np.array([int(r["x0"] + (r["c"] == "b") > 0.3) + int(r["x1"] > 1) for r in records])
    cases = [
        ("gb_binary", GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0), False, False, 2),
        ("gb_multiclass", GradientBoostingClassifier(n_estimators=2, max_depth=2, random_state=0), False, False, 3),
        ("rf_binary", RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0), False, False, 2),
        ("rf_regressor", RandomForestRegressor(n_estimators=2, max_depth=2, random_state=0), False, False, 0),
        ("hgb_binary_categorical", HistGradientBoostingClassifier(max_iter=3, max_depth=2, categorical_features=[2],
                                                                   random_state=0), True, True, 2),
        ("hgb_regressor", HistGradientBoostingRegressor(max_iter=3, max_depth=2, random_state=0), True, False, 0),
    ]
    out = []
    for name, model, handles_missing, categorical, classes in cases:
        fields = [dict(f) for f in inputs]
        if not handles_missing:
            fields[0]["impute"] = 0
        features = features_ordinal if categorical else features_onehot
        program = FeatureProgram(fields, features, allow_missing=handles_missing, float32=not name.startswith("hgb"))
        rows = [dict(r, x0=None) if handles_missing and i % 10 == 0 else r for i, r in enumerate(records)]
        X = np.array([program.features_of(r) for r in rows])
        target = y if classes == 3 else (y > 0).astype(int) if classes == 2 else X[:, 1] * 3 + y
        model.fit(X, target)
        task = "regression" if classes == 0 else "binary_classification" if classes == 2 else \
            "multiclass_classification"
        golden = bundle_writer.golden_rows(model, rows[:3], X[:3], task)
        info = {"name": name, "labels": [str(c) for c in getattr(model, "classes_", [])]}
        b = bundle_writer.make_bundle(info, fields, features, model, golden)
        b["model"]["created"] = "2024-01-01T00:00:00+00:00"
        b["model"]["library"] = "scikit-learn"
        b["model"].pop("params", None)
        out.append((name, b))
    return out


# ---- dictionaries

JSON_TOKENS = ['"{"', '"}"', '"["', '"]"', '":"', '","', '"true"', '"false"', '"null"', '"\\""',
               '"\\\\u0000"', '"\\\\ud800"', '"\\\\"', '"1e308"', '"-0"', '"0.1"', '"1E-7"', '"NaN"',
               '"Infinity"', '"\\xef\\xbb\\xbf"', '"\\xc3\\xa9"', '"\\xff"']
CSV_TOKENS = ['"\\x0d\\x0a"', '"\\x0a"', '",,"', '"\\"\\""', '"N/A"', '"?"']


def quoted(text):
    """A libFuzzer dictionary entry: printable ASCII as is, other bytes (UTF-8) as \\xNN."""
    out = []
    for byte in text.encode("utf-8"):
        c = chr(byte)
        out.append("\\" + c if c in '"\\' else c if 32 <= byte < 127 else f"\\x{byte:02x}")
    return '"' + "".join(out) + '"'


def write_dict(target, entries):
    seen, lines = set(), [f"# {target}: written by fuzz/make_seeds.py"]
    for e in entries:
        if e not in seen:
            seen.add(e)
            lines.append(e)
    with open(os.path.join(FUZZ, f"{target}.dict"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def http_seeds():
    corpus = Corpus("http_fuzz")
    with open(os.path.join(ROOT, "examples", "patient.json"), encoding="utf-8") as f:
        one = dumps(json.load(f))

    def post(target, body, extra=""):
        return (f"POST {target} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n{extra}"
                f"Content-Length: {len(body.encode())}\r\n\r\n{body}")

    get = "GET /livez HTTP/1.1\r\nHost: t\r\n\r\n"
    corpus.add("get_livez.http", get)
    corpus.add("get_features.http", "GET /features/age/distribution HTTP/1.1\r\nHost: t\r\n\r\n")
    corpus.add("get_logs_query.http", "GET /logs?limit=5&level=INFO HTTP/1.1\r\nHost: t\r\n\r\n")
    corpus.add("post_prediction.http", post("/prediction", one))
    corpus.add("post_predict_gzip.http", post("/predict", "[" + one + "," + one + "]", "Accept-Encoding: gzip\r\n"))
    corpus.add("post_explain.http", post("/explain?format=dashboard", one))
    corpus.add("post_expect.http", post("/predict_proba", one, "Expect: 100-continue\r\n"))
    corpus.add("pipelined.http", get + post("/predict", one) + "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
    corpus.add("options_cors.http", "OPTIONS /predict HTTP/1.1\r\nHost: t\r\nOrigin: https://x.example\r\n\r\n")
    corpus.add("wrong_method.http", "PUT /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
    corpus.add("chunked.http", "POST /predict HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    corpus.add("two_lengths.http", "POST /predict HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}")
    corpus.add("range.http", "GET /health HTTP/1.1\r\nRange: bytes=0-,0-\r\n\r\n")
    corpus.add("basic_auth.http", "GET /logs HTTP/1.1\r\nAuthorization: Basic Ym9iOmJ1aWxkZXI=\r\n\r\n")
    corpus.add("http10.http", "GET /health HTTP/1.0\r\n\r\n")


def schema_tokens(names):
    out = []
    for name in names:
        for field in bundle(name)["inputs"]:
            out.append(quoted('"' + field["name"] + '"'))
            out += [quoted('"' + c + '"') for c in field.get("categories", [])]
            out += [quoted(t) for t in field.get("null_tokens", [])]
    return out


def dictionaries():
    write_dict("record_fuzz", JSON_TOKENS + CSV_TOKENS + schema_tokens(MODELS))
    write_dict("routes_fuzz", JSON_TOKENS + CSV_TOKENS + schema_tokens(["stroke"]))
    http_tokens = ["GET ", "POST ", "PUT ", "OPTIONS ", "HEAD ", " HTTP/1.1", " HTTP/1.0", "\r\n", "\r\n\r\n",
                   "Content-Length: ", "Transfer-Encoding: chunked", "Content-Type: application/json",
                   "Content-Type: text/csv", "Accept-Encoding: gzip", "Expect: 100-continue", "Connection: close",
                   "Range: bytes=0-", "Authorization: Basic ", "Origin: ", "X-Request-Id: ", "/predict",
                   "/prediction", "/predict_proba", "/explain", "/health", "/logs", "/metrics", "/docs/",
                   "/features/", "/distribution", "?format=dashboard", "%ff", "%00"]
    write_dict("http_fuzz", JSON_TOKENS + schema_tokens(["stroke"]) + [quoted(t) for t in http_tokens])
    keys = ["format", "libstroke-bundle", "format_version", "model", "inputs", "features", "ensemble", "golden",
            "distributions", "name", "version", "threshold", "class_labels", "training_data", "metrics", "type",
            "number", "integer", "boolean", "category", "categories", "nullable", "impute", "null_tokens",
            "limits", "training_range", "min", "max", "expr", "input", "ordinal", "onehot", "feature", "add",
            "mul", "and", "or", "sub", "div", "eq", "ne", "lt", "le", "gt", "ge", "not", "neg", "clip", "bucket",
            "missing", "coalesce", "known_codes", "kind", "gradient_boosting", "random_forest", "hist_gradient_boosting", "xgboost", "task",
            "binary_classification", "multiclass_classification", "regression", "split_rule", "float32_le",
            "float64_le", "float32_lt", "link", "logistic", "softmax", "softmax_logsumexp", "identity", "num_features", "base_margin",
            "num_outputs", "leaf_width", "aggregation", "sum", "mean", "precision", "float32", "float64",
            "tree_scale", "handles_missing", "known_categories", "trees", "left", "right", "value", "cover",
            "missing_left", "output", "categorical", "left_categories", "probability", "probabilities",
            "prediction", "raw_margin", "edges", "counts"]
    write_dict("bundle_fuzz", JSON_TOKENS + [quoted('"' + k + '"') for k in keys] +
               ['"-1"', '"-2"', '"[-1]"', '"1.7976931348623157e308"', '"4294967295"', '"2147483648"'])


if __name__ == "__main__":
    record_seeds()
    route_seeds()
    bundle_seeds()
    http_seeds()
    dictionaries()
    for target in ("record_fuzz", "routes_fuzz", "bundle_fuzz", "http_fuzz"):
        print(target, len(os.listdir(os.path.join(FUZZ, "corpus", target))), "seeds")
