"""Live parity: train on fresh synthetic data (a seed the shipped bundles were
not trained with), export, predict every row with stroke-predict, and compare
with scikit-learn's predict_proba and predict - all rows, |dp| <= 1e-12.

    live_parity.py --stroke-predict build/apps/predict/stroke-predict [--seed 7]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import bundle_writer  # noqa: E402
import datagen  # noqa: E402
from train import json_record, load_spec, train  # noqa: E402

TOLERANCE = 1e-12


def check_model(name, seed, stroke_predict, workdir):
    spec = load_spec(name)
    bundle, _, model, records, X, _ = train(spec, datagen.synthetic_csv(name, seed),
                                            f"live parity seed {seed}", True)
    bundle_path = os.path.join(workdir, f"{name}.bundle.json")
    bundle_writer.write_bundle(bundle, bundle_path)
    lines = "".join(json.dumps(json_record(bundle["inputs"], r)) + "\n" for r in records)
    run = subprocess.run([stroke_predict, "--model", bundle_path, "--format", "jsonl"],
                         input=lines, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print(f"{name}: stroke-predict exited {run.returncode}:\n{run.stderr[:2000]}")
        return False
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    proba = model.predict_proba(X)[:, 1]
    classes = list(model.classes_)
    predicted = [classes.index(c) for c in model.predict(X)]
    if len(answers) != len(records):
        print(f"{name}: {len(answers)} answers for {len(records)} records")
        return False
    worst, mismatched = 0.0, []
    for i, answer in enumerate(answers):
        delta = abs(answer["probability"] - proba[i])
        worst = max(worst, delta)
        if delta > TOLERANCE or answer["prediction"] != predicted[i]:
            mismatched.append((i + 1, answer["probability"], proba[i], answer["prediction"],
                               predicted[i]))
    print(f"{name}: seed {seed}, {len(answers)} rows, {len(model.estimators_)} trees, "
          f"max |dp| = {worst:.3g}, {len(mismatched)} mismatches")
    for row in mismatched[:10]:
        print("  row %d: libstroke %.17g sklearn %.17g class %d vs %d" % row)
    return not mismatched


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stroke-predict", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--models", nargs="+", default=["stroke", "lung_cancer"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        ok = [check_model(m, args.seed, args.stroke_predict, workdir) for m in args.models]
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
