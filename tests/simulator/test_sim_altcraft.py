"""Altcraft: token auth, refresh_counters validation, task progression, get_counters, feedback."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.simulator.sim_helpers import altcraft_call, wait_until

ALTCRAFT_TOKEN = CREDENTIALS.altcraft_token

COUNTERS = {"all", "complained", "hardbounced", "invalid", "subscribed", "subscribed_sendable", "suspended", "unconfirmed",
            "unconfirmed_sendable", "unsubscribed"}


@pytest.mark.parametrize("body, headers", [
    ({"id": 1, "list_id": 1}, {}),
    ({"id": 1, "list_id": 1, "token": "wrong"}, {}),
    ({"id": 1, "list_id": 1}, {"Authorization": "Bearer wrong"}),
])
def test_token_required(sim, body, headers):
    response = altcraft_call(sim, "resources/refresh_counters", body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"error": 401, "error_text": "API token required"}


def test_error_http_status_knob_and_bearer(sim):
    sim.configure(altcraft_error_http_status=401)
    assert altcraft_call(sim, "resources/refresh_counters", {"id": 1, "list_id": 1}).status_code == 401
    sim.configure(altcraft_error_http_status="match")
    assert altcraft_call(sim, "resources/refresh_counters", {"token": ALTCRAFT_TOKEN, "id": 9, "list_id": 1}).status_code == 400
    ok = altcraft_call(sim, "resources/refresh_counters", {"id": 1, "list_id": 1}, headers={"Authorization": f"Bearer {ALTCRAFT_TOKEN}"})
    assert ok.status_code == 200 and ok.json()["error"] == 0


@pytest.mark.parametrize("body, text", [
    ({"id": "1", "list_id": 1}, "integers"),
    ({"id": 1}, "integers"),
    ({"id": 6, "list_id": 1}, "resource 6"),
    ({"id": 1, "list_id": 3}, "database 3"),
    ({"id": 1, "list_id": 1, "format": "xml"}, "xml not supported by the simulator"),
])
def test_refresh_validation(sim, body, text):
    response = altcraft_call(sim, "resources/refresh_counters", dict(body, token=ALTCRAFT_TOKEN)).json()
    assert response["error"] == 400 and text in response["error_text"]
    assert sim.state("altcraft")["tasks"] == {}


def test_task_progression_to_completed(sim):
    sim.configure(altcraft_task_seconds=1.5, altcraft_get_counters_shape="task_result")
    before = altcraft_call(sim, "resources/get_counters", {"token": ALTCRAFT_TOKEN, "id": 2, "list_id": 1}).json()["data"][0]["updated"]
    response = altcraft_call(sim, "resources/refresh_counters", {"token": ALTCRAFT_TOKEN, "id": 2, "list_id": 1}).json()
    assert response["error"] == 0 and response["error_text"] == "Successful operation"
    task_id = response["data"]["task_id"]
    seen = []

    def completed():
        data = altcraft_call(sim, "tasks/status", {"token": ALTCRAFT_TOKEN, "task_id": task_id}).json()["data"]
        seen.append((data["status"], data["progress"]))
        return data if data["status"] == "completed" else None
    data = wait_until(completed, interval=0.05)
    assert seen[0][0] == "queued" and "processing" in {status for status, _progress in seen}
    progress = [p for _state, p in seen]
    assert progress == sorted(progress) and data["progress"] == 100
    result = data["result"][0]
    assert [c["channel"] for c in result["channels"]] == ["sms", "push", "email"]
    assert set(result["channels"][2]["status"]) == COUNTERS
    assert result["in_progress"] is False and result["list_id"] == 1 and result["refresh_task_id"] == ""
    assert result["last_count_time"].startswith("counted at ") and result["last_count_time"].endswith("ms")
    after = altcraft_call(sim, "resources/get_counters", {"token": ALTCRAFT_TOKEN, "id": 2, "list_id": 1}).json()["data"][0]
    assert after["updated"] > before and after == result
    kinds = {entry["path"].rsplit("/", 2)[-2] + "/" + entry["path"].rsplit("/", 1)[-1]: entry["kind"] for entry in sim.requests}
    assert kinds == {"resources/get_counters": "read", "resources/refresh_counters": "write", "tasks/status": "read"}
    assert ALTCRAFT_TOKEN not in json.dumps(sim.requests)


def test_get_counters_answers_the_documented_channel_list(sim):
    """databases/get-counters and segments/get-counters (guides.altcraft.com v74): data = [{channel, status}]."""
    answer = altcraft_call(sim, "resources/get_counters", {"token": ALTCRAFT_TOKEN, "id": 2, "list_id": 1}).json()
    assert answer["error"] == 0 and answer["error_text"] == "Successful operation"
    assert [item["channel"] for item in answer["data"]] == ["sms", "push", "email"]
    assert all(set(item) == {"channel", "status"} and set(item["status"]) == COUNTERS for item in answer["data"])


def test_task_failure_and_unknown_task(sim):
    sim.configure(altcraft_task_seconds=0, altcraft_task_fail=True)
    task_id = altcraft_call(sim, "resources/refresh_counters", {"token": ALTCRAFT_TOKEN, "id": 1, "list_id": 2}).json()["data"]["task_id"]
    assert altcraft_call(sim, "tasks/status", {"token": ALTCRAFT_TOKEN, "task_id": task_id}).json()["data"]["status"] == "error"
    assert altcraft_call(sim, "tasks/status", {"token": ALTCRAFT_TOKEN, "task_id": "nope"}).json()["error"] == 400


def test_feedback_is_posted_on_completion(sim):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  pylint: disable=invalid-name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sim.configure(altcraft_task_seconds=0.2)
        body = {"token": ALTCRAFT_TOKEN, "id": 3, "list_id": 1, "feedback": {"type": "JSON", "url": f"http://127.0.0.1:{server.server_address[1]}/hook"}}
        task_id = altcraft_call(sim, "resources/refresh_counters", body).json()["data"]["task_id"]
        wait_until(lambda: received)
        assert received[0]["data"]["status"] == "completed" and received[0]["data"]["result"][0]["list_id"] == 1
        assert wait_until(lambda: sim.state("altcraft")["tasks"][task_id]["feedback_status"]) == 204
    finally:
        server.shutdown()
        server.server_close()
