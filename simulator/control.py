"""The control API under /_sim/ (JSON in, JSON out): request log, faults, knobs, seed, reset and state."""
from __future__ import annotations

import functools
from typing import Any, Callable, Protocol

from .base import SimRequest, SimResponse, json_response

PREFIX = "/_sim"


class Controlled(Protocol):
    """What the control API drives (the Simulator)."""

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log."""

    @property
    def faults(self) -> list[dict[str, Any]]:
        """The fault rules with their counters."""

    def clear_log(self) -> None:
        """Empty the request log."""

    def inject(self, **fault: Any) -> dict[str, Any]:
        """Add a fault rule; returns it with its defaults."""

    def clear_faults(self) -> None:
        """Remove every fault rule."""

    def configure(self, **knobs: Any) -> dict[str, Any]:
        """Set knobs; returns all knobs."""

    def reset(self) -> None:
        """Back to the start-up seed, default knobs, no log, no faults."""

    def load_seed(self, seed: dict[str, Any] | None) -> None:
        """Replace every vendor's state."""

    def state(self, vendor: str | None = None) -> dict[str, Any]:
        """A snapshot of one vendor's state, or of all."""


def is_control(request: SimRequest) -> bool:
    """True for a request to the control API."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _routes(sim: Controlled) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
    """(method, path) -> function(JSON body) returning the JSON answer."""
    def acknowledged(action: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            action(body)
            return {"ok": True}
        return run
    return {
        ("GET", "/_sim/health"): lambda body: {"ok": True},
        ("GET", "/_sim/requests"): lambda body: {"requests": sim.requests},
        ("DELETE", "/_sim/requests"): acknowledged(lambda body: sim.clear_log()),
        ("GET", "/_sim/faults"): lambda body: {"faults": sim.faults},
        ("POST", "/_sim/faults"): lambda body: {"ok": True, "fault": sim.inject(**body)},
        ("DELETE", "/_sim/faults"): acknowledged(lambda body: sim.clear_faults()),
        ("GET", "/_sim/config"): lambda body: {"knobs": sim.configure()},
        ("POST", "/_sim/config"): lambda body: {"ok": True, "knobs": sim.configure(**body)},
        ("POST", "/_sim/reset"): acknowledged(lambda body: sim.reset()),
        ("POST", "/_sim/seed"): acknowledged(sim.load_seed),
        ("GET", "/_sim/state"): lambda body: sim.state(),
    }


def answer(sim: Controlled, request: SimRequest) -> SimResponse:
    """Answer one control request: 404 for an unknown endpoint or vendor, 400 for a bad body or value."""
    path = request.path.rstrip("/")
    action = _routes(sim).get((request.method, path))
    if action is None and request.method == "GET" and path.startswith("/_sim/state/"):
        action = functools.partial(lambda body, vendor: sim.state(vendor), vendor=path[len("/_sim/state/"):])
    if action is None:
        return json_response(404, {"error": f"unknown control endpoint: {request.method} {request.path}"})
    try:
        body = request.json() if request.body else {}
        if not isinstance(body, dict):
            raise ValueError("the request body must be a JSON object")
        return json_response(200, action(body))
    except KeyError as exc:
        return json_response(404, {"error": f"unknown vendor: {exc}"})
    except (ValueError, TypeError, AttributeError) as exc:
        return json_response(400, {"error": str(exc)})
