"""Lints stroke-serve's GET /openapi.json with @redocly/cli (tests/web's pinned
version, its recommended rules) for the configurations users run: one model
without auth; Basic and API keys with --protect-ops; a model repository of two
models; the lung model. Every document must have no error. A document with a
known error is linted first, so a linter that reports nothing fails the test.

usage: openapi_lint_test.py --serve BIN --node-dir DIR --models DIR --work-dir DIR
Exit 77 (SKIPPED) when DIR has no redocly (npm_ci.sh skipped)."""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_process  # noqa: E402


def lint(redocly, path):
    """Returns (errors, problems) that redocly's recommended rules find in `path`."""
    run = subprocess.run([redocly, "lint", path, "--format=json"], capture_output=True, text=True, timeout=120)
    report = json.loads(run.stdout)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    return report["totals"]["errors"], errors


def fetch_document(url, authorization=None):
    request = urllib.request.Request(url + "/openapi.json")
    if authorization:
        request.add_header("Authorization", authorization)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--serve", "--node-dir", "--models", "--work-dir"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    redocly = os.path.join(args.node_dir, "node_modules", ".bin", "redocly")
    if not os.path.exists(redocly):
        print(f"SKIPPED: no {redocly} (tests/web/npm_ci.sh could not install it)", file=sys.stderr)
        return 77
    shutil.rmtree(args.work_dir, ignore_errors=True)
    os.makedirs(args.work_dir)
    work = args.work_dir

    users = os.path.join(work, "users")
    line = subprocess.run([args.serve, "passwd", "alice"], input="wonderland\n", capture_output=True, text=True,
                          check=True).stdout
    with open(users, "w") as f:
        f.write(line)
    keys = os.path.join(work, "keys")
    with open(keys, "w") as f:
        f.write(subprocess.run([args.serve, "apikey", "dashboard"], capture_output=True, text=True,
                               check=True).stdout)
    repository = os.path.join(work, "repository")
    for name in ("stroke", "lung_cancer"):
        os.makedirs(os.path.join(repository, name, "1"))
        shutil.copy(os.path.join(args.models, name + ".bundle.json"), os.path.join(repository, name, "1"))
    alice = "Basic " + base64.b64encode(b"alice:wonderland").decode()
    configurations = {
        "one model, no auth": ([], None),
        "Basic + API keys + --protect-ops": (["--users", users, "--api-keys", keys, "--protect-ops"], alice),
        "a model repository, Basic": (["--model-repository", repository, "--users", users], None),
        "the lung model": (["--model", os.path.join(args.models, "lung_cancer.bundle.json")], None),
    }

    failed = False
    for name, (flags, authorization) in configurations.items():
        process, url = serve_process.start(args.serve, *flags)
        try:
            document = fetch_document(url, authorization)
        finally:
            serve_process.stop(process)
        path = os.path.join(work, name.replace(" ", "_").replace("/", "") + ".json")
        with open(path, "w") as f:
            json.dump(document, f)
        if name == "one model, no auth":  # the linter must see a known error
            broken = json.loads(json.dumps(document))
            del broken["paths"]["/predict"]["post"]["security"]
            del broken["paths"]["/predict"]["post"]["responses"]
            broken_path = os.path.join(work, "broken.json")
            with open(broken_path, "w") as f:
                json.dump(broken, f)
            count, _ = lint(redocly, broken_path)
            if count == 0:
                print("FAIL: redocly found no error in a document without security and responses")
                failed = True
        count, errors = lint(redocly, path)
        operations = sum(len(methods) for methods in document["paths"].values())
        print(f"{name}: {operations} operations, {count} errors")
        for error in errors:
            print(f"  {error['ruleId']}: {error['message']} at {error['location'][0].get('pointer')}")
        failed |= count != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
