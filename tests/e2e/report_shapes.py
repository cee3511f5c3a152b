"""Chore results of the shape the chore summaries return, for a whole generated fleet, without running it.

    python tests/e2e/report_shapes.py FLEET_DIR OUT_DIR

builds the chores' report entries for the fleet that `demo/generate.py --scale N --out FLEET_DIR` wrote (every
customer, phone, IoT tenant and batch, and Altcraft database; some of them failed, in several causes), writes the run
report's four files into OUT_DIR the way the fleet_run_report action does, and prints how long that took and the
files' sizes. The browser test uses it for the report of a 100x fleet.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import fleet_report, report_files

FORBIDDEN = "POST /SMPI/v2/commands/reset: HTTP 403, 1002 The partner has no permission for this customer (request id r-%d)"
JOB_FAILED = "KOOPHONE.API.1002 reset failed"


def _hosts(group: dict) -> dict:
    """{host: vars (with the group's vars)} of a group and its children."""
    found = {}
    for name, host_vars in (group.get("hosts") or {}).items():
        found[name] = dict(group.get("vars") or {}, **(host_vars or {}))
    for child in (group.get("children") or {}).values():
        for name, host_vars in _hosts(child or {}).items():
            found[name] = dict(group.get("vars") or {}, **host_vars)
    return found


def inventory(fleet: Path) -> dict[str, dict]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    top = yaml.load((fleet / "inventory" / "hosts.yml").read_text(encoding="utf-8"), Loader=loader)["all"]["children"]
    return {group: _hosts(top[group]) for group in top}


def chores(fleet: Path, wave_size: int = 50, batch_size: int = 500) -> list[dict]:
    groups = inventory(fleet)
    customers = []
    for number, (host, hv) in enumerate(groups["wfbss_customers"].items()):
        failed = number % 97 == 5
        customers.append(dict(
            host=host, id=hv["wfbss_customer_id"], name=hv.get("wfbss_customer_name", host), account=hv["wfbss_account"],
            failed=failed, problems=["reset counter: not sent - " + FORBIDDEN % number] if failed else [],
            resets=[] if failed else [dict(type="counter", events=[], task_id="task-%06d" % number, status="requested")],
            reports=[dict(name=name, action="created" if number % 3 else "unchanged", result="Done", message="", rtid=None,
                          differences=[]) for name in ("Weekly security summary", "Monthly executive report")]))
    accounts = sorted({customer["account"] for customer in customers})
    wfbss = dict(chore="wfbss", title="Trend Micro WFBS-SVC", status="failed", changed=True, check_mode=False,
                 headline="WFBS-SVC: %d customers in %d accounts" % (len(customers), len(accounts)),
                 summary=dict(customers=len(customers), accounts=len(accounts)), accounts=accounts, resets=[{"type": "counter"}],
                 catalogue=["Weekly security summary", "Monthly executive report"], retired=[], customers=customers,
                 failures=[dict(scope="account %s" % c["account"], step="reset counter", msg=FORBIDDEN % n, customers=[c["id"]])
                           for n, c in enumerate(customers) if c["failed"]])
    phones = [str(hv["koophone_instance_id"]) for hv in groups["koophone_instances"].values()]
    instances = []
    for number, iid in enumerate(phones):
        wave = number // wave_size + 1
        if number % 211 == 7:
            instances.append(dict(instance_id=iid, wave=wave, outcome="failed", reason=JOB_FAILED, job_id="job-%d" % number))
        elif number % 1999 == 3:
            instances.append(dict(instance_id=iid, wave=None, outcome="skipped", reason="frozen", job_id=None))
        else:
            instances.append(dict(instance_id=iid, wave=wave, outcome="reset", reason="", job_id="job-%d" % number))
    waves = sorted({item["wave"] for item in instances if item["wave"]})
    koophone = dict(chore="koophone", title="Huawei Cloud KooPhone", status="ok", changed=True, check_mode=False,
                    headline="KooPhone: %d instances in %d waves" % (len(phones), len(waves)), journal=None,
                    summary=dict(instances=len(phones), waves=len(waves)), waves=[], instances=instances, failures=[])
    tenants = []
    for host, hv in groups["iot_tenants"].items():
        source = (fleet / "inventory" / hv["iot_devices_source"]).resolve()
        devices = max(sum(1 for line in source.open(encoding="utf-8")) - 1, 0) if source.suffix == ".csv" else 24
        batches = [dict(index=index + 1, sent=min(batch_size, devices - index * batch_size),
                        updated=min(batch_size, devices - index * batch_size) - (1 if index % 50 == 0 else 0))
                   for index in range((devices + batch_size - 1) // batch_size)]
        updated = sum(batch["updated"] for batch in batches)
        tenants.append(dict(tenant=host, api="scm" if "iot_tsg_id" in hv else "legacy", customer_id=hv.get("iot_customer_id"),
                            tsg_id=hv.get("iot_tsg_id"), source=hv["iot_devices_source"], devices=devices, sent=devices,
                            updated=updated, unmatched=devices - updated, batches=batches, batch_count=len(batches),
                            failed=False, failed_batch=None, unprocessed=0, error=None, note=None))
    iot = dict(chore="iot", title="Palo Alto Networks IoT Security", status="ok", changed=True, check_mode=False,
               headline="IoT Security: %d tenants" % len(tenants), summary={}, tenants=tenants, failures=[])
    resources = [dict(resource=host, resource_id=hv["altcraft_resource_id"], list_id=list_id, action="refreshed",
                      task_id="t-%s-%s" % (hv["altcraft_resource_id"], list_id), updated="2026-12-03T10:59:00Z",
                      last_count_time=None, counters={}, error=None, note=None)
                 for host, hv in groups["altcraft_resources"].items() for list_id in hv.get("altcraft_list_ids", [1])]
    altcraft = dict(chore="altcraft", title="Altcraft", status="ok", changed=True, check_mode=False,
                    headline="Altcraft: %d resource databases" % len(resources), summary={}, resources=resources, failures=[])
    return [wfbss, koophone, iot, altcraft]


def write_report(fleet: Path, out: Path) -> dict[str, float]:
    """Write the four files of the fleet's synthetic run; the seconds it took and each file's size in bytes."""
    entries = chores(fleet)
    started = time.perf_counter()
    report, rows = fleet_report.build(entries, False, limit=None, started_at="2026-12-03T10:40:00Z")
    paths = report_files.write(str(out), report, rows)
    seconds = time.perf_counter() - started
    return dict({Path(path).name: Path(path).stat().st_size for path in paths}, seconds=seconds, rows=len(rows))


if __name__ == "__main__":
    print(json.dumps(write_report(Path(sys.argv[1]), Path(sys.argv[2])), indent=1))
