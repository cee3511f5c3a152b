"""End-to-end: the fleet playbook against the simulator, as a user, a scheduler or AWX runs it."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from conftest import (ACCOUNTS, IOT_DEVICES, IOT_SCM_DEVICES, IOT_SCM_TENANT, IOT_TENANT, IOT_UNKNOWN, KOOPHONE_FROZEN,
                      KOOPHONE_INSTANCES, KOOPHONE_TOKEN, ALTCRAFT_TOKEN, ROOT, SECRETS, ansible_bin, customer_ids, scm_urls)
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids

CUSTOMERS = sum(a["customers"] for a in ACCOUNTS.values())
ALL_CHORES = ["wfbss", "koophone", "iot", "altcraft"]


def wfbss_cids(requests, method=None):
    out = set()
    for entry in requests:
        if entry["vendor"] == "wfbss" and (method is None or entry["method"] == method):
            out.update(c.upper() for c in parse_qs(entry["query"]).get("cids", [""])[0].split(",") if c)
    return out


def test_fleet_run(fresh, fleet):
    run = fleet.run()
    assert run.rc == 0, run.stdout[-4000:]
    report = run.report
    assert report["status"] == "ok" and report["check_mode"] is False and report["failures"] == []
    assert [c["chore"] for c in report["chores"]] == ALL_CHORES

    wfbss = run.chore("wfbss")
    assert wfbss["summary"]["customers"] == CUSTOMERS
    assert wfbss["summary"]["reports_created"] == 2 * CUSTOMERS
    assert wfbss["summary"]["resets_requested"] == 2 * CUSTOMERS
    state = fresh.state("wfbss")["customers"]
    for cid in customer_ids("acct-a") + customer_ids("acct-b"):
        assert sorted(r["setting"]["name"] for r in state[cid]["reports"]) == ["Monthly executive report", "Weekly security summary"]
        assert [r["type"] for r in state[cid]["resets"]] == ["counter", "livestatus"]
    # one call per account and batch of 10, never one per customer
    resets = [e for e in run.requests if e["vendor"] == "wfbss" and e["path"].endswith("/commands/reset")]
    assert len(resets) == 2 * len(ACCOUNTS)

    koophone = run.chore("koophone")
    frozen = [koophone_instance_ids(KOOPHONE_INSTANCES)[i] for i in KOOPHONE_FROZEN]
    assert koophone["summary"]["reset"] == KOOPHONE_INSTANCES - len(frozen)
    assert koophone["summary"]["waves"] == 2
    assert [i["instance_id"] for i in koophone["instances"] if i["outcome"] == "skipped"] == frozen
    instances = fresh.state("koophone")["instances"]
    assert all(instances[i]["resets"] == (0 if i in frozen else 1) for i in instances)

    iot = run.chore("iot")
    legacy, scm = iot["tenants"]
    assert (legacy["tenant"], legacy["api"], scm["tenant"], scm["api"], scm["tsg_id"]) == (
        "tenant1", "legacy", "tenant2", "scm", IOT_SCM_TENANT["tsg_id"])
    assert legacy["devices"] == IOT_DEVICES + IOT_UNKNOWN
    assert legacy["updated"] == IOT_DEVICES == legacy["sent"] and legacy["unmatched"] == IOT_UNKNOWN == legacy["unknown"]
    # reconciled by default: the devices the tenant does not know are named, not sent
    assert iot["unmatched_devices"] == [
        {"tenant": "tenant1", "ip_address": f"10.99.0.{n}", "ipv6_address": None, "reason": "the tenant has no device with this address; not sent"}
        for n in range(1, IOT_UNKNOWN + 1)]
    assert scm["devices"] == scm["updated"] == IOT_SCM_DEVICES and scm["unmatched"] == 0
    devices = fresh.state("iot")["tenants"][IOT_TENANT["customer_id"]]["devices"]
    assert all(d["attributes"].get("apn") == "iot.e2e.example" for d in devices)
    scm_devices = fresh.state("iot")["tenants"][IOT_SCM_TENANT["tsg_id"]]["devices"]
    assert [d["updates"] for d in scm_devices] == [1] * IOT_SCM_DEVICES
    assert scm_devices[0]["attributes"]["iccid"] == "891004234800000000F"
    assert scm_devices[0]["attributes"]["sessionStart"] == "2026-01-05T14:48:00.000Z"
    iot_calls = [(e["kind"], e["path"]) for e in run.requests if e["vendor"] == "iot"]
    assert iot_calls.count(("auth", "/oauth2/access_token")) == 1
    assert iot_calls.count(("write", "/iot/pub/v1/device/bulkUpdate")) == 1
    assert iot_calls.count(("read", "/iot/pub/v1/device/list")) == 1  # 40 devices: the first page tells all

    altcraft = run.chore("altcraft")
    assert [r["action"] for r in altcraft["resources"]] == ["refreshed"] * 3
    assert all(r["counters"]["email"]["all"] > 0 for r in altcraft["resources"])

    markdown = (run.report_dir / "fleet-report.md").read_text(encoding="utf-8")
    for title in ("Trend Micro WFBS-SVC", "Huawei Cloud KooPhone", "Palo Alto Networks IoT Security", "Altcraft", "created"):
        assert title in markdown
    items = run.items()
    # customers, phones, IoT tenants, Altcraft databases, and each device a tenant does not know
    assert len(items) == CUSTOMERS + KOOPHONE_INSTANCES + 2 + 3 + IOT_UNKNOWN
    assert [(row["account_tenant_or_wave"], row["item_id"]) for row in items if row["outcome"] == "not matched"] == [
        ("tenant1", f"10.99.0.{n}") for n in range(1, IOT_UNKNOWN + 1)]
    assert [row["reason"] for row in items if row["item_id"] in frozen] == ["frozen"]
    assert (run.report_dir / "fleet-report.html").stat().st_size > 0

    # Altcraft's documented get_counters answer says nothing of when the counters were counted, so
    # altcraft_counters_max_age cannot tell fresh counters from stale ones: they are refreshed again.
    untimed = fleet.run(extra={"fleet_maintenance_chores": ["altcraft"]})
    assert untimed.rc == 0, untimed.stdout[-4000:]
    assert [r["action"] for r in untimed.chore("altcraft")["resources"]] == ["refreshed"] * 3
    assert "cannot tell their age" in untimed.stdout

    # The declarative parts again, with a server that gives the count time: nothing changes, nothing is
    # written, the recap says changed=0.
    fresh.configure(altcraft_get_counters_shape="task_result")
    again = fleet.run(extra={"fleet_maintenance_chores": ["wfbss", "altcraft"], "wfbss_maintenance_resets": []})
    assert again.rc == 0, again.stdout[-4000:]
    assert again.writes == []
    assert all(host["changed"] == 0 for host in again.recap().values()), again.recap()
    assert again.chore("wfbss")["summary"]["reports_unchanged"] == 2 * CUSTOMERS
    assert again.chore("wfbss")["changed"] is False
    assert [r["action"] for r in again.chore("altcraft")["resources"]] == ["fresh"] * 3


def test_check_mode_writes_nothing(fresh, fleet):
    run = fleet.run("--check")
    assert run.rc == 0, run.stdout[-4000:]
    assert run.requests, "the check run read nothing"
    assert run.writes == [], run.writes
    assert run.report["check_mode"] is True and "check mode" in run.report["note"]
    assert run.chore("wfbss")["summary"]["reports_created"] == 2 * CUSTOMERS   # would be created
    assert {i["outcome"] for i in run.chore("koophone")["instances"]} == {"would reset", "skipped"}
    # reconciled by default: check mode reads the tenants' devices (read-only) and names the unknown ones
    assert run.chore("iot")["summary"]["sent"] == IOT_DEVICES + IOT_SCM_DEVICES
    assert [d["ip_address"] for d in run.chore("iot")["unmatched_devices"]] == [f"10.99.0.{n}" for n in range(1, IOT_UNKNOWN + 1)]
    assert {entry["kind"] for entry in run.requests if entry["vendor"] == "iot"} == {"auth", "read"}
    assert all(r["action"] == "would refresh" for r in run.chore("altcraft")["resources"])
    # and the simulator's state is untouched
    assert all(not c["reports"] and not c["resets"] for c in fresh.state("wfbss")["customers"].values())
    assert all(i["resets"] == 0 for i in fresh.state("koophone")["instances"].values())
    assert fresh.state("iot")["tenants"][IOT_TENANT["customer_id"]]["bulk_updates"] == 0
    assert "PLAN - check run: nothing was changed" in (run.report_dir / "fleet-report.md").read_text(encoding="utf-8")
    assert {row["outcome"] for row in run.items() if row["vendor"] == "wfbss"} == {"would change"}


def test_limit_restricts_the_ids_sent(fresh, fleet):
    run = fleet.run("--limit", "acct_a,phone01,phone02", extra={"fleet_maintenance_chores": ["wfbss", "koophone"]})
    assert run.rc == 0, run.stdout[-4000:]
    assert wfbss_cids(run.requests) == set(customer_ids("acct-a"))
    assert [c["id"] for c in run.chore("wfbss")["customers"]] == customer_ids("acct-a")
    state = fresh.state("koophone")["instances"]
    ids = koophone_instance_ids(KOOPHONE_INSTANCES)
    assert sorted(i for i in state if state[i]["resets"]) == sorted(ids[:2])
    assert [c["chore"] for c in run.report["chores"]] == ["wfbss", "koophone"]
    assert run.report["limit"] == "acct_a,phone01,phone02"


def test_a_failing_chore_is_reported_and_fails_the_run(fresh, fleet):
    fresh.inject(vendor="iot", action="status", status=403, count=-1)
    run = fleet.run(extra={"fleet_maintenance_chores": ["iot", "altcraft"]})
    assert run.rc != 0
    assert run.report is not None, "the report must be written before the run fails"
    assert run.report["status"] == "failed"
    assert run.chore("iot")["status"] == "failed"
    assert run.chore("altcraft")["status"] == "ok"      # the other chores still ran
    assert any(f["chore"] == "iot" and "tenant1" in f["scope"] for f in run.report["failures"])
    assert "fail the run because a chore failed" in run.stdout and "failure(s): " in run.stdout
    assert "tenant1" in (run.report_dir / "fleet-report.md").read_text(encoding="utf-8")


def test_koophone_stops_after_a_bad_wave(fresh, fleet):
    ids = koophone_instance_ids(KOOPHONE_INSTANCES)
    fresh.configure(koophone_job_fail_ids=ids[:3])          # 3 of the 9 resettable instances of wave 1 fail
    run = fleet.run(playbook="koophone_fleet_reset")
    assert run.rc != 0
    koophone = run.chore("koophone")
    assert koophone["summary"]["stopped"] is True and koophone["summary"]["waves"] == 1
    assert koophone["waves"][0]["failed"] == 3
    assert {i["instance_id"] for i in koophone["instances"] if i["outcome"] == "failed"} == set(ids[:3])
    targets = [iid for index, iid in enumerate(ids) if index not in KOOPHONE_FROZEN]
    assert koophone["summary"]["not sent"] == len(targets) - 10
    state = fresh.state("koophone")["instances"]
    assert all(state[i]["resets"] == 0 for i in targets[10:])   # wave 2 was never sent
    assert all(state[i]["resets"] == 1 for i in targets[:10])


def test_ansible_runner_with_credentials_only_in_the_environment(fresh, fleet, tmp_path, monkeypatch):
    ansible_runner = pytest.importorskip("ansible_runner")
    # ansible-runner looks ansible-playbook up on PATH, as the AWX execution environment has it there
    monkeypatch.setenv("PATH", str(Path(ansible_bin("ansible-playbook")).parent) + os.pathsep + os.environ.get("PATH", ""))
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    # As an AWX job: credentials come only from the credential types' injectors (environment variables):
    # acct-a through the single-account WFBS-SVC type, acct-b through the partner-accounts type.
    account = ACCOUNTS["acct-a"]
    envvars = {key: value for key, value in fleet.env.items()
               if key.startswith("ANSIBLE_") or key.endswith("_API_URL")}
    envvars.update({
        "WFBSS_ACCESS_TOKEN": account["access_token"], "WFBSS_SECRET_KEY": account["secret_key"],
        "FLEETOPS_WFBSS_ACCOUNTS": json.dumps({"acct-b": {key: ACCOUNTS["acct-b"][key] for key in ("access_token", "secret_key")}}),
        "KOOPHONE_AUTH_TOKEN": KOOPHONE_TOKEN,
        # both IoT Security single-tenant types at once: the role gives each tenant only its own kind
        "PANW_IOT_CUSTOMER_ID": IOT_TENANT["customer_id"], "PANW_IOT_KEY_ID": IOT_TENANT["key_id"],
        "PANW_IOT_ACCESS_KEY": IOT_TENANT["access_key"],
        "PANW_IOT_CLIENT_ID": IOT_SCM_TENANT["client_id"], "PANW_IOT_CLIENT_SECRET": IOT_SCM_TENANT["client_secret"],
        "PANW_IOT_TSG_ID": IOT_SCM_TENANT["tsg_id"],
        # the Strata Cloud Manager tenant's addresses are the simulator's (the real ones are the defaults)
        "FLEETOPS_IOT_TENANTS": json.dumps({"tenant2": scm_urls(fresh.url)}),
        "ALTCRAFT_API_TOKEN": ALTCRAFT_TOKEN,
        "FLEET_REPORT_DIR": str(tmp_path / "report"),
    })
    result = ansible_runner.run(
        private_data_dir=str(private),
        playbook=str(ROOT / "playbooks" / "fleet_maintenance.yml"),
        inventory=str(fleet.inventory),
        limit="acct_a,acct_b,koophone_instances[0:9],iot_tenants,altcraft_resources",
        envvars=envvars,
        quiet=True,
    )
    stdout = result.stdout.read()
    assert result.status == "successful" and result.rc == 0, stdout[-4000:]
    events = list(result.events)
    stats = [e for e in events if e["event"] == "playbook_on_stats"]
    assert stats and not stats[0]["event_data"].get("failures")
    assert stats[0]["event_data"]["artifact_data"]["fleet_report"]["status"] == "ok"
    assert any(e["event"] == "runner_on_ok" and "wfbss_reset" in e["event_data"].get("task_action", "") for e in events)
    # No secret anywhere in the event stream or the output AWX shows. (ansible-runner itself keeps the
    # environment it was given in env/envvars and artifacts/<id>/command; AWX discards those files.)
    artifacts = private / "artifacts"
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace")
             for p in artifacts.rglob("*") if p.is_file() and (p.parent.name == "job_events" or p.name == "stdout")}
    texts["events"] = json.dumps(events)
    texts["stdout"] = stdout
    for secret in SECRETS:
        leaks = [name for name, text in texts.items() if secret in text]
        assert not leaks, f"secret {secret[:4]}... found in {leaks}"
    report = json.loads((tmp_path / "report" / "fleet-report.json").read_text(encoding="utf-8"))
    assert report["status"] == "ok"
    assert [c["id"] for c in next(c for c in report["chores"] if c["chore"] == "wfbss")["customers"]] == (
        customer_ids("acct-a") + customer_ids("acct-b"))
    iot = next(c for c in report["chores"] if c["chore"] == "iot")
    assert [(t["tenant"], t["api"], t["updated"]) for t in iot["tenants"]] == [
        ("tenant1", "legacy", IOT_DEVICES), ("tenant2", "scm", IOT_SCM_DEVICES)]


def test_retired_and_differing_reports(fresh, fleet):
    # acct-a's customers have the retired report and an older version of a catalogue report
    setup = fleet.tmp / "setup-reports.yml"
    setup.write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Old reports
      fleetops.maintenance.wfbss_report:
        customer_ids: %s
        name: "{{ item.name }}"
        schedule: weekly
        weekday: tuesday
        time: "{{ item.time }}"
        contents: [virus_summary]
        access_token: %s
        secret_key: %s
      loop:
        - {name: Daily virus digest, time: "05:00"}
        - {name: Weekly security summary, time: "23:00"}
""" % (json.dumps(customer_ids("acct-a")), ACCOUNTS["acct-a"]["access_token"], ACCOUNTS["acct-a"]["secret_key"]), encoding="utf-8")
    run = fleet.run(playbook=str(setup.with_suffix("")))
    assert run.rc == 0, run.stdout[-3000:]

    extra = {"fleet_maintenance_chores": ["wfbss"], "wfbss_maintenance_resets": []}
    run = fleet.run(playbook="wfbss_maintenance", extra=extra)
    assert run.rc == 0, run.stdout[-3000:]
    summary = run.chore("wfbss")["summary"]
    assert summary["reports_deleted"] == 6 and summary["reports_differing"] == 6 and summary["reports_created"] == 6 + 2 * 6
    state = fresh.state("wfbss")["customers"]
    for cid in customer_ids("acct-a"):
        names = {r["setting"]["name"]: r for r in state[cid]["reports"]}
        assert "Daily virus digest" not in names
        assert names["Weekly security summary"]["setting"]["parameter"]["time"] == 23 * 3600   # left alone
    customer = next(c for c in run.chore("wfbss")["customers"] if c["id"] == customer_ids("acct-a")[0])
    assert {r["name"]: r["action"] for r in customer["reports"]} == {
        "Weekly security summary": "differs", "Monthly executive report": "created", "Daily virus digest": "deleted"}
    assert any("Weekly security summary: differs" in row["action"] for row in run.items())

    run = fleet.run(playbook="wfbss_maintenance", extra=dict(extra, wfbss_maintenance_replace=True))
    assert run.rc == 0, run.stdout[-3000:]
    assert run.chore("wfbss")["summary"]["reports_updated"] == 6
    state = fresh.state("wfbss")["customers"]
    assert all(next(r for r in state[cid]["reports"] if r["setting"]["name"] == "Weekly security summary")
               ["setting"]["parameter"]["time"] == 6 * 3600 + 30 * 60 for cid in customer_ids("acct-a"))


def test_concurrent_runs_with_10_forks_share_one_rate_limited_tenant(fresh, fleet, tmp_path):
    """Three jobs at once (AWX slices, or overlapping schedules), 10 forks each, against one tenant whose
    limit is lower than their combined rate: the API answers 429, every job waits it out and none fails."""
    fresh.configure(iot_rate_limit_per_minute=120, iot_rate_burst=4)
    extra = json.dumps({"fleet_maintenance_chores": ["iot"], "iot_cellular_sync_batch_size": 50})
    jobs = []
    for job in range(3):
        cmd = [ansible_bin("ansible-playbook"), "-f", "10", "-i", str(fleet.inventory), str(ROOT / "playbooks" / "fleet_maintenance.yml"),
               "-e", extra, "-e", json.dumps({"fleet_maintenance_report_dir": str(tmp_path / f"report-{job}")})]
        jobs.append(subprocess.Popen(cmd, env=fleet.env, cwd=str(tmp_path), stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                     stderr=subprocess.STDOUT, text=True))
    outputs = [job.communicate(timeout=240)[0] for job in jobs]
    for job, output in zip(jobs, outputs):
        assert job.returncode == 0, output[-3000:]
        assert not re.search(r"failed=[1-9]", output), output[-3000:]
    puts = [entry for entry in fresh.requests if entry["vendor"] == "iot" and entry["method"] == "PUT"]
    per_job = -(-IOT_DEVICES // 50) + -(-IOT_SCM_DEVICES // 50)  # reconciled: the unknown devices are not sent
    assert len([entry for entry in puts if entry["status"] == 200]) == 3 * per_job  # every batch of every job landed once
    assert any(entry["status"] == 429 for entry in puts), "the tenant's limit was never reached: the test proves nothing"
    for job in range(3):
        report = json.loads((tmp_path / f"report-{job}" / "fleet-report.json").read_text(encoding="utf-8"))
        assert report["status"] == "ok"


def test_report_separates_an_unknown_outcome_from_work_not_done(fresh, fleet):
    """A reset whose answer was lost (504 on a write) may have been applied: the run report says so for each of
    its customers instead of listing them as not sent, so nobody blindly resends it."""
    fresh.inject(vendor="wfbss", method="POST", path_contains="commands/reset", skip=1, action="status", status=504, count=1)
    run = fleet.run(extra={"fleet_maintenance_chores": ["wfbss"]})
    assert run.rc != 0 and run.report is not None
    statuses = {customer["id"]: [reset["status"] for reset in customer["resets"]] for customer in run.chore("wfbss")["customers"]}
    unknown = {cid for cid, seen in statuses.items() if "outcome unknown" in seen}
    assert unknown == {cid.upper() for cid in customer_ids("acct-a")}  # the 2nd reset call was acct-a's livestatus batch
    assert not any("not sent" in seen for seen in statuses.values())
    assert run.chore("wfbss")["status"] == "failed"
    # The item row of each such customer says the same, with what to do, and not "no change"
    acct_a = {cid.upper() for cid in customer_ids("acct-a")}
    rows = [row for row in run.items() if row["item_id"] in acct_a]
    assert len(rows) == len(acct_a)
    for row in rows:
        assert "livestatus: outcome unknown" in row["reason"] and "check before sending it again" in row["reason"]
        assert "HTTP 504" in row["reason"] and row["outcome"] == "failed"
    # and the summary lists them under one cause, with the code
    markdown = (run.report_dir / "fleet-report.md").read_text(encoding="utf-8")
    assert "- Code: HTTP 504" in markdown and all(cid in markdown for cid in acct_a)


def test_report_rows_say_a_reset_was_not_sent_and_why(fresh, fleet):
    """A refused reset call (an HTTP 400) was certainly not applied: each row says so."""
    fresh.inject(vendor="wfbss", method="POST", path_contains="commands/reset", action="status", status=400, count=-1)
    run = fleet.run(extra={"fleet_maintenance_chores": ["wfbss"], "wfbss_maintenance_resets": [{"type": "counter"}]})
    assert run.rc != 0 and run.report is not None
    customers = run.chore("wfbss")["customers"]
    assert {reset["status"] for customer in customers for reset in customer["resets"]} == {"not sent"}
    rows = [row for row in run.items() if row["vendor"] == "wfbss"]
    assert len(rows) == CUSTOMERS
    assert all("reset counter: not sent - batch 1 of 1 failed" in row["reason"] for row in rows)
    assert "HTTP 400" in rows[0]["reason"]
    groups = run.report["failure_groups"]
    assert [group["code"] for group in groups if group["vendor"] == "wfbss"] == ["HTTP 400"], groups
    assert "run again" in groups[0]["advice"]


def test_scm_token_expiring_mid_run_sends_no_device_twice(fresh, fleet):
    """The Strata Cloud Manager tenant's token dies 2 s after it was issued (it announced 899 s) while its batches
    take 0.8 s each: batch 3 is refused, the token renewed, batch 3 alone repeated; every device lands once.
    (With batches in flight at once, tests/unit/plugins/test_concurrency.py renews the token under concurrency.)"""
    fresh.configure(iot_token_ttl_seconds=2.0, iot_token_expires_in=899)
    fresh.inject(vendor="iot", method="PUT", path_contains="/iot/pub/v1/device/bulkUpdate", action="delay", delay=0.8, count=-1)
    # one batch after the other (the role passes its concurrency on), so that the token dies between two of them
    run = fleet.run("--limit", "tenant2", extra={"fleet_maintenance_chores": ["iot"], "iot_cellular_sync_batch_size": 10,
                                                 "iot_cellular_sync_concurrency": 1})
    assert run.rc == 0, run.stdout[-4000:]
    (tenant,) = run.chore("iot")["tenants"]
    assert tenant["updated"] == IOT_SCM_DEVICES and [b["updated"] for b in tenant["batches"]] == [10] * 4
    calls = [(e["kind"], e["status"]) for e in run.requests if e["vendor"] == "iot"]
    # the reconcile read (one device/list page) goes with the same token as the writes
    assert calls == [("auth", 200), ("read", 200), ("write", 200), ("write", 200), ("write", 401), ("auth", 200), ("write", 200),
                     ("write", 200)]
    devices = fresh.state("iot")["tenants"][IOT_SCM_TENANT["tsg_id"]]["devices"]
    assert [d["updates"] for d in devices[:IOT_SCM_DEVICES]] == [1] * IOT_SCM_DEVICES


def bad_hosts(tmp_path: Path) -> Path:
    """A second inventory source that adds four hosts with bad data to account acct-a."""
    good = customer_ids("acct-a")[0]
    path = tmp_path / "bad-hosts.yml"
    path.write_text(f"""all:
  children:
    wfbss_customers:
      children:
        acct_a:
          hosts:
            acct_a-notguid: {{wfbss_customer_id: not-a-guid}}
            acct_a-noid: {{wfbss_customer_name: No id}}
            acct_a-number: {{wfbss_customer_id: 12345}}
            acct_a-dup: {{wfbss_customer_id: "{good.lower()}"}}
""", encoding="utf-8")
    return path


def test_bad_inventory_data_is_named_host_by_host_and_blocks_nobody_else(fresh, fleet, tmp_path):
    extra = {"fleet_maintenance_chores": ["wfbss"]}
    run = fleet.run("-i", str(fleet.inventory), "-i", str(bad_hosts(tmp_path)), extra=extra)
    assert run.rc != 0 and run.report is not None, run.stdout[-3000:]
    state = fresh.state("wfbss")["customers"]
    # every valid customer of the account was maintained
    assert all([r["type"] for r in state[cid]["resets"]] == ["counter", "livestatus"] for cid in customer_ids("acct-a"))
    assert run.chore("wfbss")["status"] == "ok" and run.chore("wfbss")["summary"]["customers"] == CUSTOMERS
    rejected = [(f["host"], f["value"]) for f in run.report["failures"]]
    assert rejected == [("acct_a-notguid", "not-a-guid"), ("acct_a-noid", None), ("acct_a-number", 12345),
                        ("acct_a-dup", customer_ids("acct-a")[0].lower())], "each bad host once, by its name"
    assert "the same as that of acct_a-cust1" in run.report["failures"][3]["msg"]
    assert [row["name"] for row in run.items() if row["outcome"] == "rejected"] == [pair[0] for pair in rejected]
    assert "acct_a-noid" in (run.report_dir / "fleet-report.md").read_text(encoding="utf-8")

    stopped = fleet.run("-i", str(fleet.inventory), "-i", str(bad_hosts(tmp_path)),
                        extra=dict(extra, fleet_maintenance_stop_on_bad_inventory=True))
    assert stopped.rc != 0 and stopped.writes == [], "nothing is sent when the run stops on bad data"
    assert stopped.report is not None and len(stopped.report["failures"]) == 4 and stopped.report["chores"] == []
