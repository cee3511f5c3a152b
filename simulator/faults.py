"""Fault rules (POST /_sim/faults): which vendor requests they match, when they fire, what they answer."""
from __future__ import annotations

import copy
import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .base import SimRequest, SimResponse, VendorApp, json_response
from .checks import checked, field_hints

Action = Literal["status", "drop", "delay", "malformed", "html", "empty", "vendor_error"]
FAULT_ACTIONS: tuple[str, ...] = get_args(Action)
HTML_PAGE = (b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
             b"<hr><center>simulated-proxy</center></body></html>")
MALFORMED_BODY = b'{"data": {"status": "compl'


@dataclass
class FaultRule:  # pylint: disable=too-many-instance-attributes
    """One rule: of the requests matching vendor, method and path, the first `skip` pass, the next `count`
    (-1: all) get the fault. `seen` and `fired` count matching requests and faults given."""

    vendor: str | None = None
    method: str | None = None
    path_contains: str | None = None  # matched against the raw path and query
    skip: int = 0
    count: int = 1
    action: Action = "status"
    status: int = 503  # of a "status" fault
    retry_after: float | str | None = None  # adds a Retry-After header to any action's response
    delay: float = 1.0  # of a "delay" fault, in seconds
    error_code: int | str | None = None  # of a "vendor_error" fault
    error_text: str = "simulated vendor error"
    # the vendor app handles the request first (it is applied), then the fault replaces or drops its answer;
    # a "delay" fault always answers late after applying
    applied: bool = False
    label: str | None = None  # the request log's `fault` (default: the action)
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> FaultRule:
        """A rule from its JSON fields (the counters are not among them); ValueError names a bad field."""
        hints = {name: hint for name, hint in field_hints(cls).items() if name not in ("seen", "fired")}
        unknown = sorted(set(spec) - set(hints))
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(unknown)}")
        return cls(**{name: checked(f"fault field {name}", value, hints[name]) for name, value in spec.items()})

    def as_dict(self) -> dict[str, Any]:
        """The rule as JSON, its counters included."""
        return dataclasses.asdict(self)

    def applies(self, vendor: str | None, request: SimRequest) -> bool:
        """True when the request matches the rule's vendor, method and path filters."""
        if self.vendor and self.vendor != vendor:
            return False
        if self.method and self.method.upper() != request.method:
            return False
        return not self.path_contains or self.path_contains in request.raw_path

    @property
    def active(self) -> bool:
        """True when the next matching request gets the fault (past `skip`, `count` not used up)."""
        return self.seen > self.skip and (self.count < 0 or self.fired < self.count)

    @property
    def applies_first(self) -> bool:
        """True when the vendor app handles the request before the fault (the request is applied)."""
        return self.applied or self.action == "delay"

    def response(self, app: VendorApp | None) -> SimResponse | None:
        """What the fault answers; None for "drop" (the connection is closed without an answer).
        Not used for "delay", which answers normally."""
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.action == "drop":
            return None
        if self.action == "malformed":
            return SimResponse(200, MALFORMED_BODY, headers)
        if self.action == "html":
            return SimResponse(502, HTML_PAGE, headers, content_type="text/html")
        if self.action == "empty":
            return SimResponse(200, b"", headers)
        if self.action == "vendor_error":
            body = app.vendor_error(self.error_code, self.error_text) if app else {"error": self.error_text}
            return json_response(200, body, headers)
        return json_response(self.status, {"error": "simulated fault", "status": self.status}, headers)


class FaultRules:
    """The rules in the order they were added: when several are active, the first one fires."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Validate and append a rule."""
        rule = FaultRule.from_spec(spec)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def as_list(self) -> list[dict[str, Any]]:
        """The rules as JSON, with their counters."""
        with self._lock:
            return [rule.as_dict() for rule in self._rules]

    def match(self, vendor: str | None, request: SimRequest) -> FaultRule | None:
        """Count the request against every rule it matches; a copy of the rule that fires on it, or None."""
        chosen = None
        with self._lock:
            for rule in self._rules:
                if not rule.applies(vendor, request):
                    continue
                rule.seen += 1
                if rule.active and chosen is None:
                    rule.fired += 1
                    chosen = copy.copy(rule)
        return chosen
