"""stroke-serve and signals, as logrotate and a process manager send them.

SIGHUP: the access and audit logs are reopened under their paths (the old
files were moved away) and the server keeps serving. SIGTERM: exit 0. SIGTERM
while a big repository is still loading: the process ends at once (exit 143),
not after every model has loaded.
Usage: serve_signals_test.py PATH/TO/stroke-serve
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from serve_process import PATIENT, start, stop


def predict(url):
    request = urllib.request.Request(url + "/predict", data=json.dumps(PATIENT).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def wait_for_lines(path, count):
    for _ in range(100):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
            if len(lines) >= count:
                return lines
        time.sleep(0.05)
    raise AssertionError(f"{path}: expected {count} lines")


def main():
    serve = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        access, audit = os.path.join(tmp, "access.log"), os.path.join(tmp, "audit.jsonl")
        server, url = start(serve, "--access-log", access, "--audit-log", audit)
        try:
            predict(url)
            wait_for_lines(audit, 1)
            os.rename(access, access + ".1")  # what logrotate does
            os.rename(audit, audit + ".1")
            server.send_signal(signal.SIGHUP)
            time.sleep(0.3)
            assert server.poll() is None, f"stroke-serve died on SIGHUP (exit {server.returncode})"
            predict(url)
            new_audit = wait_for_lines(audit, 1)
            new_access = wait_for_lines(access, 1)
            assert json.loads(new_audit[0])["inputs"]["age"] == 67, new_audit
            assert any(json.loads(line)["path"] == "/predict" for line in new_access), new_access
            with open(audit + ".1", encoding="utf-8") as f:
                assert len(f.read().splitlines()) == 1, "the old audit file kept only its own line"
        finally:
            code = stop(server)
        assert code == 0, f"stroke-serve exited {code} on SIGTERM: {server.stderr.read()}"
    print("SIGHUP reopens the access and audit logs and serves on; SIGTERM -> exit 0")
    stop_while_loading(serve)


def stop_while_loading(serve):
    """600 models (links to one bundle) take seconds to load; SIGTERM at 0.5 s ends it at once."""
    bundle = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "heart_disease.bundle.json")
    with tempfile.TemporaryDirectory() as repo:
        for i in range(600):
            os.makedirs(os.path.join(repo, f"m{i}", "1"))
            os.symlink(os.path.abspath(bundle), os.path.join(repo, f"m{i}", "1", "heart.bundle.json"))
        server = subprocess.Popen([serve, "--model-repository", repo, "--port", "0", "--quiet"],
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        sent = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=3)
        except subprocess.TimeoutExpired:
            server.kill()
            raise AssertionError("stroke-serve did not stop on SIGTERM while loading")
        stderr = server.stderr.read()
        assert code == 128 + signal.SIGTERM, f"exit {code}: {stderr}"
        assert "while loading the models: stopped" in stderr, stderr
    print(f"SIGTERM while loading 600 models -> exit {code} after {time.monotonic() - sent:.2f} s")


if __name__ == "__main__":
    main()
