"""AWX job slicing: what the AWX guide (docs/docsite/rst/guide_awx.rst) says about it, run for real.

AWX gives slice n of N the inventory's enabled hosts ordered by name, every Nth one from the nth
(ansible/awx, awx/main/models/inventory.py, ``Inventory.get_script_data``: ``hosts.order_by('name')``,
then ``hosts[slice_number - 1::slice_count]``), with the groups cut down to those hosts, and runs the
slices as separate jobs at the same time. ``awx_slice`` builds that inventory from the e2e fleet; the
tests run two slices at once against one simulator, as two ansible-playbook processes.
"""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import KOOPHONE_FROZEN, KOOPHONE_INSTANCES, ROOT, ansible_bin
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids

RESET_PATH = "/v1/instances/batch-reset"
WAVE_SIZE = 3
SLICES = 2
PHONE_IDS = koophone_instance_ids(KOOPHONE_INSTANCES)
FROZEN_IDS = {PHONE_IDS[index] for index in KOOPHONE_FROZEN}


def awx_slice(fleet, number: int, count: int, directory: Path) -> tuple[Path, list[str]]:
    """The inventory AWX gives slice `number` of `count` (see the module docstring); returns it and its hosts."""
    listing = json.loads(subprocess.run([ansible_bin("ansible-inventory"), "-i", str(fleet.inventory), "--list"],
                                        env=fleet.env, capture_output=True, text=True, check=True).stdout)
    hostvars = listing.pop("_meta")["hostvars"]
    hosts = sorted(hostvars)[number - 1::count]

    def group(name: str) -> dict[str, Any]:
        spec = listing.get(name, {})
        return {"hosts": {host: None for host in spec.get("hosts", []) if host in hosts},
                "children": {child: group(child) for child in spec.get("children", [])}}

    inventory = group("all")
    inventory["hosts"] = {host: hostvars[host] for host in hosts}
    directory.mkdir(parents=True)
    path = directory / "hosts.yml"
    path.write_text(json.dumps({"all": inventory}, indent=1), encoding="utf-8")
    return path, hosts


def run_slices_at_once(fleet, tmp_path: Path, extra_of_slice) -> list[dict[str, Any]]:
    """Slices 1..SLICES of the fleet, as parallel ansible-playbook runs; each slice's hosts, rc, report, output."""
    slices = []
    for number in range(1, SLICES + 1):
        inventory, hosts = awx_slice(fleet, number, SLICES, tmp_path / f"slice{number}")
        report_dir = tmp_path / f"slice{number}" / "run-report"
        extra = dict(extra_of_slice(number), fleet_maintenance_chores=["koophone"],
                     fleet_maintenance_report_dir=str(report_dir), koophone_fleet_reset_wave_size=WAVE_SIZE,
                     koophone_fleet_reset_pause_seconds=1)
        cmd = [ansible_bin("ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / "fleet_maintenance.yml"),
               "-e", json.dumps(extra)]
        proc = subprocess.Popen(cmd, env=fleet.env, cwd=str(fleet.tmp), text=True,  # pylint: disable=consider-using-with
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        slices.append({"number": number, "hosts": hosts, "proc": proc, "report_dir": report_dir})
    for piece in slices:
        piece["output"] = piece.pop("proc").communicate(timeout=300)[0]
        report = piece["report_dir"] / "fleet-report.json"
        piece["report"] = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
        assert piece["report"], piece["output"][-3000:]
        piece["koophone"] = next(c for c in piece["report"]["chores"] if c["chore"] == "koophone")
        piece["phones"] = slice_phone_ids(piece["hosts"])
    return slices


def slice_phone_ids(hosts: list[str]) -> list[str]:
    """The instance IDs of the phones among a slice's hosts (the e2e inventory names phone N `phoneNN`)."""
    return [PHONE_IDS[int(host[len("phone"):]) - 1] for host in hosts if host.startswith("phone")]


def resets_by_slice(sim, slices) -> dict[int, list[tuple[float, list[str]]]]:
    """The batch-reset calls the simulator answered, per slice: (time, instance IDs)."""
    owner = {iid: piece["number"] for piece in slices for iid in piece["phones"]}
    calls: dict[int, list[tuple[float, list[str]]]] = {piece["number"]: [] for piece in slices}
    for entry in sim.requests:
        if entry["path"] == RESET_PATH and entry["status"] == 200:
            ids = entry["body"]["instance_ids"]
            assert len({owner[iid] for iid in ids}) == 1, "a batch mixed phones of two slices: %s" % ids
            calls[owner[ids[0]]].append((entry["time"], ids))
    return calls


@pytest.fixture()
def logged(fresh):
    fresh.configure(log_bodies=True)
    return fresh


def test_awx_slices_split_the_fleet_every_nth_host_by_name(fleet, tmp_path):
    everyone = json.loads(subprocess.run([ansible_bin("ansible-inventory"), "-i", str(fleet.inventory), "--list"],
                                         env=fleet.env, capture_output=True, text=True, check=True).stdout)["_meta"]["hostvars"]
    first, hosts1 = awx_slice(fleet, 1, 2, tmp_path / "one")
    _second, hosts2 = awx_slice(fleet, 2, 2, tmp_path / "two")
    assert sorted(hosts1 + hosts2) == sorted(everyone) and not set(hosts1) & set(hosts2)
    assert hosts1 == sorted(everyone)[0::2]
    # the slice is an inventory Ansible reads, with the groups the roles select by
    graph = subprocess.run([ansible_bin("ansible-inventory"), "-i", str(first), "--list"], env=fleet.env,
                           capture_output=True, text=True, check=True).stdout
    sliced = json.loads(graph)
    assert sorted(sliced["koophone_instances"]["hosts"]) == [h for h in hosts1 if h.startswith("phone")]
    assert sliced["_meta"]["hostvars"]["phone01"]["koophone_instance_id"] == PHONE_IDS[0]


def test_two_slices_at_once_each_with_its_own_journal_reset_every_phone_once(logged, fleet, tmp_path):
    slices = run_slices_at_once(fleet, tmp_path, lambda n: {"koophone_fleet_reset_journal": str(tmp_path / f"slice{n}.journal")})

    for piece in slices:
        assert piece["report"]["status"] == "ok", piece["output"][-3000:]
    # every phone of the fleet is in exactly one slice, and every phone that is not frozen was reset once
    assert sorted(iid for piece in slices for iid in piece["phones"]) == sorted(PHONE_IDS)
    resets = {iid: item["resets"] for iid, item in logged.state("koophone")["instances"].items()}
    assert resets == {iid: 0 if iid in FROZEN_IDS else 1 for iid in PHONE_IDS}

    calls = resets_by_slice(logged, slices)
    for piece in slices:
        koophone = piece["koophone"]
        resettable = [iid for iid in piece["phones"] if iid not in FROZEN_IDS]
        # each slice plans its own waves over its own phones: ceil(its phones / wave size) waves of at most WAVE_SIZE
        assert len(koophone["waves"]) == math.ceil(len(resettable) / WAVE_SIZE)
        waves = [resettable[start:start + WAVE_SIZE] for start in range(0, len(resettable), WAVE_SIZE)]
        assert [ids for _time, ids in calls[piece["number"]]] == waves
        assert sorted(item["instance_id"] for item in koophone["instances"]) == sorted(piece["phones"])
        assert koophone["journal"]["path"] == str(tmp_path / f"slice{piece['number']}.journal")
    # the slices' waves ran at the same time: each slice's resets began before the other's ended, so up to
    # SLICES x WAVE_SIZE phones were resetting at once
    spans = [(calls[n][0][0], calls[n][-1][0]) for n in calls]
    assert max(start for start, _end in spans) < min(end for _start, end in spans)


def test_a_slice_stops_on_its_own_max_failed_share_and_the_other_goes_on(logged, fleet, tmp_path):
    # Without the frozen check, the frozen phone's batch is refused whole: its wave fails (3 of 3 > 10%).
    slices = run_slices_at_once(fleet, tmp_path, lambda n: {"koophone_fleet_reset_skip_frozen": False})
    stopped = [piece for piece in slices if FROZEN_IDS & set(piece["phones"])]
    carried_on = [piece for piece in slices if not FROZEN_IDS & set(piece["phones"])]
    assert len(stopped) == 1 and len(carried_on) == 1

    resets = {iid: item["resets"] for iid, item in logged.state("koophone")["instances"].items()}
    bad, good = stopped[0], carried_on[0]
    assert bad["koophone"]["status"] == "failed" and bad["koophone"]["summary"]["stopped"] is True
    frozen_wave = next(index for index, start in enumerate(range(0, len(bad["phones"]), WAVE_SIZE))
                       if FROZEN_IDS & set(bad["phones"][start:start + WAVE_SIZE]))
    # the failing slice ran its waves up to the failed one and no further
    assert len(bad["koophone"]["waves"]) == frozen_wave + 1
    assert sum(resets[iid] for iid in bad["phones"]) == frozen_wave * WAVE_SIZE
    # the other slice judged only its own waves: it reset every one of its phones
    assert good["koophone"]["status"] == "ok" and good["koophone"]["summary"]["stopped"] is False
    assert all(resets[iid] == 1 for iid in good["phones"])


def test_two_slices_on_one_journal_the_second_is_refused_and_resets_nothing(logged, fleet, tmp_path):
    journal = tmp_path / "shared.journal"
    extra = {"koophone_fleet_reset_journal": str(journal)}
    inventory1, hosts1 = awx_slice(fleet, 1, 2, tmp_path / "one")
    inventory2, hosts2 = awx_slice(fleet, 2, 2, tmp_path / "two")
    runs = []
    for inventory in (inventory1, inventory2):
        report_dir = inventory.parent / "run-report"
        cmd = [ansible_bin("ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / "fleet_maintenance.yml"),
               "-e", json.dumps(dict(extra, fleet_maintenance_chores=["koophone"], fleet_maintenance_report_dir=str(report_dir),
                                     koophone_fleet_reset_pause_seconds=0))]
        proc = subprocess.run(cmd, env=fleet.env, cwd=str(fleet.tmp), capture_output=True, text=True, timeout=300, check=False)
        report = json.loads((report_dir / "fleet-report.json").read_text(encoding="utf-8"))
        runs.append((proc, next(c for c in report["chores"] if c["chore"] == "koophone")))

    first, second = runs[0][1], runs[1][1]
    assert first["status"] == "ok", runs[0][0].stdout[-3000:]
    assert second["status"] == "failed"
    assert any("journal" in failure["msg"] for failure in second["failures"]), second["failures"]
    resets = {iid: item["resets"] for iid, item in logged.state("koophone")["instances"].items()}
    assert all(resets[iid] == 0 for iid in slice_phone_ids(hosts2))
    assert all(resets[iid] == (0 if iid in FROZEN_IDS else 1) for iid in slice_phone_ids(hosts1))
