"""stroke.Client against real stroke-serve processes (STROKE_SERVE, set by ctest's
python.client) on free loopback ports, and against small http.server stubs for
retries and timeouts: its answers are stroke.Model's bit for bit."""
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
import pytest

import stroke
from conftest import MODELS_DIR, SOURCE, random_records

sys.path.insert(0, os.path.join(SOURCE, "tests"))
import serve_process  # noqa: E402  (tests/serve_process.py: start/stop a stroke-serve child)

STROKE_BUNDLE = os.path.join(MODELS_DIR, "stroke.bundle.json")
HEART_BUNDLE = os.path.join(MODELS_DIR, "heart_disease.bundle.json")


def serve_binary():
    binary = os.environ.get("STROKE_SERVE")
    if not binary:
        pytest.skip("STROKE_SERVE not set: stroke-serve was not built (ctest python.client sets it)")
    return binary


def started(*args):
    process, url = serve_process.start(serve_binary(), "--quiet", *args)
    return process, url


@pytest.fixture(scope="module")
def server():
    """Two models (stroke, the default, and heart_disease), no auth."""
    process, url = started("--model", STROKE_BUNDLE, "--model", HEART_BUNDLE)
    yield url
    serve_process.stop(process)


@pytest.fixture(scope="module")
def small_batch_server():
    process, url = started("--model", STROKE_BUNDLE, "--max-batch-rows", "3")
    yield url
    serve_process.stop(process)


@pytest.fixture(scope="module")
def heart_model():
    return stroke.Model.load(HEART_BUNDLE)


@pytest.fixture(scope="module")
def rows():
    """examples/patient.json, the bundle's golden rows and random valid records."""
    with open(os.path.join(SOURCE, "examples", "patient.json")) as f:
        patient = json.load(f)
    with open(STROKE_BUNDLE) as f:
        golden = [g["inputs"] for g in json.load(f)["golden"]]
    return [patient] + golden + random_records(stroke.Model.load(STROKE_BUNDLE), 40, seed=11)


def requests_counted(url, route, code):
    """stroke_http_requests_total{route, method="POST", code} from /metrics."""
    text = urllib.request.urlopen(url + "/metrics", timeout=5).read().decode()
    match = re.search(r'^stroke_http_requests_total\{route="%s",method="POST",code="%d"\} (\d+)$' % (re.escape(route), code),
                      text, re.M)
    return int(match.group(1)) if match else 0


def test_answers_equal_the_module_bit_for_bit(server, stroke_model, rows):
    with stroke.Client(server) as client:
        proba = client.predict_proba(rows)
        labels = client.predict(rows)
        why = client.explain(rows)
    assert proba.shape == (len(rows), 2) and proba.dtype == np.float64
    np.testing.assert_array_equal(proba, stroke_model.predict_proba(rows))
    assert labels.shape == (len(rows),) and labels.dtype.kind == "U"
    np.testing.assert_array_equal(labels, stroke_model.predict(rows))
    expected = stroke_model.explain(rows)
    assert len(why) == len(rows)
    for i, e in enumerate(why):
        assert e["expected_value"] == expected.expected_value[0]
        raw = e["expected_value"]
        for c in expected.contributions[i, 0]:
            raw += c
        assert e["raw_score"] == raw  # the server's sum, in feature order
        assert e["raw_score"] == pytest.approx(expected.raw_margin[i, 0], abs=1e-12)
        np.testing.assert_array_equal([e["by_input"][name] for name in expected.input_names], expected.by_input[i, 0])
        np.testing.assert_array_equal([e["contributions"][name] for name in expected.feature_names],
                                      expected.contributions[i, 0])


def test_one_record_and_no_records(server, stroke_model, rows):
    with stroke.Client(server) as client:
        np.testing.assert_array_equal(client.predict_proba(rows[0]), stroke_model.predict_proba(rows[:1]))
        assert client.predict(rows[0]).shape == (1,)
        assert client.predict([]).shape == (0,)
        assert client.predict_proba(()).shape == (0, 2)
        assert client.explain([]) == []


def test_dataframe_input(server, stroke_model, rows):
    frame = pd.DataFrame(rows)  # bmi None -> NaN: null, imputed
    frame["work_type"] = frame["work_type"].astype("category")
    frame["age"] = frame["age"].astype("Float64")
    frame.loc[3, "bmi"] = np.nan
    frame.loc[5, "bmi"] = None
    assert isinstance(frame.loc[0, "hypertension"], (bool, np.bool_))
    with stroke.Client(server) as client:
        np.testing.assert_array_equal(client.predict_proba(frame), stroke_model.predict_proba(frame))
        np.testing.assert_array_equal(client.predict(frame), stroke_model.predict(frame))
    # numpy scalars in records, NaN and pd.NA as null
    records = [dict(r) for r in rows[:3]]
    records[0]["age"] = np.int64(67)
    records[1]["bmi"] = float("nan")
    records[2]["bmi"] = pd.NA
    records[2]["avg_glucose_level"] = np.float32(99.5)
    with stroke.Client(server) as client:
        np.testing.assert_array_equal(client.predict_proba(records), stroke_model.predict_proba(records))


def test_batches_split_under_the_limit_and_joined_in_order(small_batch_server, stroke_model, rows):
    ten = rows[:10]
    before = requests_counted(small_batch_server, "/predict_proba", 200)
    with stroke.Client(small_batch_server, max_batch_rows=3) as client:
        proba = client.predict_proba(ten)  # one call: 3 + 3 + 3 + 1 records
    assert requests_counted(small_batch_server, "/predict_proba", 200) - before == 4
    np.testing.assert_array_equal(proba, stroke_model.predict_proba(ten))
    # Without max_batch_rows: 1,000, refused (413 naming the limit), then 3 at a time.
    refused = requests_counted(small_batch_server, "/predict", 413)
    before = requests_counted(small_batch_server, "/predict", 200)
    with stroke.Client(small_batch_server) as client:
        labels = client.predict(ten)
        assert client.max_batch_rows == 3
        assert client.info()["limits"]["max_batch_rows"] == 3  # what the server publishes
    assert requests_counted(small_batch_server, "/predict", 413) - refused == 1
    assert requests_counted(small_batch_server, "/predict", 200) - before == 4
    np.testing.assert_array_equal(labels, stroke_model.predict(ten))


def test_422_rows_are_the_callers_across_batches(small_batch_server, stroke_model, rows):
    bad = [dict(r) for r in rows[:10]]
    bad[1]["age"] = 150
    bad[4]["gender"] = "Robot"
    del bad[8]["age"]
    bad[8]["smoking_status"] = 3
    with stroke.Client(small_batch_server, max_batch_rows=3) as client, pytest.raises(stroke.ServerInvalidInput) as raised:
        client.predict(bad)
    e = raised.value
    assert isinstance(e, stroke.InvalidInput) and isinstance(e, stroke.ServerError) and e.status == 422
    assert e.rows == 10
    with pytest.raises(stroke.InvalidInput) as local:
        stroke_model.predict(bad)
    assert e.errors == local.value.errors  # the same rows, fields, types and messages as in process
    assert [d["loc"][:2] for d in e.detail] == [["body", 1], ["body", 4], ["body", 8], ["body", 8]]
    assert e.detail[0]["loc"] == ["body", 1, "age"] and e.detail[0]["type"] == "value_error.limit"
    assert "3 of 10 rows are invalid" in str(e) and "row 4: gender:" in str(e)


def test_credentials(tmp_path, stroke_model, rows):
    serve = serve_binary()
    users = subprocess.run([serve, "passwd", "alice"], input="wonderland\n", capture_output=True, text=True, check=True)
    (tmp_path / "users").write_text(users.stdout)
    keys = subprocess.run([serve, "apikey", "dashboard"], capture_output=True, text=True, check=True)
    (tmp_path / "keys").write_text(keys.stdout)
    key = keys.stderr.strip().split()[-1]
    process, url = started("--model", STROKE_BUNDLE, "--users", str(tmp_path / "users"),
                           "--api-keys", str(tmp_path / "keys"))
    try:
        expected = stroke_model.predict_proba(rows[:2])
        np.testing.assert_array_equal(stroke.Client(url, auth=("alice", "wonderland")).predict_proba(rows[:2]), expected)
        np.testing.assert_array_equal(stroke.Client(url, auth=key).predict_proba(rows[:2]), expected)
        port = url.rsplit(":", 1)[1]
        np.testing.assert_array_equal(stroke.Client(f"http://alice:wonderland@127.0.0.1:{port}").predict(rows[:2]),
                                      stroke_model.predict(rows[:2]))
        for auth in (("alice", "wrong"), None, "not-a-key"):
            with pytest.raises(stroke.ServerError) as raised:
                stroke.Client(url, auth=auth).predict(rows[:1])
            assert raised.value.status == 401 and raised.value.request_id
            assert "401" in str(raised.value)
    finally:
        serve_process.stop(process)


class Stub:
    """A loopback HTTP/1.1 server for what stroke-serve does not do on demand: each
    request takes the next step of `script` ((status, headers) to answer, or a number
    of seconds to sleep first); past the script it proxies to `upstream`."""

    def __init__(self, script, upstream=None, port=0):
        self.script = list(script)
        self.upstream = upstream
        self.paths = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.paths.append(self.path)
                step = stub.script.pop(0) if stub.script else None
                if isinstance(step, (int, float)) and not isinstance(step, bool):
                    time.sleep(step)
                    step = None
                if step is None:
                    status, answer = stub.proxy(self.path, body, self.headers)
                    headers = {}
                else:
                    status, headers = step
                    answer = json.dumps({"error": f"stub says {status}", "request_id": "stub"}).encode()
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json",
                                    "Content-Length": str(len(answer))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def proxy(self, path, body, headers):
        request = urllib.request.Request(self.upstream + path, data=body, method="POST",
                                         headers={"Content-Type": headers["Content-Type"]})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_retries_503_and_429_then_answers(server, stroke_model, rows):
    with Stub([(503, {}), (503, {}), (429, {"Retry-After": "1"})], upstream=server) as stub:
        client = stroke.Client(stub.url, retries=3, backoff=0.05)
        start = time.monotonic()
        proba = client.predict_proba(rows[:5])
        elapsed = time.monotonic() - start
        client.close()
    np.testing.assert_array_equal(proba, stroke_model.predict_proba(rows[:5]))
    assert stub.paths == ["/predict_proba"] * 4
    assert 1.0 + 0.05 + 0.1 <= elapsed < 5  # backoff 0.05, 0.1, then Retry-After's second


def test_retries_are_bounded(rows):
    with Stub([(503, {})] * 10) as stub:
        with pytest.raises(stroke.ServerError) as raised:
            stroke.Client(stub.url, retries=2, backoff=0.01).predict(rows[:1])
        assert raised.value.status == 503 and raised.value.message == "stub says 503"
        assert len(stub.paths) == 3
    # A Retry-After beyond max_wait raises at once.
    with Stub([(429, {"Retry-After": "60"})]) as stub:
        with pytest.raises(stroke.ServerError) as raised:
            stroke.Client(stub.url, retries=5, max_wait=10).predict(rows[:1])
        assert raised.value.status == 429 and raised.value.retry_after == 60 and len(stub.paths) == 1
    # Other errors are not retried.
    with Stub([(500, {})] * 3) as stub:
        with pytest.raises(stroke.ServerError) as raised:
            stroke.Client(stub.url, retries=5, backoff=0.01).predict(rows[:1])
        assert raised.value.status == 500 and len(stub.paths) == 1


def test_connection_errors_are_retried(server, stroke_model, rows):
    port = serve_process.free_port()
    with pytest.raises(ConnectionError, match="3 attempts"):
        stroke.Client(f"http://127.0.0.1:{port}", retries=2, backoff=0.01).predict(rows[:1])
    # A server that comes up while the client waits is reached.
    stubs = []
    timer = threading.Timer(0.3, lambda: stubs.append(Stub([], upstream=server, port=port)))
    timer.start()
    try:
        proba = stroke.Client(f"http://127.0.0.1:{port}", retries=6, backoff=0.1).predict_proba(rows[:2])
        np.testing.assert_array_equal(proba, stroke_model.predict_proba(rows[:2]))
    finally:
        timer.join()
        for stub in stubs:
            stub.__exit__()


def test_timeout_is_per_request_and_not_retried(rows):
    with Stub([2.0, 2.0]) as stub:
        client = stroke.Client(stub.url, timeout=0.3, retries=3)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            client.predict(rows[:1])
        assert time.monotonic() - start < 1.5
        assert len(stub.paths) == 1


def test_per_model_and_version_routes(server, heart_model, stroke_model, rows):
    with open(HEART_BUNDLE) as f:
        heart_rows = [g["inputs"] for g in json.load(f)["golden"]] + random_records(heart_model, 30, seed=4)
    for version in (None, 1, "1"):
        with stroke.Client(server, model="heart_disease", version=version) as client:
            proba = client.predict_proba(heart_rows)
            assert proba.shape == (len(heart_rows), 5)
            np.testing.assert_array_equal(proba, heart_model.predict_proba(heart_rows))
            np.testing.assert_array_equal(client.predict(heart_rows), heart_model.predict(heart_rows))
            assert len(client.explain(heart_rows[:2])[0]) == 5  # one explanation per class
            assert client.info()["served"] == {"name": "heart_disease", "version": "1"}
    with stroke.Client(server, model="stroke", version=1) as client:
        np.testing.assert_array_equal(client.predict_proba(rows), stroke_model.predict_proba(rows))
    for model, version in (("nope", None), ("stroke", 7)):
        with pytest.raises(stroke.ServerError) as raised:
            stroke.Client(server, model=model, version=version).predict(rows[:1])
        assert raised.value.status == 404
    with pytest.raises(ValueError):
        stroke.Client(server, version=1)


def test_a_connection_closed_while_idle_is_reopened(stroke_model, rows):
    process, url = started("--model", STROKE_BUNDLE, "--keep-alive-timeout", "1")
    try:
        client = stroke.Client(url, retries=0)
        first = client.predict_proba(rows[:2])
        time.sleep(1.5)  # the server closes the idle connection
        np.testing.assert_array_equal(client.predict_proba(rows[:2]), first)
        np.testing.assert_array_equal(first, stroke_model.predict_proba(rows[:2]))
        client.close()
    finally:
        serve_process.stop(process)


def test_one_client_shared_by_threads(server, stroke_model, rows):
    client = stroke.Client(server)
    expected = stroke_model.predict_proba(rows)
    results = [None] * 4

    def work(i):
        results[i] = [client.predict_proba(rows) for _ in range(5)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.close()
    for per_thread in results:
        for proba in per_thread:
            np.testing.assert_array_equal(proba, expected)


def test_bad_arguments(server, rows):
    client = stroke.Client(server)
    with pytest.raises(TypeError, match="ndarray"):
        client.predict(np.zeros((2, 10)))
    with pytest.raises(TypeError, match=r"X\[1\]"):
        client.predict([rows[0], [1, 2]])
    with pytest.raises(ValueError, match="row 1, field 'bmi'"):
        client.predict([rows[0], dict(rows[0], bmi=float("inf"))])
    with pytest.raises(TypeError, match="list"):
        client.predict([dict(rows[0], bmi=[1])])
    with pytest.raises(ValueError):
        stroke.Client("ftp://host")
    with pytest.raises(TypeError):
        stroke.Client(server, auth=42)
    client.close()

