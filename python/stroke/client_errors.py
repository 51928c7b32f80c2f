"""stroke.Client's errors: ServerError (any error answer of stroke-serve) and
ServerInvalidInput (a 422), built from the server's answers. Pure Python, as
client.py; with the compiled module present, a 422 is also a stroke.InvalidInput.
"""

import email.utils
import json
import time

try:
    from ._stroke import InvalidInput as _InvalidInputBase
except ImportError:  # copied out of the package, or the extension is absent
    _InvalidInputBase = ValueError

__all__ = ["ServerError", "ServerInvalidInput"]

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


def retry_after_seconds(text):
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


def server_error(status, response, data, url):
    request_id = response.getheader("X-Request-Id")
    retry_after = retry_after_seconds(response.getheader("Retry-After"))
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


def shifted(entry, offset):
    """A 422 detail entry of a batch sent from X's row `offset`, its row counted in X."""
    if not isinstance(entry, dict):
        return entry
    loc = entry.get("loc")
    if isinstance(loc, list) and len(loc) >= 2 and loc[0] == "body" and type(loc[1]) is int:
        entry = dict(entry, loc=["body", loc[1] + offset, *loc[2:]])
    return entry


def invalid_input(detail, rows, request_id, url):
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
