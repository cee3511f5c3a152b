"""Shared building blocks: the request/response objects and the vendor app base class."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import Message
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .rate_limit import RateLimiter
from .settings import Settings


@dataclass
class SimRequest:
    """One HTTP request as the vendor app sees it."""

    method: str
    raw_path: str  # path and query exactly as received (still URL-encoded)
    headers: Message
    body: bytes = b""

    @cached_property
    def path(self) -> str:
        """The decoded path, without the query string."""
        return unquote(urlsplit(self.raw_path).path)

    @cached_property
    def query_string(self) -> str:
        """The raw (still encoded) query string."""
        return urlsplit(self.raw_path).query

    @cached_property
    def query(self) -> dict[str, str]:
        """Query parameters (the first value of each name; blank values kept)."""
        return {name: values[0] for name, values in parse_qs(self.query_string, keep_blank_values=True).items()}

    def header(self, name: str) -> str | None:
        """A request header (case-insensitive), or None."""
        return self.headers.get(name)

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not valid JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class SimResponse:
    """A response: a JSON-serialisable body (or raw bytes) with status and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encode(self) -> bytes:
        """The body as bytes (JSON-encoded unless it is already bytes or text)."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> SimResponse:
    """A JSON response."""
    return SimResponse(status=status, body=body, headers=dict(headers or {}))


def iso_utc(timestamp: float | None = None, millis: bool = True) -> str:
    """An ISO-8601 UTC time with a trailing Z, e.g. 2024-04-19T13:31:08.927Z."""
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, tz=timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def is_int(value: Any) -> bool:
    """True for real ints (JSON numbers without a fraction), never for bools."""
    return isinstance(value, int) and not isinstance(value, bool)


class VendorApp:
    """Base class of the per-vendor apps.

    The core calls ``handle`` with the shared state lock held, so apps need no locking of
    their own except in background threads (they use ``self.lock`` there). Its knobs are the
    fields of ``settings`` (an instance of ``settings_class``), named ``<name>_<field>``.
    """

    name = ""
    prefixes: tuple[str, ...] = ()
    settings_class: type[Settings] = Settings

    def __init__(self, lock: threading.RLock, limiter: RateLimiter) -> None:
        self.settings = self.settings_class()
        self.lock = lock
        self.limiter = limiter

    def load(self, section: dict[str, Any]) -> None:
        """Replace the whole vendor state from a normalised seed section."""
        raise NotImplementedError

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one authenticated-or-not vendor request."""
        raise NotImplementedError

    def kind(self, request: SimRequest) -> str:
        """'read', 'write' or 'auth' for the request log."""
        return "read" if request.method == "GET" else "write"

    def state(self) -> dict[str, Any]:
        """A snapshot of the vendor state for /_sim/state (no secrets)."""
        raise NotImplementedError

    def vendor_error(self, code: Any, text: str) -> Any:
        """The vendor's in-body error for a `vendor_error` fault (sent with HTTP 200)."""
        return {"error": code, "message": text}

    def accepted(self, response: SimResponse) -> bool:
        """True when the app's own answer says the request succeeded (for the request log's `applied`):
        a status below 400 and no error inside the body (an `error` field other than 0 or empty)."""
        body = response.body
        return response.status < 400 and not (isinstance(body, dict) and body.get("error") not in (None, 0, ""))

    def request_id(self, request: SimRequest) -> str | None:
        """The client's request/trace id, if it sent one."""
        return request.header("x-request-id") or request.query.get("x-request-id")

    def shutdown(self) -> None:
        """Stop background work (timers) before a reset or a stop."""

    def matches(self, path: str) -> bool:
        """True when the path belongs to this vendor."""
        return any(path.startswith(prefix) for prefix in self.prefixes)
