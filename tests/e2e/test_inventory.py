"""End-to-end: the fleet playbook on the collection's inventory plugins, as on the static inventory.

The dynamic inventory lists the e2e fleet from the simulator with the collection's example sources
(extensions/inventory/): one ``*.wfbss.yml`` source per partner account
(credentials from FLEETOPS_WFBSS_ACCOUNTS, the partner-accounts credential of AWX) and one ``*.koophone.yml``
(KOOPHONE_AUTH_TOKEN), next to the same group_vars as the static inventory. ``ansible-inventory --list
--export`` is what an AWX inventory update runs; ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED makes a source that
fails fail the run, as the plugins' documentation advises.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml

from conftest import ACCOUNTS, KOOPHONE_FROZEN, KOOPHONE_INSTANCES, ROOT, SECRETS, Fleet, ansible_bin, customer_ids
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids
from test_secrets import encodings

EXAMPLES = ROOT / "extensions" / "inventory"
CHORES = {"fleet_maintenance_chores": ["wfbss", "koophone"]}
PHONES = koophone_instance_ids(KOOPHONE_INSTANCES)
# What differs between two runs of the same chores: host names and the vendors' fresh task and job ids.
RUN_SPECIFIC = {"host", "name", "task_id", "task_ids", "job_id"}


def write_dynamic_fleet(directory: Path, static_inventory: Path, **source_options) -> Path:
    """The e2e fleet's WFBS-SVC customers and KooPhone phones as inventory sources - the collection's example
    sources, one per account - with the static inventory's group_vars."""
    inventory = directory / "inventory"
    shutil.copytree(static_inventory / "group_vars", inventory / "group_vars")
    wfbss = yaml.safe_load((EXAMPLES / "partner-north.wfbss.yml").read_text(encoding="utf-8"))
    for account in ACCOUNTS:
        source = dict(wfbss, account=account, retry_backoff=0.1, **source_options)
        (inventory / f"{account}.wfbss.yml").write_text(yaml.safe_dump(source), encoding="utf-8")
    phones = yaml.safe_load((EXAMPLES / "phones.koophone.yml").read_text(encoding="utf-8"))
    phones.update(page_size=50, retry_backoff=0.1, **source_options)
    (inventory / "phones.koophone.yml").write_text(yaml.safe_dump(phones), encoding="utf-8")
    return inventory


def dynamic_fleet(sim, tmp: Path, static_inventory: Path, **source_options) -> Fleet:
    """A Fleet whose runs use the inventory plugins (sources written with ``source_options``)."""
    runner = Fleet(sim, tmp)
    runner.inventory = write_dynamic_fleet(tmp / "dynamic", static_inventory, **source_options)
    # a source that fails fails the run (Ansible's default only warns and leaves its hosts out)
    runner.env["ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED"] = "true"
    return runner


@pytest.fixture(scope="module")
def dynamic(sim, fleet, tmp_path_factory):
    return dynamic_fleet(sim, tmp_path_factory.mktemp("e2e-dynamic"), fleet.inventory)


@pytest.fixture()
def reseeded(fresh):
    """The simulator, to be seeded by the test; back to the e2e seed afterwards."""
    yield fresh
    fresh.reset()


def unwrap(value):
    """ansible-inventory's JSON marks the vendors' (untrusted) strings {"__ansible_unsafe": ...}: their text."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def ansible_inventory(dynamic_fleet: Fleet, source: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """ansible-inventory --list --export on a source, as an AWX inventory update runs it."""
    return subprocess.run([ansible_bin("ansible-inventory"), "-i", str(source), "--list", "--export", *args],
                          env=dict(dynamic_fleet.env, **(env or {})), cwd=str(dynamic_fleet.tmp), capture_output=True,
                          text=True, timeout=120, check=False)


def listing_requests(requests):
    """The listing calls the inventory plugins make (the role's own listing asks for pages of 100)."""
    return [(entry["vendor"], parse_qs(entry["query"]).get("page", parse_qs(entry["query"]).get("page_no", [None]))[0])
            for entry in requests
            if entry["path"].endswith("/customers") or "page_size=50" in entry["query"]]


def normalised(value):
    """A report entry without what differs from run to run (host names, fresh task and job ids)."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items() if key not in RUN_SPECIFIC}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def outcome(run, sim):
    """What a run did for the chores: the report's entries, the vendors' state and the writes sent."""
    assert run.rc == 0, run.stdout[-4000:]
    wfbss = sim.state("wfbss")["customers"]
    koophone = sim.state("koophone")["instances"]
    return {
        "wfbss": normalised(run.chore("wfbss")),
        "koophone": normalised(run.chore("koophone")),
        "reports": {cid: sorted(r["setting"]["name"] for r in c["reports"]) for cid, c in wfbss.items()},
        "resets": {cid: [r["type"] for r in c["resets"]] for cid, c in wfbss.items()},
        "phone_resets": {iid: i["resets"] for iid, i in koophone.items()},
        "writes": sorted((e["vendor"], e["method"], e["path"], sorted(parse_qs(e["query"]).get("cids", [""])[0].split(",")))
                         for e in run.writes),
    }


# ------------------------------------------------------------------ the inventory, as AWX reads it
def test_ansible_inventory_lists_the_fleet(fresh, dynamic):
    fresh.clear_log()
    proc = ansible_inventory(dynamic, dynamic.inventory)
    assert proc.returncode == 0, proc.stderr
    listed = unwrap(json.loads(proc.stdout))
    hostvars = listed["_meta"]["hostvars"]
    for account in ACCOUNTS:
        group = listed["wfbss_" + account.replace("-", "_")]["hosts"]
        assert sorted(hostvars[host]["wfbss_customer_id"] for host in group) == sorted(customer_ids(account))
        assert {hostvars[host]["wfbss_account"] for host in group} == {account}
    assert len(listed["wfbss_customers"]["hosts"]) == sum(spec["customers"] for spec in ACCOUNTS.values())
    phones = listed["koophone_instances"]["hosts"]
    assert [hostvars[host]["koophone_instance_id"] for host in phones] == PHONES
    frozen = [f"sim-phone-{i:04d}" for i in KOOPHONE_FROZEN]
    assert [host for host in phones if hostvars[host]["koophone_frozen"]] == frozen
    assert listed["koophone_frozen_instances"]["hosts"] == frozen
    # one page per account and one page of phones
    assert sorted(listing_requests(fresh.requests)) == [("koophone", "1"), ("wfbss", "1"), ("wfbss", "1")]


def test_several_pages_of_customers(reseeded, dynamic):
    """250 customers: 3 pages of 100, the last one short, and every customer once."""
    token, secret = ACCOUNTS["acct-a"]["access_token"], ACCOUNTS["acct-a"]["secret_key"]
    reseeded.load_seed({"wfbss": {"accounts": [{"access_token": token, "secret_key": secret, "customers": 250}]}})
    reseeded.clear_log()
    proc = ansible_inventory(dynamic, dynamic.inventory / "acct-a.wfbss.yml")
    assert proc.returncode == 0, proc.stderr
    listed = unwrap(json.loads(proc.stdout))
    assert len(listed["wfbss_customers"]["hosts"]) == 250
    assert len({listed["_meta"]["hostvars"][host]["wfbss_customer_id"] for host in listed["wfbss_acct_a"]["hosts"]}) == 250
    assert listing_requests(reseeded.requests) == [("wfbss", "1"), ("wfbss", "2"), ("wfbss", "3")]


def test_the_cache_saves_the_second_listing(fresh, fleet, tmp_path):
    cache = tmp_path / "cache"
    cached = dynamic_fleet(fresh, tmp_path, fleet.inventory, cache=True, cache_plugin="ansible.builtin.jsonfile",
                           cache_connection=str(cache))
    fresh.clear_log()
    first = ansible_inventory(cached, cached.inventory)
    assert first.returncode == 0, first.stderr
    assert len(listing_requests(fresh.requests)) == len(ACCOUNTS) + 1
    fresh.clear_log()
    second = ansible_inventory(cached, cached.inventory)
    assert second.returncode == 0, second.stderr
    assert fresh.requests == [], "the second listing must come from the cache"
    assert json.loads(second.stdout) == json.loads(first.stdout)
    # the fleet playbook on the cached inventory lists nothing either (the role reads the phones' status itself)
    run = cached.run("--check", extra=CHORES)
    assert run.rc == 0, run.stdout[-4000:]
    assert listing_requests(run.requests) == []
    assert run.chore("wfbss")["summary"]["customers"] == sum(spec["customers"] for spec in ACCOUNTS.values())
    content = "".join(path.read_text(encoding="utf-8") for path in cache.iterdir())
    assert PHONES[0] in content and customer_ids("acct-b")[0] in content
    assert [secret for secret in SECRETS if secret in content] == []


# ------------------------------------------------------------------ the fleet playbook: the same result
def test_the_fleet_run_is_the_same_on_the_dynamic_inventory(fresh, fleet, dynamic):
    static = outcome(fleet.run(extra=CHORES), fresh)
    fresh.reset()
    fresh.configure(koophone_job_seconds=0.2, altcraft_task_seconds=0.2)
    dynamic_run = dynamic.run(extra=CHORES)
    assert outcome(dynamic_run, fresh) == static
    assert static["wfbss"]["summary"]["customers"] == 12 and static["koophone"]["summary"]["reset"] == 19
    # the run report names the customers by the dynamic host names
    assert {c["host"] for c in dynamic_run.chore("wfbss")["customers"]} == {
        f"sim-customer-{number:03d}" for number in range(1, 13)}


def test_limit_and_check_mode_are_the_same_on_the_dynamic_inventory(fresh, fleet, dynamic):
    static = fleet.run("--check", "--limit", "acct_a,phone01,phone04", extra=CHORES)
    dynamic_run = dynamic.run("--check", "--limit", "wfbss_acct_a,sim-phone-0000,sim-phone-0003", extra=CHORES)
    assert static.writes == [] and dynamic_run.writes == []
    assert outcome(dynamic_run, fresh) == outcome(static, fresh)
    assert [c["id"] for c in dynamic_run.chore("wfbss")["customers"]] == customer_ids("acct-a")
    assert {i["instance_id"]: i["outcome"] for i in dynamic_run.chore("koophone")["instances"]} == {
        PHONES[0]: "would reset", PHONES[3]: "skipped"}


# ------------------------------------------------------------------ secrets and failures
def test_no_secret_in_the_output_of_a_verbose_listing_or_a_refused_one(fresh, dynamic):
    runs = [ansible_inventory(dynamic, dynamic.inventory, "-vvvv")]
    wrong_accounts = {name: dict(spec, secret_key="e2e-wrong-wfbss-secret-key") for name, spec in ACCOUNTS.items()}
    runs.append(ansible_inventory(dynamic, dynamic.inventory / "acct-a.wfbss.yml", "-vvvv", env={
        "FLEETOPS_WFBSS_ACCOUNTS": json.dumps({name: {"access_token": spec["access_token"], "secret_key": spec["secret_key"]}
                                               for name, spec in wrong_accounts.items()})}))
    runs.append(ansible_inventory(dynamic, dynamic.inventory / "phones.koophone.yml", "-vvvv",
                                  env={"KOOPHONE_AUTH_TOKEN": "e2e-wrong-koophone-token"}))
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[1].returncode != 0 and "the WFBS-SVC customers could not be listed: GET /customers: HTTP 401" in runs[1].stderr
    assert runs[2].returncode != 0 and "the KooPhone instances could not be listed" in runs[2].stderr
    assert "HTTP 401" in runs[2].stderr
    secrets = SECRETS + ["e2e-wrong-wfbss-secret-key", "e2e-wrong-koophone-token"]
    for number, proc in enumerate(runs):
        output = proc.stdout + proc.stderr
        leaks = [(secret, form) for secret in secrets for form, text in encodings(secret).items() if text in output]
        assert leaks == [], (number, leaks)


def test_an_unreachable_vendor_fails_the_run_instead_of_an_empty_fleet(fresh, fleet, tmp_path):
    unreachable = dynamic_fleet(fresh, tmp_path, fleet.inventory)
    unreachable.env["WFBSS_API_URL"] = "http://127.0.0.1:9"
    run = unreachable.run("--check", extra=CHORES)
    assert run.rc != 0 and run.report is None
    assert "the WFBS-SVC customers could not be listed: GET /customers: connection failed" in run.stdout
    assert "Traceback" not in run.stdout
    assert run.writes == []
