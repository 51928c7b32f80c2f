"""stroke.Client: predictions from a stroke-serve server, shaped as stroke.Model's.

    import stroke
    client = stroke.Client("http://127.0.0.1:8000", auth=("alice", "wonderland"))
    proba = client.predict_proba(df)       # (n_samples, n_classes) float64, as Model.predict_proba
    labels = client.predict(df)            # numpy str array of labels (regression: float64 values)
    why = client.explain(df)               # list of the server's "explanation" objects

Pure Python (the standard library and numpy; pandas only when given a DataFrame):
it never uses the compiled stroke._stroke, so this file works on its own, copied
into a project without the extension. When the extension is there, a 422 is also
a stroke.InvalidInput, as the in-process Model raises.

HTTP/1.1 keep-alive over http.client, one connection per thread; see Client.
"""

import base64
import email.utils
import gzip
import http.client
import json
import math
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping

import numpy as np

try:
    from ._stroke import InvalidInput as _InvalidInputBase
except ImportError:  # copied out of the package, or the extension is absent
    _InvalidInputBase = ValueError

__all__ = ["Client", "ServerError", "ServerInvalidInput"]

_USER_AGENT = "stroke.Client (Python)"
_RETRY_STATUSES = (429, 503)
# What a reused keep-alive connection raises when the server closed it while idle.
_STALE_CONNECTION = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, http.client.BadStatusLine)
# The server's 413 for too many records (apps/serve/record_routes.cc).
_BATCH_LIMIT = re.compile(r"limit of (\d+) \(--max-batch-rows\)")
# Pydantic type names of the 422 "detail" (apps/serve/validation_detail.cc) -> the module's error types.
_DETAIL_TYPES = {"value_error.missing": "missing", "value_error.extra": "unknown_field",
                 "type_error.enum": "category", "type_error": "type", "value_error.jsondecode": "parse"}


class ServerError(Exception):
    """An error answer from stroke-serve (any status but 2xx, after retries).

    Attributes:
        status: int, the HTTP status (401, 403, 404, 413, 422, 429, 503, ...).
        message: str, the server's message: its "error" text; for a 422 a summary of
            "detail"; for a body that is not the server's JSON, its first 500 characters.
        detail: list of dict or None: a 422's FastAPI-style entries
            {"loc": ["body", row, field], "msg": str, "type": str}, with `row` counted in
            the caller's X (0-based), across batches; None for other statuses.
        request_id: str or None, the answer's X-Request-Id (find it in the server's logs).
        retry_after: float or None, seconds from a Retry-After header (429, 503).
        url: str, the URL requested.
    """

    def __init__(self, message, *, status, detail=None, request_id=None, retry_after=None, url=""):
        text = f"HTTP {status} from {url}: {message}" if url else f"HTTP {status}: {message}"
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)
        self.status = status
        self.message = message
        self.detail = detail
        self.request_id = request_id
        self.retry_after = retry_after
        self.url = url


class ServerInvalidInput(ServerError, _InvalidInputBase):
    """A 422: rows of X the server's model refuses. A ServerError and, with the compiled
    module present, a stroke.InvalidInput (else a ValueError), so code written for
    Model.predict's errors handles it.

    Every batch is sent, so that the error covers every bad row of X, as Model's does.

    Attributes (beyond ServerError's; status is 422):
        errors: list of dict, one per problem, in row order, as stroke.InvalidInput's:
            {"row": int (0-based position in X) or None (a problem of a whole body, or the
            server's "... and N more errors" line past its 1,000 entries per request),
            "field": str ("" for the whole record), "type": str (missing, type, category,
            limit, unknown_field, not_finite, ...), "message": str}.
        rows: int, the number of rows in X.
    """

    def __init__(self, message, *, errors, rows, **kwargs):
        super().__init__(message, status=422, **kwargs)
        self.errors = errors
        self.rows = rows


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
        class_labels, inputs, features, metrics, ... (needs credentials with --protect-ops)."""
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
                detail.extend(_shifted(entry, start) for entry in e.detail)
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
            raise _invalid_input(detail, len(records), first_id, self._url(path))
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
            error = _server_error(status, response, data, url)
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


# -- errors --------------------------------------------------------------------------

def _retry_after(text):
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _server_error(status, response, data, url):
    request_id = response.getheader("X-Request-Id")
    retry_after = _retry_after(response.getheader("Retry-After"))
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) and isinstance(body.get("detail"), list) else None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message = body["error"]
    elif detail is not None:
        message = "; ".join(f"{_loc_text(d.get('loc'))}: {d.get('msg')}" for d in detail[:10] if isinstance(d, dict))
    else:
        message = data[:500].decode("utf-8", "replace")
    return ServerError(message, status=status, detail=detail, request_id=request_id,
                       retry_after=retry_after, url=url)


def _loc_text(loc):
    return ".".join(str(part) for part in loc) if isinstance(loc, list) else str(loc)


def _shifted(entry, offset):
    """A 422 detail entry of a batch sent from X's row `offset`, its row counted in X."""
    if not isinstance(entry, dict):
        return entry
    loc = entry.get("loc")
    if isinstance(loc, list) and len(loc) >= 2 and loc[0] == "body" and type(loc[1]) is int:
        entry = dict(entry, loc=["body", loc[1] + offset, *loc[2:]])
    return entry


def _invalid_input(detail, rows, request_id, url):
    errors = []
    for entry in detail:
        loc = entry.get("loc", []) if isinstance(entry, dict) else []
        row = loc[1] if len(loc) >= 2 and loc[0] == "body" and type(loc[1]) is int else None
        fields = loc[2:] if row is not None else loc[1:]
        kind = str(entry.get("type", "")) if isinstance(entry, dict) else ""
        errors.append({"row": row, "field": ".".join(str(f) for f in fields),
                       "type": _DETAIL_TYPES.get(kind, kind.split(".")[-1]),
                       "message": str(entry.get("msg", "")) if isinstance(entry, dict) else str(entry)})
    by_row = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['field']}: {e['message']}" if e["field"] else e["message"])
    lines = [f"\n  row {row}: " + "; ".join(problems) if row is not None else "\n  " + "; ".join(problems)
             for row, problems in list(by_row.items())[:10]]
    if len(by_row) > 10:
        lines.append(f"\n  ... and {len(by_row) - 10} more rows")
    bad = sum(1 for row in by_row if row is not None)
    message = f"{bad} of {rows} rows are invalid (see .errors):" + "".join(lines)
    return ServerInvalidInput(message, errors=errors, rows=rows, detail=detail, request_id=request_id, url=url)
