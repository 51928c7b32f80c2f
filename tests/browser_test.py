"""The web pages in a real browser: starts stroke-serve (the stroke model),
computes with stroke-predict what the pages must show, and runs
tests/web/browser_check.mjs (puppeteer-core driving Debian's Chromium):
/docs "Try it out" on POST /prediction, /ui's form, answer and batch tab.
Screenshots are saved in --artifacts.

usage: browser_test.py --serve BIN --predict BIN --node-dir DIR --artifacts DIR
Exit 77 (SKIPPED) without Chromium or without the npm tools (npm_ci.sh)."""
import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_process  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

# Three patients for the batch tab in the Kaggle file's shape (an id column
# first, the stroke label last: columns the model does not read); the second
# has an age outside the limits (a 422 for that row alone), so the table must
# show one error among answers.
BATCH_CSV = """id,gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,smoking_status,stroke
9046,Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1
51676,Female,150,0,0,Yes,Private,Rural,90.1,25.0,never smoked,1
31112,Female,49,0,0,Yes,Private,Urban,171.23,34.4,smokes,0
"""


def predict(predict_bin, text, suffix):
    """stroke-predict's probabilities for `text` (a file of records), one per record (None when refused)."""
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"browser_test_records{os.getpid()}{suffix}")
    with open(path, "w") as f:
        f.write(text)
    try:
        run = subprocess.run([predict_bin, "--output", "jsonl", path], capture_output=True, text=True)
    finally:
        os.remove(path)
    answers = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return [a.get("probability") for a in answers]


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--serve", "--predict", "--node-dir", "--artifacts"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    chromium = next((c for c in CHROMIUM_CANDIDATES if os.access(c, os.X_OK)), None)
    if chromium is None:
        print("SKIPPED: no Chromium at /usr/bin/chromium (scripts/install-deps.sh installs Debian's)", file=sys.stderr)
        return 77
    if not os.path.isdir(os.path.join(args.node_dir, "node_modules", "puppeteer-core")):
        print("SKIPPED: puppeteer-core is not installed (tests/web/npm_ci.sh could not run)", file=sys.stderr)
        return 77
    shutil.rmtree(args.artifacts, ignore_errors=True)
    os.makedirs(args.artifacts)

    with open(os.path.join(HERE, "..", "examples", "patient.json")) as f:
        patient = json.load(f)
    expected = {
        "patient": patient,
        "probability": predict(args.predict, json.dumps(patient), ".json")[0],
        "csv": BATCH_CSV,
        "csv_rows": len(list(csv.DictReader(io.StringIO(BATCH_CSV)))),
        "csv_probabilities": predict(args.predict, BATCH_CSV, ".csv"),
    }
    print("expected:", json.dumps({k: v for k, v in expected.items() if k != "csv"}))
    # A second server behind Basic auth (--protect-ops: the page's every call needs it).
    users = os.path.join(args.artifacts, "users.htpasswd")
    with open(users, "w") as f:
        f.write(subprocess.run([args.serve, "passwd", "alice"], input="wonderland\n", capture_output=True,
                               text=True, check=True).stdout)
    expected["signin"] = {"user": "alice", "password": "wonderland"}
    process, url = serve_process.start(args.serve)
    secured, secured_url = serve_process.start(args.serve, "--users", users, "--protect-ops")
    expected["signin"]["url"] = secured_url
    try:
        run = subprocess.run(["node", os.path.join(HERE, "web", "browser_check.mjs"), args.node_dir, chromium, url,
                              json.dumps(expected), args.artifacts], timeout=240)
    finally:
        serve_process.stop(process)
        serve_process.stop(secured)
    print(f"screenshots: {args.artifacts}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
