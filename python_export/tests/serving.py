"""Runs stroke-predict on records and compares its answers with the library's."""
import json
import os
import subprocess



def stroke_predict_path():
    """$STROKE_PREDICT (set by ctest), or None."""
    path = os.environ.get("STROKE_PREDICT")
    return path if path and os.path.exists(path) else None


def predict(stroke_predict, bundle_path, records, *extra_args):
    """stroke-predict's JSONL answers for `records` (dicts), in order."""
    lines = "".join(json.dumps(r) + "\n" for r in records)
    run = subprocess.run([stroke_predict, "--model", bundle_path, "--format", "jsonl",
                          "--output", "jsonl", *extra_args], input=lines, capture_output=True,
                         text=True, check=False)
    if run.returncode != 0:
        raise AssertionError(f"stroke-predict exited {run.returncode}: {run.stderr[:2000]}")
    return [json.loads(line) for line in run.stdout.splitlines()]


def mismatches(task, answers, expected, labels=None, tolerance=0.0):
    """(worst difference, list of (row, ours, theirs)) between stroke-predict's
    answers and the library's golden-style dicts (bundle_writer.library_answers).
    `tolerance`: 0 (bit-identical), or verify.tolerance_of(bundle) where the
    training library's own arithmetic varies (docs/models.md "Exactness")."""
    worst, bad = 0.0, []
    for row, (ours, theirs) in enumerate(zip(answers, expected), start=1):
        if task == "regression":
            delta = abs(ours["value"] - theirs["value"])
            ok = delta <= tolerance * max(1.0, abs(theirs["value"]))
            delta /= max(1.0, abs(theirs["value"]))
        elif task == "binary_classification":
            delta = abs(ours["probability"] - theirs["probability"])
            ok = delta <= tolerance and ours["prediction"] == theirs["prediction"]
        else:
            probs = [ours["probabilities"][label] for label in labels]
            delta = max(abs(a - b) for a, b in zip(probs, theirs["probabilities"]))
            ok = delta <= tolerance and ours["prediction"] == theirs["prediction"]
        worst = max(worst, delta)
        if not ok:
            bad.append((row, ours, theirs))
    if len(answers) != len(expected):
        bad.append((0, f"{len(answers)} answers", f"{len(expected)} rows"))
    return worst, bad
