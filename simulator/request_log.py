"""The request log: one entry per vendor request, and never a secret in it.

No header is logged. The value of any query parameter, JSON key or form field whose name contains one
of SECRET_WORDS is replaced by MASK. Bodies are logged only when asked for (the log_bodies knob).
"""
from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .base import SimRequest, SimResponse, VendorApp

SECRET_WORDS = ("token", "key", "secret", "password", "signature")
MASK = "***"
FORM_TYPE = "application/x-www-form-urlencoded"


def is_secret_name(name: str) -> bool:
    """True for a parameter or key name that looks like it holds a secret."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def redact_query(query: str) -> str:
    """The raw query with the values of secret-looking parameters masked."""
    if not query or not any(word in query.lower() for word in SECRET_WORDS):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, MASK if is_secret_name(name) else value) for name, value in pairs])


def redact(value: Any) -> Any:
    """Parsed JSON with the value of every secret-looking key masked, at any depth."""
    if isinstance(value, dict):
        return {key: MASK if is_secret_name(str(key)) else redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def logged_body(request: SimRequest) -> Any:
    """The body as the log holds it: None when empty, a form as an object of its fields, else the parsed JSON;
    a body that is neither is logged by its size only."""
    if not request.body:
        return None
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    try:
        text = request.body.decode("utf-8")
        if content_type == FORM_TYPE:
            return redact(dict(parse_qsl(text, keep_blank_values=True)))
        return redact(json.loads(text))
    except ValueError:  # not UTF-8, not JSON
        return f"<{len(request.body)} bytes, not JSON>"


class RequestLog:
    """The entries in the order the requests were answered."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, app: VendorApp | None, request: SimRequest, response: SimResponse | None, fault: str | None,
               applied: bool = False, with_body: bool = False) -> None:
        """Log one vendor request: `response` None when it was dropped, `fault` the fault it got, `applied` whether
        the vendor app handled it and its own answer was a success (whatever answer the client then got)."""
        entry = {
            "seq": next(self._seq),
            "time": round(time.time(), 3),
            "vendor": app.name if app else None,
            "method": request.method,
            "path": request.path,
            "query": redact_query(request.query_string),
            "status": response.status if response else None,
            "kind": app.kind(request) if app else "read",
            "request_id": app.request_id(request) if app else None,
            "fault": fault,
            "applied": applied,
        }
        if with_body:
            entry["body"] = logged_body(request)
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the entries."""
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self) -> None:
        """Empty the log."""
        with self._lock:
            self._entries.clear()
