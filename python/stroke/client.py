"""stroke.Client: predictions from a stroke-serve server, shaped as stroke.Model's.

    import stroke
    client = stroke.Client("http://127.0.0.1:8000", auth=("alice", "wonderland"))
    proba = client.predict_proba(df)       # (n_samples, n_classes) float64, as Model.predict_proba
    labels = client.predict(df)            # numpy str array of labels (regression: float64 values)
    why = client.explain(df)               # list of the server's "explanation" objects

Pure Python (the standard library and numpy; pandas only when given a DataFrame):
it never uses the compiled stroke._stroke, so this file and client_errors.py work
on their own, copied into a project without the extension. When the extension is
there, a 422 is also a stroke.InvalidInput, as the in-process Model raises.

HTTP/1.1 keep-alive over http.client, one connection per thread; see Client.
"""

import base64
import gzip
import http.client
import json
import math
import re
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping

import numpy as np

from .client_errors import ServerError, ServerInvalidInput, invalid_input, server_error, shifted

__all__ = ["Client", "ServerError", "ServerInvalidInput"]

_USER_AGENT = "stroke.Client (Python)"
_RETRY_STATUSES = (429, 503)
# What a reused keep-alive connection raises when the server closed it while idle.
_STALE_CONNECTION = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, http.client.BadStatusLine)
# The server's 413 for too many records (apps/serve/record_routes.cc).
_BATCH_LIMIT = re.compile(r"limit of (\d+) \(--max-batch-rows\)")

class Client:
    """A client of one stroke-serve server (and one model of it), answering as stroke.Model does.

    Args:
        base_url: str, "http://host:port" or "https://host:port", optionally with a path
            prefix ("https://host/stroke") where a proxy serves stroke-serve under one.
        auth: None; a (user, password) tuple for HTTP Basic (--users); or an API key str
            sent as "Authorization: Bearer <key>" (--api-keys). Credentials in base_url
            ("http://alice:pw@host") are used when auth is None.
        timeout: float seconds, or a (connect, read) tuple: the limit on connecting and on
            each wait for the server's bytes (not on a whole answer). None waits forever.
            A read timeout raises TimeoutError and is not retried (a slow server is not
            helped by more work); a connect timeout is retried as a connection error.
        model: str or None: the model's name (/models/{model}/predict); None: the server's
            default model (/predict).
        version: str or int or None: a version number or alias of `model`
            (/models/{model}/versions/{version}/predict); needs `model`.
        max_batch_rows: int or None: records per request. None: 1,000 (stroke-serve's
            default --max-batch-rows). Either way a 413 naming a lower limit
            ("... limit of N (--max-batch-rows)") lowers it to N for this Client and the
            batch is sent again in smaller parts; another 413 (--max-body-bytes) halves it.
        retries: int >= 0: how many times a request is sent again after a 429, a 503 or a
            connection error (refused, reset, unreachable), waiting Retry-After seconds
            when the answer gives them, else backoff * 2**attempt (0.5, 1, 2, ... s).
        backoff: float seconds, the first wait.
        max_wait: float seconds: no wait is longer; a Retry-After above it raises the
            ServerError at once (e.g. a 429 for too many failed logins: 60 s).

    Methods take X as one record (a dict: field -> value), a list or tuple of records, or a
    pandas DataFrame (one column per input field; each row a record). None, NaN, pd.NA and
    NaT are sent as null; numpy scalars as Python numbers, bools and strings. An infinite
    float raises ValueError before anything is sent (JSON has no infinity). X is split into
    requests of max_batch_rows records; the answers are joined in X's order.

    Errors: ServerError (status, message, request_id) for an error answer; its subclass
    ServerInvalidInput for a 422; ConnectionError once retries are spent on connection
    errors; TimeoutError; TypeError for an X of another type; ValueError as above.

    Threads: a Client may be shared. Each thread has its own keep-alive connection
    (threading.local), opened at its first request and opened again when the server has
    closed it (--keep-alive-timeout, --keep-alive-max). close() (or leaving a `with`
    block) closes every thread's connection; call it when no request is in flight.
    """

    def __init__(self, base_url, *, auth=None, timeout=30.0, model=None, version=None,
                 max_batch_rows=None, retries=3, backoff=0.5, max_wait=30.0):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be http://host[:port][/prefix] or https://..., got {base_url!r}")
        if version is not None and model is None:
            raise ValueError("version needs model: the server's default model has no version route")
        if max_batch_rows is not None and (not isinstance(max_batch_rows, int) or max_batch_rows < 1):
            raise ValueError(f"max_batch_rows must be a positive int or None, got {max_batch_rows!r}")
        if not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries must be an int >= 0, got {retries!r}")
        self.base_url = base_url
        self.max_batch_rows = max_batch_rows or 1000
        self.retries = retries
        self.backoff = float(backoff)
        self.max_wait = float(max_wait)
        if isinstance(timeout, tuple):
            self._connect_timeout, self._read_timeout = timeout
        else:
            self._connect_timeout = self._read_timeout = timeout
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        if auth is None and parts.username is not None:
            auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         "User-Agent": _USER_AGENT}
        if isinstance(auth, tuple) and len(auth) == 2:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
            self._headers["Authorization"] = "Basic " + token
        elif isinstance(auth, str):
            self._headers["Authorization"] = "Bearer " + auth
        elif auth is not None:
            raise TypeError(f"auth must be None, a (user, password) tuple or an API key str, got {type(auth).__name__}")
        prefix = parts.path.rstrip("/")
        if model is not None:
            prefix += "/models/" + urllib.parse.quote(str(model), safe="")
            if version is not None:
                prefix += "/versions/" + urllib.parse.quote(str(version), safe="")
        self._prefix = prefix
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections = set()

    def __repr__(self):
        return f"stroke.Client({self.base_url!r}, route prefix {self._prefix or '/'!r})"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Closes every thread's connection (a later request opens a new one)."""
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            conn.close()

    # -- the model's methods --------------------------------------------------------

    def predict(self, X):
        """Class labels (classification) or values (regression), from POST .../predict.

        Returns: (n_samples,) numpy array: labels as a str array (the server's "label",
            from the model's classes, at the bundle's threshold), or float64 values.
            As stroke.Model.predict(X) without threshold.
        Raises: ServerError / ServerInvalidInput, ConnectionError, TimeoutError, TypeError, ValueError.
        """
        answers = self._answers("/predict", X)
        if not answers:
            return np.array([], dtype=np.float64 if self.info()["task"] == "regression" else str)
        if "label" in answers[0]:
            return np.array([a["label"] for a in answers], dtype=str)
        return np.array([a["value"] for a in answers], dtype=np.float64)

    def predict_proba(self, X):
        """Class probabilities, from POST .../predict_proba.

        Returns: (n_samples, n_classes) float64 in class order (Model.classes_), bit for bit
            stroke.Model.predict_proba(X): binary [1 - p, p], p = P(classes_[1]).
        Raises: ServerError (404 for a regression model), ServerInvalidInput,
            ConnectionError, TimeoutError, TypeError, ValueError.
        """
        answers = self._answers("/predict_proba", X)
        if not answers:
            return np.zeros((0, len(self.info().get("class_labels") or [])), dtype=np.float64)
        return np.array([a["probabilities"] for a in answers], dtype=np.float64)

    def explain(self, X):
        """Exact TreeSHAP explanations, from POST .../explain.

        Returns: list of n_samples objects, each the server's "explanation" of its row:
            {"expected_value": float, "raw_score": float, "by_input": {input: float},
            "contributions": {feature: float}}; for a multiclass model a list of those, one
            per class with "class" and "label" (docs/http-api.md, POST /explain).
        Raises: ServerError / ServerInvalidInput, ConnectionError, TimeoutError, TypeError, ValueError.
        """
        return [a["explanation"] for a in self._answers("/explain", X)]

    def info(self):
        """The model's metadata, GET .../model: dict with name, version, task, threshold,
        class_labels, inputs, features, metrics, ...; "served": {"name", "version"}, the
        model version that answers (a repository's version number, else the bundle's
        version); "limits": {"max_batch_rows"}, the server's --max-batch-rows (needs
        credentials with --protect-ops)."""
        return self._request("GET", self._prefix + "/model")

    # -- batches --------------------------------------------------------------------

    def _answers(self, route, X):
        """The server's per-record answers (dicts) for X, in X's order, over as many
        requests as max_batch_rows asks; a 422 of any batch raises after every batch."""
        records = _records(X)
        path = self._prefix + route
        answers, detail, first_id = [], [], None
        start = 0
        while start < len(records):
            chunk = records[start:start + self.max_batch_rows]
            try:
                body = self._request("POST", path, _encode(chunk, start))
            except ServerError as e:
                if e.status == 413 and len(chunk) > 1:
                    match = _BATCH_LIMIT.search(e.message)
                    limit = int(match.group(1)) if match else len(chunk) // 2
                    self.max_batch_rows = max(1, min(limit, len(chunk) - 1))
                    continue
                if e.status != 422 or not e.detail:
                    raise
                detail.extend(shifted(entry, start) for entry in e.detail)
                first_id = first_id or e.request_id
                start += len(chunk)
                continue
            predictions = body.get("predictions") if isinstance(body, dict) else None
            if not isinstance(predictions, list) or len(predictions) != len(chunk):
                raise ServerError(f"expected {{\"predictions\": [{len(chunk)} answers]}}, got {str(body)[:200]}",
                                  status=200, url=self._url(path))
            answers.extend(predictions)
            start += len(chunk)
        if detail:
            raise invalid_input(detail, len(records), first_id, self._url(path))
        return answers

    # -- HTTP -----------------------------------------------------------------------

    def _url(self, path):
        return f"{'https' if self._https else 'http'}://{self._host}:{self._port}{path}"

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self._connect_timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self, conn):
        conn.close()
        self._local.conn = None
        with self._lock:
            self._connections.discard(conn)

    def _exchange(self, method, path, body):
        """One request on this thread's connection: (status, response, bytes). A reused
        connection the server closed while idle is opened again once, silently.
        Raises _Unreachable when connecting fails (a connect timeout included)."""
        conn = self._connection()
        reused = conn.sock is not None
        if not reused:
            try:
                conn.connect()
            except ssl.SSLError:
                self._drop_connection(conn)
                raise
            except OSError as e:
                self._drop_connection(conn)
                raise _Unreachable(e) from e
            conn.sock.settimeout(self._read_timeout)
            with self._lock:
                self._connections.add(conn)
        try:
            conn.request(method, path, body=body, headers=self._headers)
            response = conn.getresponse()
            data = response.read()
        except _STALE_CONNECTION as e:
            self._drop_connection(conn)
            if reused:
                return self._exchange(method, path, body)
            if isinstance(e, OSError):
                raise _Unreachable(e) from e
            raise
        except BaseException:
            self._drop_connection(conn)
            raise
        if response.will_close:
            self._drop_connection(conn)
        if response.getheader("Content-Encoding", "identity").lower() == "gzip":
            data = gzip.decompress(data)
        return response.status, response, data

    def _request(self, method, path, body=None):
        """The parsed JSON answer of a 2xx; retries 429, 503 and connection errors."""
        url = self._url(path)
        for attempt in range(self.retries + 1):
            wait = min(self.backoff * 2 ** attempt, self.max_wait)
            try:
                status, response, data = self._exchange(method, path, body)
            except TimeoutError as e:
                raise TimeoutError(f"no answer from {url} within {self._read_timeout} s") from e
            except _Unreachable as e:
                if attempt == self.retries:
                    raise ConnectionError(f"cannot reach {url} ({self.retries + 1} attempts): {e.cause}") from e.cause
                time.sleep(wait)
                continue
            if 200 <= status < 300:
                return json.loads(data)
            error = server_error(status, response, data, url)
            if status not in _RETRY_STATUSES or attempt == self.retries:
                raise error
            if error.retry_after is not None:
                if error.retry_after > self.max_wait:
                    raise error
                wait = error.retry_after
            time.sleep(wait)
        raise AssertionError("unreachable")


class _Unreachable(Exception):
    """Connecting failed, or a new connection was reset: worth another attempt."""

    def __init__(self, cause):
        super().__init__(str(cause))
        self.cause = cause


# -- input ---------------------------------------------------------------------------

def _records(X):
    """X as a list of records (dicts)."""
    if isinstance(X, Mapping):
        return [X]
    if type(X).__module__.startswith("pandas") and type(X).__name__ == "DataFrame":
        return X.to_dict(orient="records")
    if isinstance(X, (list, tuple)):
        for i, record in enumerate(X):
            if not isinstance(record, Mapping):
                raise TypeError(f"X[{i}] is a {type(record).__name__}: each record must be a dict (field -> value)")
        return X
    raise TypeError(f"X must be a dict, a list of dicts or a pandas DataFrame, got {type(X).__name__}")


def _plain(value, row, field):
    """A value JSON can carry: None for every kind of missing, Python scalars for numpy's."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):  # numpy.float64 too
        if value != value:
            return None
        if math.isinf(value):
            raise ValueError(f"row {row}, field {field!r}: {value} cannot be sent (JSON has no infinity)")
        return float(value)
    if isinstance(value, np.generic):
        return _plain(value.item(), row, field)
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas.NA, pandas.NaT
        return None
    raise TypeError(f"row {row}, field {field!r}: a {type(value).__name__} cannot be sent; "
                    "values are numbers, bools, strings or None")


def _encode(records, offset):
    """The JSON array of `records` (X's rows from `offset`) as bytes."""
    clean = [{field: _plain(value, offset + i, field) for field, value in record.items()}
             for i, record in enumerate(records)]
    return json.dumps(clean, allow_nan=False, separators=(",", ":")).encode("ascii")
