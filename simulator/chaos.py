"""Chaos: a seeded, deterministic fault profile over every vendor request (the chaos_* knobs, --chaos SEED:RATE).

Each vendor request gets a fault with probability `rate`, of a kind drawn from CHAOS_KINDS. The draw is a hash of
the seed, the request (method, path, body) and how many times that same request was seen before, so a run that
sends the same requests gets the same faults, whatever the order in which parallel requests arrive.

This is a test tool: the kinds below are the ways any HTTP API can misbehave, not vendor behaviour.
"""
from __future__ import annotations

import hashlib
import threading
from collections import Counter
from typing import Any

from .base import SimRequest
from .faults import FaultRule

# kind -> the fault rule fields it stands for ("applied": the vendor app handles the request before the fault)
CHAOS_KINDS: dict[str, dict[str, Any]] = {
    "5xx": {"action": "status"},  # 500, 502, 503 or 504 before the request reaches the app
    "429_retry_after": {"action": "status", "status": 429, "retry_after": 1},
    "429": {"action": "status", "status": 429},
    "drop": {"action": "drop"},  # the connection closes before the request is applied
    "applied_drop": {"action": "drop", "applied": True},  # applied, then the connection closes without an answer
    "applied_502": {"action": "html", "applied": True},  # applied, then a gateway answers 502 in its place
    "slow": {"action": "delay"},  # applied, answered after chaos_delay_seconds (longer than the client waits)
    "malformed": {"action": "malformed", "applied": True},  # applied, answered with a truncated body
    "vendor_error": {"action": "vendor_error"},  # refused with the vendor's error inside a 200
}
SERVER_ERRORS = (500, 502, 503, 504)


class Chaos:
    """Picks the chaos fault of each request; counts how often each request was seen."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget the requests seen (a new run draws from the start)."""
        with self._lock:
            self._seen.clear()

    def pick(self, seed: int, rate: float, delay: float, request: SimRequest) -> FaultRule | None:
        """The fault for this request under (seed, rate), or None."""
        if rate <= 0:
            return None
        key = "\n".join([request.method, request.path, hashlib.sha256(request.body).hexdigest()])
        with self._lock:
            occurrence = self._seen[key]
            self._seen[key] += 1
        digest = hashlib.sha256(f"{seed}\n{occurrence}\n{key}".encode("utf-8")).digest()
        if int.from_bytes(digest[:8], "big") / 2 ** 64 >= rate:
            return None
        kind = sorted(CHAOS_KINDS)[digest[8] % len(CHAOS_KINDS)]
        fields = dict(CHAOS_KINDS[kind], delay=delay)
        if kind == "5xx":
            fields["status"] = SERVER_ERRORS[digest[9] % len(SERVER_ERRORS)]
        return FaultRule(label=f"chaos:{kind}", **fields)


def parse_chaos(text: str) -> tuple[int, float]:
    """SEED:RATE (an integer and a fraction from 0 to 1, e.g. 7:0.05); ValueError when it is not that."""
    seed, sep, rate = text.partition(":")
    try:
        parsed = (int(seed), float(rate))
    except ValueError:
        parsed = None
    if not sep or parsed is None or not 0 <= parsed[1] <= 1:
        raise ValueError(f"chaos must be SEED:RATE (an integer, a fraction from 0 to 1), not {text!r}")
    return parsed
