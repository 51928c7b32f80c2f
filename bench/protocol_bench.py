"""stroke-serve's routes side by side on one model repository: the original
/prediction and /predict, the Open Inference Protocol v2, KServe v1 and
MLflow's /invocations, each sent the same patient as one record, loaded by
wrk at 1, 8 and 64 keep-alive connections; then what a reload costs.

    /usr/bin/python3 bench/protocol_bench.py --serve build-bench/apps/serve/stroke-serve \
        [--seconds 10] [--out protocols.json]

One stroke-serve (auth on, as bench/http_bench.py: a bcrypt htpasswd entry,
verified once then cached) serves a repository of the shipped stroke bundle
as version 1 with the alias production. Before loading, each route's answer
is checked: the protocols that give probabilities give /prediction's.

Reload figures (each the median of repeated runs):
- reload_unchanged_ms: POST /admin/reload when nothing changed (a scan of
  the directory);
- new_version_ms: a new version's bundle written, then POST /admin/reload
  until it answers: read, load, golden rows checked, published;
- under_reloads: the OIP route at 64 connections while the production alias
  is moved between two versions and the repository reloaded every 100 ms,
  next to the same route's quiet run.
"""
import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from http_bench import BODY, CONNECTIONS, PASSWORD, USER, wrk
from results_io import write_results

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join(HERE, "..", "models", "stroke.bundle.json")
PORT = 8103
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def oip_body():
    inputs = []
    for name, value in BODY.items():
        datatype = "BYTES" if isinstance(value, str) else "BOOL" if isinstance(value, bool) else "FP64"
        inputs.append({"name": name, "shape": [1], "datatype": datatype, "data": [value]})
    return {"inputs": inputs, "outputs": [{"name": "probabilities"}]}


# route label, path, body, and how to read P(class 1) from the answer (None: a label only;
# the original /prediction rounds it to 4 decimals).
ROUTES = [
    ("/prediction (original)", "/prediction", BODY, None),
    ("/predict (one record)", "/predict", BODY, lambda a: a["probability"]),
    ("OIP v2 /v2/models/stroke/infer", "/v2/models/stroke/infer", oip_body(), lambda a: a["outputs"][0]["data"][1]),
    ("KServe v1 /v1/models/stroke:predict", "/v1/models/stroke:predict", {"instances": [BODY]}, None),
    ("MLflow /invocations", "/invocations",
     {"dataframe_records": [BODY], "params": {"predict_method": "predict_proba"}},
     lambda a: a["predictions"][0][1]),
]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", "Authorization": AUTH})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wait_ready(process):
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"protocol_bench: stroke-serve exited with {process.returncode}")
        try:
            return call("POST", "/predict", BODY)
        except OSError:
            time.sleep(0.1)
    sys.exit("protocol_bench: stroke-serve did not answer")


def script_for(tmp, index, body):
    path = os.path.join(tmp, f"route{index}.lua")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(body))}\n'
                f'wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "{AUTH}"\n')
    return path


def add_version(repo, version):
    folder = os.path.join(repo, "stroke", str(version))
    os.makedirs(folder, exist_ok=True)
    shutil.copy(BUNDLE, os.path.join(folder, "stroke.bundle.json"))


def timed_ms(action):
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def reload_costs(repo):
    unchanged = [timed_ms(lambda: call("POST", "/admin/reload")) for _ in range(30)]
    new_version = []
    for _ in range(10):
        add_version(repo, 3)

        def publish():
            call("POST", "/admin/reload")
            call("GET", "/v2/models/stroke/versions/3/ready")  # raises unless 200
        new_version.append(timed_ms(publish))
        shutil.rmtree(os.path.join(repo, "stroke", "3"))
        call("POST", "/admin/reload")
    return {"reload_unchanged_ms": statistics.median(unchanged), "new_version_ms": statistics.median(new_version),
            "bundle_bytes": os.path.getsize(BUNDLE)}


def under_reloads(seconds, script, path):
    """wrk on `path` at 64 connections while the alias moves and the repository reloads every 100 ms."""
    stop = threading.Event()
    moves = [0]

    def churn():
        while not stop.is_set():
            call("PUT", "/models/stroke/aliases/production", {"version": 2 if moves[0] % 2 == 0 else 1})
            call("POST", "/admin/reload")
            moves[0] += 1
            time.sleep(0.1)
    thread = threading.Thread(target=churn)
    thread.start()
    try:
        run = wrk(PORT, 64, seconds, script, path)
    finally:
        stop.set()
        thread.join()
    run["alias_moves"] = moves[0]
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", required=True, help="the stroke-serve binary")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--out", help="JSON output (default: print)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "repo")
        for version in (1, 2):
            add_version(repo, version)
        with open(os.path.join(repo, "stroke", "aliases.json"), "w", encoding="utf-8") as f:
            json.dump({"production": 1}, f)
        htpasswd = os.path.join(tmp, "htpasswd")
        entry = subprocess.run([args.serve, "passwd", USER], input=PASSWORD + "\n", capture_output=True, text=True,
                               check=True).stdout
        with open(htpasswd, "w", encoding="utf-8") as f:
            f.write(entry)
        command = [args.serve, "--model-repository", repo, "--port", str(PORT), "--users", htpasswd,
                   "--admin", USER, "--quiet"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            expected = wait_ready(process)["probability"]
            routes = []
            for index, (label, path, body, probability) in enumerate(ROUTES):
                answer = call("POST", path, body)
                if probability is not None and probability(answer) != expected:
                    sys.exit(f"protocol_bench: {label} answers {probability(answer)}, /predict {expected}")
                script = script_for(tmp, index, body)
                runs = []
                for c in CONNECTIONS:
                    runs.append(wrk(PORT, c, args.seconds, script, path))
                    print(f"protocol_bench: {label} {c} connections: {runs[-1]}", flush=True)
                routes.append({"route": label, "path": path, "runs": runs})
            results = {"routes": routes, "reload": reload_costs(repo)}
            print(f"protocol_bench: reload {results['reload']}", flush=True)
            oip = next(r for r in routes if r["path"].startswith("/v2/"))
            results["under_reloads"] = {
                "path": oip["path"], "quiet": next(r for r in oip["runs"] if r["connections"] == 64),
                "reloading": under_reloads(args.seconds, script_for(tmp, 2, ROUTES[2][2]), oip["path"])}
            print(f"protocol_bench: under reloads {results['under_reloads']['reloading']}", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    write_results(results, args.out)


if __name__ == "__main__":
    main()
