"""Fixtures of the end-to-end tests: a simulator with a small fleet, an inventory for it, a runner.

The tests run the collection's playbooks with ansible-playbook (and ansible-runner) exactly as a user
or AWX would, against the simulator started in this process. The collection is taken from
ANSIBLE_COLLECTIONS_PATH when it is set (scripts/test points it at a copy of the checkout), else from a
temporary collections directory holding a symlink to this checkout.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.fleetops.maintenance.simulator import Simulator
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids, wfbss_customer_id

ROOT = Path(__file__).resolve().parents[2]

ACCOUNTS = {
    "acct-a": {"access_token": "0a1b2c3d-0000-4000-8000-00000000000a", "secret_key": "e2e-secret-key-account-a", "customers": 6},
    "acct-b": {"access_token": "0a1b2c3d-0000-4000-8000-00000000000b", "secret_key": "e2e-secret-key-account-b", "customers": 6},
}
KOOPHONE_TOKEN = "e2e-koophone-token-secret"
KOOPHONE_INSTANCES = 20
KOOPHONE_FROZEN = [3]
IOT_TENANT = {"customer_id": "e2e-tenant", "key_id": "e2e-key-id", "access_key": "e2e-iot-access-key-secret"}
IOT_DEVICES = 300
IOT_UNKNOWN = 5
# A tenant on Strata Cloud Manager (inventory host tenant2): client credentials, no legacy key.
IOT_SCM_TENANT = {"tsg_id": "1570000077", "client_id": "e2e-client@1570000077.iam.panserviceaccount.com",
                  "client_secret": "e2e-iot-client-secret-secret"}
IOT_SCM_DEVICES = 40
ALTCRAFT_TOKEN = "e2e-altcraft-token-secret"
SECRETS = [a["secret_key"] for a in ACCOUNTS.values()] + [a["access_token"] for a in ACCOUNTS.values()] + [
    KOOPHONE_TOKEN, IOT_TENANT["access_key"], IOT_SCM_TENANT["client_secret"], ALTCRAFT_TOKEN]
FAST_KNOBS = {"koophone_job_seconds": 0.2, "altcraft_task_seconds": 0.2}


def seed() -> dict[str, Any]:
    return {
        "wfbss": {"accounts": [{"access_token": a["access_token"], "secret_key": a["secret_key"], "customers": a["customers"]}
                               for a in ACCOUNTS.values()]},
        "koophone": {"tokens": [KOOPHONE_TOKEN], "users": [], "instances": KOOPHONE_INSTANCES, "frozen": KOOPHONE_FROZEN},
        "iot": {"tenants": [dict(IOT_TENANT, devices=IOT_DEVICES), dict(IOT_SCM_TENANT, devices=IOT_SCM_DEVICES)]},
        "altcraft": {"tokens": [ALTCRAFT_TOKEN], "resources": 2},
    }


def customer_ids(account: str) -> list[str]:
    first = 1
    for name, spec in ACCOUNTS.items():
        if name == account:
            return [wfbss_customer_id(n) for n in range(first, first + spec["customers"])]
        first += spec["customers"]
    raise KeyError(account)


def write_fleet(directory: Path) -> Path:
    """An inventory of the e2e fleet (the same layout as demo/inventory), returns its directory."""
    inv = directory / "inventory"
    (inv / "group_vars").mkdir(parents=True)
    (directory / "data").mkdir()
    lines = ["all:", "  children:", "    wfbss_customers:", "      children:"]
    for account in ACCOUNTS:
        group = account.replace("-", "_")
        lines += [f"        {group}:", "          vars:", f"            wfbss_account: {account}", "          hosts:"]
        for number, cid in enumerate(customer_ids(account), start=1):
            lines += [f"            {group}-cust{number}:", f"              wfbss_customer_id: {cid}"]
    lines += ["    koophone_instances:", "      hosts:"]
    for number, iid in enumerate(koophone_instance_ids(KOOPHONE_INSTANCES), start=1):
        lines += [f"        phone{number:02d}:", f"          koophone_instance_id: {iid}"]
    lines += ["    iot_tenants:", "      hosts:", "        tenant1:", f"          iot_customer_id: {IOT_TENANT['customer_id']}",
              "          iot_devices_source: ../data/devices.csv",
              "        tenant2:", f"          iot_tsg_id: \"{IOT_SCM_TENANT['tsg_id']}\"",
              "          iot_devices_source: ../data/devices-scm.csv",
              "    altcraft_resources:", "      hosts:",
              "        res1:", "          altcraft_resource_id: 1", "          altcraft_list_ids: [1, 2]",
              "        res2:", "          altcraft_resource_id: 2", "          altcraft_list_ids: [1]"]
    (inv / "hosts.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (inv / "group_vars" / "all.yml").write_text(
        "ansible_connection: local\nansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n", encoding="utf-8")
    (inv / "group_vars" / "wfbss_customers.yml").write_text("""
wfbss_maintenance_resets:
  - type: counter
  - type: livestatus
    events: [virus_incidents, wtp_incidents]
wfbss_maintenance_reports:
  - name: Weekly security summary
    schedule: weekly
    weekday: monday
    time: "06:30"
    recipients: [soc@msp.example]
    contents: [virus_summary, spyware_summary]
  - name: Monthly executive report
    schedule: monthly
    monthday: 1
    time: "07:00"
    contents: [virus_summary, top_network_viruses]
wfbss_maintenance_retired_reports: [Daily virus digest]
""", encoding="utf-8")
    (inv / "group_vars" / "koophone_instances.yml").write_text(
        "koophone_fleet_reset_wave_size: 10\nkoophone_fleet_reset_pause_seconds: 0\nkoophone_fleet_reset_poll_interval: 0.3\n",
        encoding="utf-8")
    (inv / "group_vars" / "altcraft_resources.yml").write_text(
        "altcraft_counters_max_age: 1h\naltcraft_counters_poll_interval: 0.3\n", encoding="utf-8")
    rows = ["ip_address,imei,iccid,imsi,apn"]
    for index in range(IOT_DEVICES + IOT_UNKNOWN):
        address = f"10.20.{index // 250}.{index % 250 + 1}" if index < IOT_DEVICES else f"10.99.0.{index - IOT_DEVICES + 1}"
        rows.append(f"{address},35{index:013d},8931{index:015d},20404{index:010d},iot.e2e.example")
    (directory / "data" / "devices.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # the vendor's own example ICCID form (19 digits and the filler F) and session times
    rows = ["ip_address,imei,iccid,imsi,session_start,session_end"]
    rows += [f"10.20.0.{index + 1},35{index:013d},8910042348{index:08d}F,31346{index:010d},"
             f"2026-01-05T14:48:00.000Z,2026-01-10T14:48:00.000Z" for index in range(IOT_SCM_DEVICES)]
    (directory / "data" / "devices-scm.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return inv


@dataclass
class Run:
    rc: int
    stdout: str
    report: dict[str, Any] | None
    report_dir: Path
    requests: list[dict[str, Any]] = field(default_factory=list)

    def recap(self) -> dict[str, dict[str, int]]:
        """PLAY RECAP counters per host."""
        out = {}
        for match in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", self.stdout, re.M):
            out[match.group(1)] = {"ok": int(match.group(2)), "changed": int(match.group(3)), "failed": int(match.group(5))}
        return out

    def chore(self, name: str) -> dict[str, Any]:
        assert self.report is not None, self.stdout[-3000:]
        return next(c for c in self.report["chores"] if c["chore"] == name)

    def items(self) -> list[dict[str, str]]:
        """The rows of fleet-items.csv."""
        with (self.report_dir / "fleet-items.csv").open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))

    @property
    def writes(self) -> list[dict[str, Any]]:
        return [entry for entry in self.requests if entry["kind"] == "write"]


def collections_path(tmp: Path) -> str:
    given = os.environ.get("ANSIBLE_COLLECTIONS_PATH")
    if given and any((Path(p) / "ansible_collections" / "fleetops" / "maintenance").is_dir() for p in given.split(os.pathsep)):
        return given
    target = tmp / "collections" / "ansible_collections" / "fleetops"
    target.mkdir(parents=True)
    (target / "maintenance").symlink_to(ROOT)
    return str(tmp / "collections")


def ansible_bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} not found")
    return found


def scm_urls(url: str) -> dict[str, str]:
    """The Strata Cloud Manager tenant's API and token endpoint, both on the simulator (or the proxy) at url."""
    return {"api_url": url, "auth_url": url + "/oauth2/access_token"}


def base_env(sim: Simulator, coll_path: str, home: Path) -> dict[str, str]:
    """The environment of a run: connection settings and credentials only through variables."""
    ours = ("ANSIBLE_", "WFBSS_", "KOOPHONE_", "HUAWEICLOUD_SDK_", "PANW_IOT_", "ALTCRAFT_", "FLEETOPS_", "FLEET_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": coll_path,
        "ANSIBLE_HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "WFBSS_API_URL": sim.url, "KOOPHONE_API_URL": sim.url, "PANW_IOT_API_URL": sim.url, "ALTCRAFT_API_URL": sim.url,
        "FLEETOPS_WFBSS_ACCOUNTS": json.dumps({name: {"access_token": a["access_token"], "secret_key": a["secret_key"]}
                                               for name, a in ACCOUNTS.items()}),
        "FLEETOPS_IOT_TENANTS": json.dumps({
            "tenant1": {"key_id": IOT_TENANT["key_id"], "access_key": IOT_TENANT["access_key"]},
            "tenant2": dict(scm_urls(sim.url), client_id=IOT_SCM_TENANT["client_id"], client_secret=IOT_SCM_TENANT["client_secret"]),
        }),
        "KOOPHONE_AUTH_TOKEN": KOOPHONE_TOKEN,
        "ALTCRAFT_API_TOKEN": ALTCRAFT_TOKEN,
    })
    return env


class Fleet:
    """Runs playbooks of the collection against the simulator with the e2e inventory."""

    def __init__(self, sim: Simulator, tmp: Path) -> None:
        self.sim, self.tmp = sim, tmp
        self.inventory = write_fleet(tmp / "fleet")
        self.coll_path = collections_path(tmp)
        self.home = tmp / "ansible_home"
        (self.home / "tmp").mkdir(parents=True)
        self.env = base_env(sim, self.coll_path, self.home)
        self.runs = 0

    def run(self, *args: str, playbook: str = "fleet_maintenance", extra: dict[str, Any] | None = None, timeout: int = 240) -> Run:
        self.runs += 1
        report_dir = self.tmp / f"report-{self.runs}"
        self.sim.clear_log()
        path = Path(playbook + ".yml") if os.path.isabs(playbook) else ROOT / "playbooks" / f"{playbook}.yml"
        cmd = [ansible_bin("ansible-playbook"), "-i", str(self.inventory), str(path),
               "-e", json.dumps(dict(extra or {}, fleet_maintenance_report_dir=str(report_dir))), *args]
        proc = subprocess.run(cmd, env=self.env, cwd=str(self.tmp), capture_output=True, text=True, timeout=timeout, check=False)
        out = proc.stdout + proc.stderr
        report_file = report_dir / "fleet-report.json"
        report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else None
        return Run(proc.returncode, out, report, report_dir, self.sim.requests)


@pytest.fixture(scope="session")
def sim():
    simulator = Simulator(seed=seed()).start()
    simulator.configure(**FAST_KNOBS)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="session")
def fleet(sim, tmp_path_factory):
    return Fleet(sim, tmp_path_factory.mktemp("e2e"))


@pytest.fixture()
def fresh(sim):
    """Back to the seed (and fast knobs) before a test that needs a pristine fleet."""
    sim.reset()
    sim.configure(**FAST_KNOBS)
    return sim
