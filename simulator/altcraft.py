"""Altcraft Platform user API v1.1: resources/refresh_counters, tasks/status, resources/get_counters."""
from __future__ import annotations

import copy
import json
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from .base import SimRequest, SimResponse, VendorApp, is_int, iso_utc, json_response
from .settings import Settings

OK_TEXT = "Successful operation"
QUEUED_SHARE = 0.2  # the first 20% of a task's duration it is "queued", then "processing"
FEEDBACK_TIMEOUT = 3.0


@dataclass
class AltcraftSettings(Settings):
    """The altcraft_* knobs."""

    task_seconds: float = 1.0  # how long a refresh task takes
    task_fail: bool = False  # tasks created while true end with status "error"
    error_http_status: int | Literal["match"] = 200  # HTTP status of in-body errors; "match": the in-body code
    # "channels": resources/get_counters answers the documented channel list; "task_result": the task's result
    get_counters_shape: Literal["channels", "task_result"] = "channels"


class AltcraftError(Exception):
    """An error reported in the body as {"error": code, "error_text": text}."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code, self.text = code, text


class AltcraftApp(VendorApp):
    """Resources with databases (lists) and their counters; refresh tasks that progress with time."""

    name = "altcraft"
    prefixes = ("/api/v1.1/",)
    settings_class = AltcraftSettings
    settings: AltcraftSettings

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.tokens: set[str] = set()
        self.resources: dict[int, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.timers: list[threading.Timer] = []

    # ----------------------------------------------------------------- state
    def load(self, section: dict[str, Any]) -> None:
        self.shutdown()
        self.tokens = set(section["tokens"])
        self.tasks = {}
        self.resources = {}
        for resource in section["resources"]:
            # seeded counters look as if they were last counted a day before the simulator (re)started
            lists = {item["id"]: {"id": item["id"], "counters": copy.deepcopy(item["counters"]), "updated": time.time() - 86400, "count_ms": 231.374251}
                     for item in resource["lists"]}
            self.resources[resource["id"]] = {"id": resource["id"], "name": resource["name"], "lists": lists, "refreshes": 0}

    def shutdown(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers = []

    def state(self) -> dict[str, Any]:
        self._settle()
        return {"resources": copy.deepcopy(self.resources),
                "tasks": {tid: dict(self._task_view(task), **{key: task[key] for key in ("resource_id", "list_id", "feedback_url", "feedback_status")})
                          for tid, task in self.tasks.items()}}

    def kind(self, request: SimRequest) -> str:
        method = request.path[len("/api/v1.1/"):]
        return "write" if method.endswith("refresh_counters") else "read"

    def vendor_error(self, code: Any, text: str) -> Any:
        return {"error": code if code is not None else 400, "error_text": text}

    # ----------------------------------------------------------------- tasks
    def _progress(self, task: dict[str, Any]) -> tuple[str, int]:
        duration = task["duration"]
        elapsed = time.time() - task["created"]
        if duration <= 0 or elapsed >= duration:
            return ("error", 100) if task["fail"] else ("completed", 100)
        if elapsed < duration * QUEUED_SHARE:
            return "queued", 0
        return "processing", max(1, min(99, int(100 * elapsed / duration)))

    def _settle(self) -> None:
        """Apply the effect of every task that has finished since the last look (lazy progression)."""
        for task in self.tasks.values():
            if task["applied"] or self._progress(task)[0] != "completed":
                continue
            task["applied"] = True
            target = self.resources[task["resource_id"]]["lists"][task["list_id"]]
            target["updated"] = task["created"] + max(task["duration"], 0)
            target["count_ms"] = 150.0 + (len(self.tasks) * 37.123) % 200
            self.resources[task["resource_id"]]["refreshes"] += 1

    def _result(self, resource_id: int, list_id: int) -> dict[str, Any]:
        """The counters object of the vendor's completed-task example."""
        target = self.resources[resource_id]["lists"][list_id]
        return {
            "channels": [{"channel": channel, "status": dict(counters)} for channel, counters in target["counters"].items()],
            "in_progress": False,
            "last_count_time": f"counted at {iso_utc(target['updated'], millis=False)} in {target['count_ms']:.6f}ms",
            "list_id": list_id,
            "refresh_task_id": "",
            "updated": iso_utc(target["updated"]),
        }

    def _task_view(self, task: dict[str, Any]) -> dict[str, Any]:
        status, progress = self._progress(task)
        view: dict[str, Any] = {"status": status, "progress": progress, "result": []}
        if status == "completed":
            view["result"] = [self._result(task["resource_id"], task["list_id"])]
        elif status == "error":
            view["error_text"] = "counter refresh failed (simulated)"
        return view

    def _deliver_feedback(self, task_id: str) -> None:
        """Timer callback: POST the final tasks/status body to the feedback URL (best effort)."""
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return
            self._settle()
            payload = json.dumps({"data": self._task_view(task), "error": 0, "error_text": OK_TEXT}).encode("utf-8")
            url = task["feedback_url"]
        request = urllib.request.Request(url, data=payload, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=FEEDBACK_TIMEOUT) as response:  # nosec - test receiver URL
                outcome: Any = response.status
        except (OSError, ValueError) as exc:
            outcome = f"failed: {exc}"
        with self.lock:
            task["feedback_status"] = outcome

    # ---------------------------------------------------------------- routes
    def handle(self, request: SimRequest) -> SimResponse:
        try:
            body = self._body(request)
            routes = {
                "resources/refresh_counters": self._refresh,
                "tasks/status": self._status,
                "resources/get_counters": self._get_counters,
            }
            handler = routes.get(request.path[len("/api/v1.1/"):].strip("/"))
            if request.method != "POST" or handler is None:
                raise AltcraftError(400, f"Unknown method: {request.method} {request.path}")
            self._settle()
            data = handler(body)
        except AltcraftError as exc:
            wanted = self.settings.error_http_status
            status = exc.code if wanted == "match" else wanted
            return json_response(status, {"error": exc.code, "error_text": exc.text})
        return json_response(200, {"data": data, "error": 0, "error_text": OK_TEXT})

    def _body(self, request: SimRequest) -> dict[str, Any]:
        try:
            body = request.json() if request.body else {}
        except ValueError as exc:
            raise AltcraftError(400, "Request body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise AltcraftError(400, "Request body must be a JSON object")
        bearer = request.header("Authorization") or ""
        token = body.get("token") or (bearer[7:].strip() if bearer.lower().startswith("bearer ") else None)
        if not token or token not in self.tokens:
            raise AltcraftError(401, "API token required")
        fmt = body.get("format", request.query.get("format", "json"))
        if str(fmt).lower() == "xml":
            raise AltcraftError(400, "xml not supported by the simulator")
        if str(fmt).lower() != "json":
            raise AltcraftError(400, f"Unknown format: {fmt}")
        return body

    def _target(self, body: dict[str, Any]) -> tuple[int, int]:
        resource_id, list_id = body.get("id"), body.get("list_id")
        if not is_int(resource_id) or not is_int(list_id):
            raise AltcraftError(400, "Incorrect request: id and list_id must be integers")
        if resource_id not in self.resources:
            raise AltcraftError(400, f"Incorrect request: resource {resource_id} not found")
        if list_id not in self.resources[resource_id]["lists"]:
            raise AltcraftError(400, f"Incorrect request: database {list_id} is not attached to resource {resource_id}")
        return resource_id, list_id

    def _refresh(self, body: dict[str, Any]) -> dict[str, Any]:
        resource_id, list_id = self._target(body)
        feedback = body.get("feedback")
        if feedback is not None and not (isinstance(feedback, dict) and isinstance(feedback.get("url", ""), str)):
            raise AltcraftError(400, "Incorrect request: feedback must be an object with a url")
        task_id = str(uuid.uuid4())
        duration = self.settings.task_seconds
        feedback_url = (feedback or {}).get("url") or None
        self.tasks[task_id] = {
            "resource_id": resource_id, "list_id": list_id, "created": time.time(), "duration": duration,
            "fail": self.settings.task_fail, "applied": False, "feedback_url": feedback_url, "feedback_status": None,
        }
        if feedback_url:
            timer = threading.Timer(max(duration, 0) + 0.05, self._deliver_feedback, args=(task_id,))
            timer.daemon = True
            self.timers.append(timer)
            timer.start()
        return {"task_id": task_id}

    def _status(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.tasks.get(str(body.get("task_id", "")))
        if task is None:
            raise AltcraftError(400, "Incorrect request: task not found")
        return self._task_view(task)

    def _get_counters(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        result = self._result(*self._target(body))
        if self.settings.get_counters_shape == "task_result":
            return [result]
        # the documented shape of databases/get_counters and segments/get_counters: channels, no count time
        return result["channels"]
