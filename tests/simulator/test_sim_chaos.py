"""Chaos: seeded faults over every vendor, and faults that apply the request before they lose its answer."""
from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from ansible_collections.fleetops.maintenance.simulator import Simulator
from ansible_collections.fleetops.maintenance.simulator.chaos import CHAOS_KINDS, parse_chaos
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.simulator.sim_helpers import altcraft_call, koophone_call

REPO_ROOT = Path(__file__).resolve().parents[2]


def refresh(sim, resource_id=1):
    return altcraft_call(sim, "resources/refresh_counters", {"token": CREDENTIALS.altcraft_token, "id": resource_id, "list_id": 1})


def send(sim, count):
    """`count` refreshes that do not all look alike (each resource id a request of its own), tolerating dropped answers."""
    for number in range(count):
        try:
            refresh(sim, 1 + number % 3)
        except requests.RequestException:
            pass
    return [(entry["path"], entry["fault"], entry["applied"]) for entry in sim.requests]


def test_applied_drop_applies_the_write_and_loses_its_answer(sim):
    sim.inject(vendor="altcraft", path_contains="refresh_counters", action="drop", applied=True)
    with pytest.raises(requests.ConnectionError):
        refresh(sim)
    assert len(sim.state("altcraft")["tasks"]) == 1
    assert [(entry["fault"], entry["status"], entry["applied"]) for entry in sim.requests] == [("drop", None, True)]


def test_applied_gateway_502_applies_the_write(sim):
    sim.inject(vendor="koophone", path_contains="batch-reset", action="status", status=502, applied=True)
    ids = list(sim.state("koophone")["instances"])[:2]
    answer = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids})
    assert answer.status_code == 502
    assert [sim.state("koophone")["instances"][iid]["resets"] for iid in ids] == [1, 1]
    assert sim.requests[-1]["applied"] is True


def test_a_fault_that_is_not_applied_leaves_the_state_and_says_so(sim):
    sim.inject(vendor="altcraft", path_contains="refresh_counters", action="drop")
    with pytest.raises(requests.ConnectionError):
        refresh(sim)
    refresh(sim)
    assert len(sim.state("altcraft")["tasks"]) == 1
    assert [entry["applied"] for entry in sim.requests] == [False, True]


def test_a_refusal_is_not_applied(sim):
    answer = altcraft_call(sim, "resources/refresh_counters", {"token": "wrong", "id": 1, "list_id": 1})
    assert answer.status_code in (200, 401) and sim.requests[-1]["applied"] is False


def test_chaos_is_deterministic_for_a_seed_and_differs_between_seeds(sim):
    sim.configure(chaos_seed=7, chaos_rate=0.5, chaos_delay_seconds=0)
    first = send(sim, 60)
    sim.reset()
    sim.configure(chaos_seed=7, chaos_rate=0.5, chaos_delay_seconds=0)
    again = send(sim, 60)
    sim.reset()
    sim.configure(chaos_seed=8, chaos_rate=0.5, chaos_delay_seconds=0)
    other = send(sim, 60)
    assert first == again
    assert first != other
    faulted = [fault for _path, fault, _applied in first if fault]
    assert 15 <= len(faulted) <= 45  # about half of 60
    assert all(fault.startswith("chaos:") and fault[len("chaos:"):] in CHAOS_KINDS for fault in faulted)


def test_chaos_kinds_apply_as_documented(sim):
    sim.configure(chaos_seed=1, chaos_rate=1.0, chaos_delay_seconds=0)
    log = send(sim, 300)
    kinds = Counter(fault for _path, fault, _applied in log)
    assert set(kinds) == {"chaos:" + kind for kind in CHAOS_KINDS}  # every kind is drawn
    applied_kinds = {"applied_drop", "applied_502", "slow", "malformed"}
    for _path, fault, applied in log:
        assert applied is (fault[len("chaos:"):] in applied_kinds), fault
    assert len(sim.state("altcraft")["tasks"]) == sum(1 for _path, _fault, applied in log if applied)


def test_chaos_answers(sim):
    sim.configure(chaos_seed=3, chaos_rate=1.0, chaos_delay_seconds=0)
    seen = {}
    for number in range(200):
        try:
            answer = refresh(sim, 1 + number % 5)
        except requests.RequestException:
            continue
        seen.setdefault(sim.requests[-1]["fault"], answer)
    assert seen["chaos:429_retry_after"].status_code == 429 and seen["chaos:429_retry_after"].headers["Retry-After"] == "1"
    assert seen["chaos:429"].status_code == 429 and "Retry-After" not in seen["chaos:429"].headers
    assert seen["chaos:applied_502"].status_code == 502 and "text/html" in seen["chaos:applied_502"].headers["Content-Type"]
    assert seen["chaos:5xx"].status_code in (500, 502, 503, 504)
    assert seen["chaos:vendor_error"].status_code == 200 and seen["chaos:vendor_error"].json()["error"]
    assert seen["chaos:malformed"].status_code == 200
    assert "chaos:drop" not in seen and "chaos:applied_drop" not in seen  # no answer at all


def test_a_slow_chaos_answer_comes_after_the_client_gave_up_and_is_applied(sim):
    sim.configure(chaos_seed=1, chaos_rate=1.0, chaos_delay_seconds=0.6)
    timed_out = False
    for number in range(60):
        try:
            requests.post(sim.url + "/api/v1.1/resources/refresh_counters", timeout=0.3,
                          json={"token": CREDENTIALS.altcraft_token, "id": 1 + number % 5, "list_id": 1})
        except requests.Timeout:
            timed_out = True
            break
        except requests.RequestException:
            pass
    assert timed_out
    time.sleep(0.6)
    assert sim.requests[-1]["fault"] == "chaos:slow" and sim.requests[-1]["applied"] is True


def test_fault_rules_come_before_chaos_and_control_calls_never_get_chaos(sim):
    sim.configure(chaos_seed=1, chaos_rate=1.0, chaos_delay_seconds=0)
    sim.inject(vendor="altcraft", path_contains="refresh_counters", count=1, action="status", status=418)
    assert refresh(sim).status_code == 418
    assert requests.get(sim.url + "/_sim/health", timeout=5).json() == {"ok": True}
    assert sim.requests[0]["fault"] == "status"


def test_chaos_knobs_are_typed_and_reset_turns_chaos_off(sim):
    with pytest.raises(ValueError, match="chaos_rate"):
        sim.configure(chaos_rate="0.1")
    sim.configure(chaos_seed=1, chaos_rate=1.0)
    sim.reset()
    assert sim.knobs["chaos_rate"] == 0
    assert refresh(sim).status_code == 200


def test_startup_chaos_survives_a_reset():
    sim = Simulator(chaos=(5, 0.25))
    sim.reset()
    assert (sim.knobs["chaos_seed"], sim.knobs["chaos_rate"]) == (5, 0.25)


@pytest.mark.parametrize("text, expected", [("7:0.05", (7, 0.05)), ("0:1", (0, 1.0))])
def test_parse_chaos(text, expected):
    assert parse_chaos(text) == expected


@pytest.mark.parametrize("text", ["7", "x:0.1", "7:1.5", "7:-0.1", ":0.1"])
def test_parse_chaos_refuses(text):
    with pytest.raises(ValueError, match="SEED:RATE"):
        parse_chaos(text)


def test_cli_chaos_option(tmp_path):
    ready = tmp_path / "url"
    command = [sys.executable, "-m", "simulator", "--port", "0", "--chaos", "9:0.5", "--ready-file", str(ready)]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            deadline = time.monotonic() + 20
            while not ready.exists() and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            knobs = requests.get(ready.read_text(encoding="utf-8").strip() + "/_sim/config", timeout=5).json()["knobs"]
            assert (knobs["chaos_seed"], knobs["chaos_rate"]) == (9, 0.5)
        finally:
            process.terminate()


def test_cli_refuses_a_bad_chaos_option():
    run = subprocess.run([sys.executable, "-m", "simulator", "--chaos", "0.05"], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=20, check=False)
    assert run.returncode == 2 and "--chaos" in run.stderr
