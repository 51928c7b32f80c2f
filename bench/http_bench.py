"""stroke-serve against the FastAPI peer (bench/peer_fastapi.py, in its pandas
and featureprog variants), all loaded
by wrk with the same body and credentials at 1, 8 and 64 keep-alive
connections.

    /usr/bin/python3 bench/http_bench.py --data build/bench-data --serve build/apps/serve/stroke-serve \
        [--seconds 10] [--out http.json]

Both servers run on this machine with auth on (stroke-serve: a bcrypt
htpasswd entry, verified once then cached; the peer: a plaintext users file,
as the original). Before loading, one request to each must give the same
answer. Per server and connection count: requests/s, p50, p99, non-2xx
responses + socket errors; per server: peak resident memory (VmHWM).
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

from results_io import write_results

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTIONS = (1, 8, 64)
USER, PASSWORD = "bench", "bench-password-1"
BODY = {"gender": "Male", "age": 67, "hypertension": False, "heart_disease": True, "ever_married": "Yes",
        "work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6,
        "smoking_status": "formerly smoked"}
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def post(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/prediction", data=json.dumps(BODY).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": AUTH})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_ready(port, process, name):
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"http_bench: {name} exited with {process.returncode}")
        try:
            return post(port)
        except OSError:
            time.sleep(0.1)
    sys.exit(f"http_bench: {name} did not answer on port {port}")


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(port, connections, seconds, script, path="/prediction"):
    """wrk's figures for `script` (a Lua file setting method, body, headers) sent to `path`."""
    out = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
                          "--latency", "--timeout", "10s", "-s", script, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"connections": connections, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50_ms": to_ms(latency["50"]), "p99_ms": to_ms(latency["99"]),
            "errors": (sum(map(int, socket.groups())) if socket else 0) + (int(non2xx.group(1)) if non2xx else 0)}


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) / 1024


def run_server(name, command, port, seconds, script, env=None):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        answer = wait_ready(port, process, name)
        runs = []
        for c in CONNECTIONS:
            runs.append(wrk(port, c, seconds, script))
            print(f"http_bench: {name} {c} connections: {runs[-1]}", flush=True)
        return {"answer": answer, "runs": runs, "peak_rss_mb": peak_rss_mb(process.pid)}
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--serve", required=True, help="the stroke-serve binary")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--out", help="JSON output (default: print)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        htpasswd, users, script = (os.path.join(tmp, n) for n in ("htpasswd", "users.json", "post.lua"))
        entry = subprocess.run([args.serve, "passwd", USER], input=PASSWORD + "\n", capture_output=True,
                               text=True, check=True).stdout
        with open(htpasswd, "w", encoding="utf-8") as f:
            f.write(entry)
        with open(users, "w", encoding="utf-8") as f:
            json.dump([{"username": USER, "password": PASSWORD}], f)
        with open(script, "w", encoding="utf-8") as f:
            f.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(BODY))}\n'
                    f'wrk.headers["Content-Type"] = "application/json"\n'
                    f'wrk.headers["Authorization"] = "{AUTH}"\n')
        results = {
            "stroke-serve": run_server("stroke-serve", [args.serve, "--port", "8100", "--users", htpasswd, "--quiet"],
                                       8100, args.seconds, script),
        }
        for variant in ("pandas", "featureprog"):
            results[f"fastapi-{variant}"] = run_server(
                f"fastapi-{variant}", [sys.executable, os.path.join(HERE, "peer_fastapi.py"), "--data", args.data,
                                       "--users", users, "--port", "8101", "--features", variant],
                8101, args.seconds, script)
    for name, result in results.items():
        if result["answer"] != results["stroke-serve"]["answer"]:
            sys.exit(f"http_bench: {name} answers {result['answer']}, stroke-serve {results['stroke-serve']['answer']}")
    write_results(results, args.out)


if __name__ == "__main__":
    main()
