"""Reading the public datasets' CSV formats and the exported bundle."""
import os

import joblib
import numpy as np

from stroke_export import datagen
from stroke_export import train as train_module
from stroke_export.train import load_spec, read_dataset, resolve_inputs, train


def test_synthetic_stroke_has_the_published_shape():
    records, y = read_dataset(load_spec("stroke"), datagen.synthetic_csv("stroke", 42))
    assert len(records) == 5110 and y.sum() == 249
    assert sum(r["bmi"] is None for r in records) == 201
    assert sum(r["gender"] == "Other" for r in records) == 1


def test_lung_csv_coding_is_applied():
    csv_text = ("GENDER,AGE,SMOKING,YELLOW_FINGERS,ANXIETY,PEER_PRESSURE,CHRONIC DISEASE,FATIGUE ,"
                "ALLERGY ,WHEEZING,ALCOHOL CONSUMING,COUGHING,SHORTNESS OF BREATH,"
                "SWALLOWING DIFFICULTY,CHEST PAIN,LUNG_CANCER\n"
                "M,69,1,2,2,1,1,2,1,2,2,2,2,2,2,YES\n"
                "F,59,2,1,1,1,2,2,1,1,1,1,2,1,1,NO\n")
    records, y = read_dataset(load_spec("lung_cancer"), csv_text)
    assert list(y) == [1, 0]
    assert records[0]["GENDER"] is True and records[1]["GENDER"] is False
    assert records[0]["SMOKING"] is False and records[0]["FATIGUE"] is True
    assert records[1]["AGE"] == 59


def test_median_imputation_uses_training_rows_only():
    spec = load_spec("stroke")
    rows = [{"bmi": v, "age": 1.0} for v in (10.0, None, 30.0, 20.0)]
    inputs = resolve_inputs([f for f in spec["inputs"] if f["name"] in ("bmi", "age")], rows)
    bmi = next(f for f in inputs if f["name"] == "bmi")
    assert bmi["impute"] == 20.0 and bmi["training_range"] == {"min": 10.0, "max": 30.0}


def test_multiclass_and_regression_specs_train(tmp_path):
    for name, metric in (("heart_disease", "f1_macro"), ("loan_amount", "r2")):
        bundle, text, *_ = train(load_spec(name), datagen.synthetic_csv(name, 5), "test", True)
        assert metric in bundle["model"]["metrics"]["test"]
        assert bundle["golden"], name
    assert "class_labels" not in bundle["model"]  # regression


def test_stroke_model_flags_a_useful_share_of_positives():
    spec = load_spec("stroke")
    bundle, _, model, _, X, y = train(spec, datagen.synthetic_csv("stroke", 3), "test", True)
    assert bundle["model"]["metrics"]["test"]["recall"] >= 0.5
    assert 0 < np.mean(model.predict(X)) < 0.5


def test_uci_cleveland_file_as_distributed(tmp_path):
    """processed.cleveland.data: no header line, ? for missing, every number
    written as a float (1.0 for 0/1 fields); train.py writes the bundle, the
    metrics and the fitted model (joblib) beside each other."""
    lines = []
    for row in datagen.heart_rows(3):
        lines.append(",".join(v if isinstance(v, str) else f"{float(v):.1f}" for v in row[:-1])
                     + f",{row[-1]}")
    path = tmp_path / "processed.cleveland.data"
    path.write_text("\n".join(lines) + "\n")
    assert lines[0].split(",")[1] in ("0.0", "1.0")
    train_module.main(["heart_disease", "--data", str(path), "--out", str(tmp_path)])
    for name in ("heart_disease.bundle.json", "heart_disease.metrics.txt", "heart_disease.joblib"):
        assert os.path.exists(tmp_path / name), name
    model = joblib.load(tmp_path / "heart_disease.joblib")
    assert len(model.classes_) == 5
