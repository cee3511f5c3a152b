"""The server core: control API, request log, fault injection, knobs, reset, TLS and the CLI."""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from ansible_collections.fleetops.maintenance.simulator import DEFAULT_KNOBS, Simulator
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.simulator.sim_helpers import IOT_HEADERS, altcraft_call, koophone_call, wfbss_call

TENANT = CREDENTIALS.iot["customer_id"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def refresh(sim):
    return altcraft_call(sim, "resources/refresh_counters", {"token": CREDENTIALS.altcraft_token, "id": 1, "list_id": 1})


def test_control_api_over_http(sim):
    assert requests.get(sim.url + "/_sim/health", timeout=5).json() == {"ok": True}
    refresh(sim)
    assert len(requests.get(sim.url + "/_sim/requests", timeout=5).json()["requests"]) == 1
    requests.delete(sim.url + "/_sim/requests", timeout=5)
    assert requests.get(sim.url + "/_sim/requests", timeout=5).json()["requests"] == []
    config = requests.post(sim.url + "/_sim/config", json={"altcraft_task_seconds": 5}, timeout=5)
    assert config.json()["knobs"]["altcraft_task_seconds"] == 5
    assert requests.post(sim.url + "/_sim/config", json={"no_such_knob": 1}, timeout=5).status_code == 400
    assert requests.post(sim.url + "/_sim/faults", json={"action": "explode"}, timeout=5).status_code == 400
    assert requests.get(sim.url + "/_sim/state/nope", timeout=5).status_code == 404
    state = requests.get(sim.url + "/_sim/state/koophone", timeout=5).json()
    assert len(state["instances"]) == 80
    assert requests.post(sim.url + "/_sim/reset", timeout=5).json() == {"ok": True}
    assert sim.knobs["altcraft_task_seconds"] == 1.0 and sim.requests == []


def test_seed_endpoint_with_counts(sim):
    seed = {"wfbss": {"accounts": [{"access_token": f"tok-{n}", "secret_key": f"sec-{n}", "customers": 17} for n in range(3)]},
            "koophone": {"tokens": [CREDENTIALS.koophone_token], "users": [], "instances": 200, "frozen": []},
            "altcraft": {"tokens": [CREDENTIALS.altcraft_token], "resources": [{"id": 10, "lists": [7]}]}}
    assert requests.post(sim.url + "/_sim/seed", json=seed, timeout=5).json() == {"ok": True}
    assert sum(len(account["customers"]) for account in sim.state("wfbss")["accounts"]) == 51
    assert len(sim.state("koophone")["instances"]) == 200
    assert list(sim.state("altcraft")["resources"]) == ["10"]
    assert len(sim.state("iot")["tenants"][TENANT]["devices"]) == 300  # absent section keeps the default
    sim.reset()
    assert len(sim.state("koophone")["instances"]) == 80
    bad = requests.post(sim.url + "/_sim/seed", json={"iot": {"tenants": [{"customer_id": "x"}]}}, timeout=5)
    assert bad.status_code == 400 and "invalid seed" in bad.json()["error"]
    assert requests.post(sim.url + "/_sim/seed", json={"nope": {}}, timeout=5).status_code == 400
    assert len(sim.state("iot")["tenants"][TENANT]["devices"]) == 300


def test_log_entries_and_no_secrets(sim, customers):
    wfbss_call(sim, "GET", f"/report?cids={customers[0]}")
    requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": TENANT, "access_key": "leak"}, headers=IOT_HEADERS, timeout=5)
    entries = sim.requests
    assert set(entries[0]) == {"seq", "time", "vendor", "method", "path", "query", "status", "kind", "request_id", "fault",
                               "applied"}
    assert entries[0]["vendor"] == "wfbss" and entries[0]["kind"] == "read" and entries[0]["status"] == 200 and entries[0]["request_id"]
    assert entries[0]["query"] == f"cids={customers[0]}"
    assert entries[1]["seq"] > entries[0]["seq"] and "leak" not in entries[1]["query"]
    assert all(secret not in str(entries) for secret in (CREDENTIALS.wfbss["secret_key"], CREDENTIALS.iot["access_key"], "leak"))


def test_fault_status_with_retry_after_skip_and_count(sim):
    sim.inject(vendor="altcraft", path_contains="refresh_counters", skip=1, count=2, action="status", status=503, retry_after=2)
    responses = [refresh(sim) for _index in range(4)]
    assert [r.status_code for r in responses] == [200, 503, 503, 200]
    assert responses[1].headers["Retry-After"] == "2"
    assert [entry["fault"] for entry in sim.requests] == [None, "status", "status", None]
    assert len(sim.state("altcraft")["tasks"]) == 2  # faulted writes are not applied


def test_fault_forever_and_clear(sim):
    requests.post(sim.url + "/_sim/faults", json={"vendor": "koophone", "method": "POST", "count": -1, "action": "status", "status": 500}, timeout=5)
    for _index in range(3):
        assert koophone_call(sim, "POST", "/v1/instances/batch-query-status", {"instance_ids": ["a"]}).status_code == 500
    assert koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1").status_code == 200
    requests.delete(sim.url + "/_sim/faults", timeout=5)
    assert koophone_call(sim, "POST", "/v1/instances/batch-query-status", {"instance_ids": ["a"]}).status_code == 200


def test_fault_drop_closes_without_response(sim):
    sim.inject(vendor="altcraft", action="drop")
    with pytest.raises(requests.ConnectionError):
        refresh(sim)
    assert sim.requests[-1]["fault"] == "drop" and sim.requests[-1]["status"] is None
    assert sim.state("altcraft")["tasks"] == {}
    assert refresh(sim).status_code == 200


def test_fault_delay_applies_the_write(sim):
    sim.inject(vendor="altcraft", action="delay", delay=0.3)
    started = time.monotonic()
    assert refresh(sim).json()["error"] == 0
    assert time.monotonic() - started >= 0.3
    assert len(sim.state("altcraft")["tasks"]) == 1 and sim.requests[-1]["fault"] == "delay"


@pytest.mark.parametrize("action, status, check", [
    ("malformed", 200, lambda r: pytest.raises(ValueError, r.json)),
    ("html", 502, lambda r: "text/html" in r.headers["Content-Type"] and "<html>" in r.text),
    ("empty", 200, lambda r: r.content == b""),
])
def test_fault_bodies(sim, action, status, check):
    sim.inject(vendor="altcraft", action=action)
    response = refresh(sim)
    assert response.status_code == status and check(response)
    assert sim.state("altcraft")["tasks"] == {}


def test_fault_vendor_error_shapes(sim):
    sim.inject(vendor="koophone", action="vendor_error", error_code="KOOPHONE.API.9999", error_text="boom")
    sim.inject(vendor="altcraft", action="vendor_error", error_code=402, error_text="tariff")
    assert koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1").json() == {"error_code": "KOOPHONE.API.9999", "error_msg": "boom"}
    assert refresh(sim).json() == {"error": 402, "error_text": "tariff"}


def test_latency_knob(sim):
    sim.configure(latency_seconds=0.2)
    started = time.monotonic()
    requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": TENANT, "pagelength": 1}, headers=IOT_HEADERS, timeout=5)
    assert time.monotonic() - started >= 0.2


def test_batched_calls_are_countable(sim):
    """What module tests do: exactly ceil(n/10) write calls for n customers."""
    ids = [c["id"] for c in wfbss_call(sim, "GET", "/customers").json()["customers"]]
    sim.clear_log()
    for start in range(0, len(ids), 10):
        wfbss_call(sim, "POST", "/commands/reset?type=counter&cids=" + ",".join(ids[start:start + 10]))
    assert len([e for e in sim.requests if e["kind"] == "write"]) == math.ceil(len(ids) / 10)


def test_tls(tmp_path):
    with Simulator(tls=True, cert_dir=tmp_path) as sim:
        assert sim.url.startswith("https://127.0.0.1:") and sim.ca_file
        assert requests.get(sim.url + "/_sim/health", verify=sim.ca_file, timeout=5).json() == {"ok": True}
        response = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1", verify=sim.ca_file)
        assert response.json()["data"]["error_code"] == "0"
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(sim.url + "/_sim/health", timeout=5)


def test_tls_without_a_cert_dir_leaves_no_private_key_behind():
    sim = Simulator(tls=True).start()
    cert_dir = Path(sim.ca_file).parent
    assert (cert_dir / "key.pem").exists()
    sim.stop()
    assert not cert_dir.exists()


def test_cli_prints_url_writes_ready_file_and_stops_on_sigterm(tmp_path):
    ready = tmp_path / "ready"
    command = [sys.executable, "-m", "simulator", "--port", "0", "--ready-file", str(ready)]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=dict(os.environ, PYTHONUNBUFFERED="1")) as process:
        try:
            line = process.stdout.readline().strip()
            assert line.startswith("simulator listening on http://127.0.0.1:")
            url = line.rsplit(" ", 1)[-1]
            deadline = time.time() + 5
            while not ready.exists() and time.time() < deadline:
                time.sleep(0.05)
            assert ready.read_text(encoding="utf-8").strip() == url
            assert requests.get(url + "/_sim/health", timeout=5).json() == {"ok": True}
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        assert process.stdout.read() == "" and process.stderr.read() == ""


def test_bodies_are_not_logged_by_default(sim):
    refresh(sim)
    assert "body" not in sim.requests[0]


def test_logged_bodies_mask_secret_looking_keys_at_any_depth(sim, customers):
    assert sim.configure(log_bodies=True)["log_bodies"] is True
    refresh(sim)  # the Altcraft token travels in the body
    user = CREDENTIALS.koophone_user
    password_user = {"name": user["username"], "password": user["password"], "domain": {"name": user["domain_name"]}}
    requests.post(sim.url + "/v3/auth/tokens", timeout=5, json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": password_user}},
        "scope": {"project": {"name": user["project_name"]}}}})
    scm = CREDENTIALS.iot_scm
    requests.post(sim.url + "/oauth2/access_token", timeout=5,
                  data={"grant_type": "client_credentials", "scope": f"tsg_id:{scm['tsg_id']}", "client_id": scm["client_id"],
                        "client_secret": scm["client_secret"]})
    koophone_call(sim, "POST", "/v1/instances/batch-query-status", {"instance_ids": ["a"], "items": [{"api_key": "k"}]})
    wfbss_call(sim, "GET", f"/report?cids={customers[0]}")
    requests.post(sim.url + "/api/v1.1/tasks/status", data=b"\xff not json", timeout=5)
    bodies = [entry["body"] for entry in sim.requests]
    assert bodies == [
        {"token": "***", "id": 1, "list_id": 1},
        {"auth": {"identity": {"methods": ["password"], "password": "***"}, "scope": {"project": {"name": user["project_name"]}}}},
        {"grant_type": "client_credentials", "scope": f"tsg_id:{scm['tsg_id']}", "client_id": scm["client_id"], "client_secret": "***"},
        {"instance_ids": ["a"], "items": [{"api_key": "***"}]},
        None,
        "<10 bytes, not JSON>",
    ]
    secrets = (CREDENTIALS.altcraft_token, user["password"], scm["client_secret"], CREDENTIALS.wfbss["secret_key"])
    assert not [secret for secret in secrets if secret in json.dumps(sim.requests)]


def test_reset_turns_body_logging_off_again(sim):
    sim.configure(log_bodies=True)
    sim.reset()
    refresh(sim)
    assert "body" not in sim.requests[0]


@pytest.mark.parametrize("knobs, message", [
    ({"koophone_job_seconds": "fast"}, 'knob koophone_job_seconds must be a number, not "fast"'),
    ({"koophone_response_shape": 2024}, 'knob koophone_response_shape must be one of "2025", "2024", not 2024'),
    ({"iot_rate_burst": True}, "knob iot_rate_burst must be a number or null, not true"),
    ({"koophone_job_fail_ids": "abc"}, 'knob koophone_job_fail_ids must be a list of strings, not "abc"'),
    ({"altcraft_error_http_status": "teapot"}, 'knob altcraft_error_http_status must be an integer or "match", not "teapot"'),
    ({"iot_scm_auth_status": 500}, "knob iot_scm_auth_status must be one of 401, 403, not 500"),
    ({"log_bodies": "yes"}, 'knob log_bodies must be true or false, not "yes"'),
])
def test_a_knob_of_the_wrong_type_is_refused_and_nothing_changes(sim, knobs, message):
    before = sim.knobs
    with pytest.raises(ValueError) as caught:
        sim.configure(latency_seconds=0.5, **knobs)
    assert str(caught.value) == message
    answer = requests.post(sim.url + "/_sim/config", json=dict(knobs, latency_seconds=0.5), timeout=5)
    assert answer.status_code == 400 and answer.json() == {"error": message}
    assert sim.knobs == before


def test_knobs_reach_the_vendor_settings_by_prefix(sim):
    sim.configure(koophone_job_seconds=0.25, iot_retry_after=3, altcraft_task_fail=True, latency_seconds=0.01)
    apps = {app.name: app for app in sim.apps}
    assert apps["koophone"].settings.job_seconds == 0.25 and apps["iot"].settings.retry_after == 3
    assert apps["altcraft"].settings.task_fail is True and sim.settings.latency_seconds == 0.01
    sim.reset()
    assert apps["koophone"].settings.job_seconds == 1.0 and sim.knobs == DEFAULT_KNOBS


@pytest.mark.parametrize("fault, message", [
    ({"status": "503"}, 'fault field status must be an integer, not "503"'),
    ({"count": 1.5}, "fault field count must be an integer, not 1.5"),
    ({"action": "explode"}, 'fault field action must be one of "status", "drop", "delay", "malformed", "html", "empty", '
                            '"vendor_error", not "explode"'),
    ({"seen": 3}, "unknown fault fields: seen"),
])
def test_a_fault_rule_of_the_wrong_type_is_refused(sim, fault, message):
    with pytest.raises(ValueError) as caught:
        sim.inject(**fault)
    assert str(caught.value) == message
    answer = requests.post(sim.url + "/_sim/faults", json=fault, timeout=5)
    assert answer.status_code == 400 and answer.json() == {"error": message}
    assert sim.faults == []


def test_a_fault_rule_as_json_with_its_counters(sim):
    rule = sim.inject(vendor="altcraft", count=1, status=500)
    assert rule == {"vendor": "altcraft", "method": None, "path_contains": None, "skip": 0, "count": 1, "action": "status",
                    "status": 500, "retry_after": None, "delay": 1.0, "error_code": None, "error_text": "simulated vendor error",
                    "applied": False, "label": None, "seen": 0, "fired": 0}
    refresh(sim)
    refresh(sim)
    assert requests.get(sim.url + "/_sim/faults", timeout=5).json()["faults"] == [dict(rule, seen=2, fired=1)]
