"""Live parity: train on fresh synthetic data (a seed the shipped bundles were
not trained with), export, predict every row with stroke-predict, and compare
with scikit-learn's predict_proba and predict - all rows, bit-identical (|dp| = 0).
Run from python_export/ (the import root of stroke_export and of these tests):

    cd python_export && python3 -m tests.live_parity --stroke-predict ../build/apps/predict/stroke-predict [--seed 7]
"""
import argparse
import os
import sys
import tempfile

from stroke_export import bundle_writer, datagen
from stroke_export.train import json_record, load_spec, train

from . import serving


def check_model(name, seed, stroke_predict, workdir):
    spec = load_spec(name)
    bundle, _, model, records, X, _ = train(spec, datagen.synthetic_csv(name, seed),
                                            f"live parity seed {seed}", True)
    bundle_path = os.path.join(workdir, f"{name}.bundle.json")
    bundle_writer.write_bundle(bundle, bundle_path)
    answers = serving.predict(stroke_predict, bundle_path,
                              [json_record(bundle["inputs"], r) for r in records])
    expected = bundle_writer.library_answers(model, X, "binary_classification")
    worst, bad = serving.mismatches("binary_classification", answers, expected)
    print(f"{name}: seed {seed}, {len(answers)} rows, {len(model.estimators_)} trees, "
          f"max |dp| = {worst:.3g}, {len(bad)} mismatches")
    for row, ours, theirs in bad[:10]:
        print(f"  row {row}: libstroke {ours} library {theirs}")
    return not bad


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
