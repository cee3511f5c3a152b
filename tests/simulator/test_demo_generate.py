"""demo/generate.py: the demo fleet is reproduced exactly, and a fleet N times its size is consistent with its seed."""
import csv
import ipaddress
import json
import subprocess
import sys
from pathlib import Path

import yaml

from ansible_collections.fleetops.maintenance.simulator import seed as sim_seed

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "demo" / "generate.py"


def run_generate(*args):
    return subprocess.run([sys.executable, str(GENERATE), *args], capture_output=True, text=True, check=False)


def hosts_of(inventory):
    """{group: {host: vars}} of every group with hosts, children followed."""
    found = {}

    def walk(name, group):
        for host, hostvars in (group.get("hosts") or {}).items():
            found.setdefault(name, {})[host] = dict(group.get("vars") or {}, **(hostvars or {}))
        for child, sub in (group.get("children") or {}).items():
            walk(child, sub or {})
            for host, hostvars in found.get(child, {}).items():
                found.setdefault(name, {})[host] = hostvars
    walk("all", inventory["all"])
    return found


def test_scale_one_into_a_directory_is_the_committed_demo_fleet(tmp_path):
    result = run_generate("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    demo = ROOT / "demo"
    for name in ("inventory/hosts.yml", "simulator-seed.json", "demo-credentials.json",
                 "data/iot/acme-logistics.csv", "data/iot/beta-retail.yml", "data/iot/gamma-transit.csv"):
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "inventory" / "group_vars").iterdir()) == \
        sorted(p.name for p in (demo / "inventory" / "group_vars").iterdir())


def test_a_fleet_three_times_the_demo_is_consistent(tmp_path):
    result = run_generate("--scale", "3", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    groups = hosts_of(yaml.safe_load((tmp_path / "inventory" / "hosts.yml").read_text(encoding="utf-8")))
    customers, phones = groups["wfbss_customers"], groups["koophone_instances"]
    assert len(customers) == 150 and len(phones) == 600
    assert len({v["wfbss_customer_id"] for v in customers.values()}) == 150
    assert len({v["wfbss_customer_name"] for v in customers.values()}) == 150
    assert len({v["koophone_instance_id"] for v in phones.values()}) == 600

    seed = json.loads((tmp_path / "simulator-seed.json").read_text(encoding="utf-8"))
    state = sim_seed.normalise(seed)
    assert sum(len(account["customers"]) for account in seed["wfbss"]["accounts"]) == 150
    assert sorted(i["instance_id"] for i in seed["koophone"]["instances"]) == \
        sorted(v["koophone_instance_id"] for v in phones.values())
    assert sum(i["frozen_status"] for i in seed["koophone"]["instances"]) == 3

    # the tenant knows every address of the CSV but the 30 unknown ones, and all are valid IPv4 addresses
    rows = list(csv.DictReader((tmp_path / "data" / "iot" / "acme-logistics.csv").open(encoding="utf-8")))
    assert len(rows) == 15000
    for row in rows:
        ipaddress.IPv4Address(row["ip_address"])
    acme = next(t for t in state["iot"]["tenants"] if t["customer_id"] == "acme-logistics")
    known = {device["ip_address"] for device in acme["devices"]}
    assert len([row for row in rows if row["ip_address"] not in known]) == 30


def test_device_addresses_stay_valid_past_a_slash_16():
    addresses = [sim_seed.iot_device_ipv4(index) for index in (0, 249, 250, 62499, 62500, 499999)]
    assert addresses[:4] == ["10.20.0.1", "10.20.0.250", "10.20.1.1", "10.20.249.250"]
    assert addresses[4] == "10.21.0.1"
    assert len({str(ipaddress.IPv4Address(a)) for a in addresses}) == len(addresses)


def test_scale_needs_out_and_a_positive_number():
    assert "needs --out" in run_generate("--scale", "2").stderr
    assert "must be 1 or more" in run_generate("--scale", "0", "--out", "/nonexistent").stderr
