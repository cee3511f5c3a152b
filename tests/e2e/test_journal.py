"""End-to-end: a KooPhone reset killed mid-run and run again resets no instance twice.

The playbook runs in its own process group and is killed with SIGKILL, with every descendant: ansible-core's
worker calls os.setsid(), so killing the playbook's process group alone would leave the worker and the module
alive. The simulator holds one batch's answer back, so the kill lands while that batch is in flight; it applies
the batch afterwards, as a real API whose client went away would.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import KOOPHONE_FROZEN, KOOPHONE_INSTANCES, ansible_bin, base_env, collections_path
from ansible_collections.fleetops.maintenance.simulator import Simulator
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids

TOKEN = "e2e-journal-koophone-token"
INSTANCES = 5 * 32  # five full batches
RESET_PATH = "/v1/instances/batch-reset"
HOLD_SECONDS = 4.0
# Long enough for a second ansible-playbook to start and reach the journal on busy cores, under the 30 s timeout.
IN_USE_HOLD_SECONDS = 20.0

PLAYBOOK = """
- name: Reset the phones under a journal
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Reset every phone
      fleetops.maintenance.koophone_instance_reset:
        instance_ids: "{{ ids }}"
        journal: "{{ journal }}"
        concurrency: "{{ concurrency }}"
      register: reset
      ignore_errors: true

    - name: Keep the result for the test
      ansible.builtin.copy:
        content: "{{ reset | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""


# --------------------------------------------------------------------------- processes

def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def tree(root: int) -> set[int]:
    """The root and every descendant, whatever session or process group they moved to."""
    table = process_table()
    found, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _state) in table.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                todo.append(pid)
    return found


def kill_tree(proc: subprocess.Popen) -> set[int]:
    """Freeze the whole tree (so nothing new is forked), SIGKILL every process of it; the pids killed."""
    frozen: set[int] = set()
    while True:
        members = tree(proc.pid)
        for pid in members - frozen:
            os.kill(pid, signal.SIGSTOP)
        if members <= frozen:
            break
        frozen |= members
    for pid in frozen:
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return frozen


def alive(pids: set[int]) -> set[int]:
    """Those of the pids that still run (a zombie has died: it only waits to be reaped)."""
    deadline = time.monotonic() + 10
    while True:
        table = process_table()
        running = {pid for pid in pids if pid in table and table[pid][1] != "Z"}
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.1)


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- fixtures

@pytest.fixture()
def phones(tmp_path):
    """A simulator of its own with 160 phones, and a way to run the reset playbook against it."""
    sim = Simulator(seed={"koophone": {"tokens": [TOKEN], "instances": INSTANCES, "frozen": []}}).start()
    home = tmp_path / "ansible_home"
    (home / "tmp").mkdir(parents=True)
    env = dict(base_env(sim, collections_path(tmp_path), home), KOOPHONE_AUTH_TOKEN=TOKEN)
    (tmp_path / "reset.yml").write_text(PLAYBOOK, encoding="utf-8")
    yield Phones(sim, tmp_path, env)
    sim.stop()


class Phones:
    def __init__(self, sim: Simulator, tmp: Path, env: dict[str, str]) -> None:
        self.sim, self.tmp, self.env = sim, tmp, env
        self.ids = koophone_instance_ids(INSTANCES)
        self.journal = tmp / "journals" / "campaign.journal"
        self.journal.parent.mkdir()
        self.runs = 0

    def command(self, concurrency: int = 1, journal: Path | None = None) -> tuple[list[str], Path]:
        self.runs += 1
        result_file = self.tmp / f"result-{self.runs}.json"
        extra = dict(ids=self.ids, journal=str(journal or self.journal), concurrency=concurrency, result_file=str(result_file))
        return [ansible_bin("ansible-playbook"), "-i", "localhost,", "-c", "local", str(self.tmp / "reset.yml"),
                "-e", json.dumps(extra), "-e", "ansible_python_interpreter={{ ansible_playbook_python }}"], result_file

    def start(self, concurrency: int = 1) -> tuple[subprocess.Popen, Path]:
        cmd, result_file = self.command(concurrency)
        proc = subprocess.Popen(cmd, env=self.env, cwd=str(self.tmp), start_new_session=True,  # pylint: disable=consider-using-with
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return proc, result_file

    def run(self, concurrency: int = 1, journal: Path | None = None) -> dict:
        cmd, result_file = self.command(concurrency, journal)
        proc = subprocess.run(cmd, env=self.env, cwd=str(self.tmp), capture_output=True, text=True, timeout=240, check=False)
        assert proc.returncode == 0 and result_file.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        return json.loads(result_file.read_text(encoding="utf-8"))

    def resets(self) -> dict[str, int]:
        return {iid: item["resets"] for iid, item in self.sim.state("koophone")["instances"].items()}

    def answered_resets(self) -> list[dict]:
        return [entry for entry in self.sim.requests if entry["path"] == RESET_PATH]

    def outcomes_in_journal(self) -> int:
        if not self.journal.exists():
            return 0
        return sum(1 for line in self.journal.read_text(encoding="utf-8").splitlines() if '"event":"outcome"' in line)

    def hold_third_batch(self, seconds: float = HOLD_SECONDS) -> None:
        self.sim.inject(vendor="koophone", path_contains="batch-reset", skip=2, count=1, action="delay", delay=seconds)

    def held(self) -> bool:
        return any(rule["fired"] for rule in self.sim.faults)


def batches(ids: list[str]) -> list[list[str]]:
    return [ids[start:start + 32] for start in range(0, len(ids), 32)]


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_reset_killed_mid_run_and_run_again_resets_nobody_twice(phones, concurrency):
    phones.hold_third_batch()
    proc = phones.start(concurrency)[0]
    # one batch waits in the simulator; the others that could be sent are answered and journaled
    answered = 2 if concurrency == 1 else 4
    wait_for(phones.held, "the simulator to hold a batch")
    wait_for(lambda: len(phones.answered_resets()) == answered and phones.outcomes_in_journal() == answered,
             f"{answered} answered and journaled batches")

    killed = kill_tree(proc)
    assert len(killed) >= 3, "ansible-playbook, its worker and the module"
    assert alive(killed) == set(), "a process of the killed run survived"
    wait_for(lambda: len(phones.answered_resets()) == answered + 1, "the simulator to apply the held batch", HOLD_SECONDS + 30)

    rerun = phones.run(concurrency)
    held_back = rerun["journal"]["held_back"]
    assert held_back in batches(phones.ids), "exactly one whole batch is held back"
    assert rerun["failed"] is True and rerun["outcome_unknown_items"] == held_back
    assert "held back" in rerun["msg"] and "allow_double_reset" in rerun["msg"]
    assert len(rerun["journal"]["skipped"]) == 32 * answered
    assert sorted(rerun["journal"]["skipped"] + rerun["reset_instance_ids"] + held_back) == sorted(phones.ids)
    if concurrency == 1:
        first, second, third, fourth, fifth = batches(phones.ids)
        assert held_back == third and rerun["reset_instance_ids"] == fourth + fifth
    assert phones.resets() == {iid: 1 for iid in phones.ids}, "every instance reset exactly once"


def test_a_second_run_on_a_journal_in_use_is_refused_and_sends_nothing(phones):
    phones.hold_third_batch(IN_USE_HOLD_SECONDS)
    proc, result_file = phones.start()
    wait_for(phones.held, "the first run to be in flight")
    second = phones.run()
    assert second["failed"] is True and "is in use by another run" in second["msg"]
    proc.communicate(timeout=120)
    first = json.loads(result_file.read_text(encoding="utf-8"))
    assert first.get("failed") is not True and first["reset_instance_ids"] == phones.ids
    assert phones.resets() == {iid: 1 for iid in phones.ids}


def read_only_mounts_work() -> bool:
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False) if os.path.exists("/usr/bin/unshare") else None
    return probe is not None and probe.returncode == 0


def test_a_journal_on_a_read_only_file_system_sends_nothing(phones):
    """The journal's directory is mounted read-only for the run (root ignores file modes, not a read-only mount)."""
    if os.geteuid() != 0:
        phones.journal.parent.chmod(0o555)
        cmd, result_file = phones.command()
    elif read_only_mounts_work():
        inner, result_file = phones.command()
        directory = str(phones.journal.parent)
        cmd = ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', directory] + inner
    else:
        pytest.skip("running as root without unshare: no way to make a path read-only")
    proc = subprocess.run(cmd, env=phones.env, cwd=str(phones.tmp), capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert result["failed"] is True and result["msg"].startswith("journal: ") and "cannot be written" in result["msg"]
    assert "Read-only file system" in result["msg"] or "Permission denied" in result["msg"]
    assert phones.answered_resets() == [] and not phones.journal.exists()


def test_the_fleet_role_resumes_an_interrupted_campaign(fresh, fleet, tmp_path):
    """koophone_fleet_reset with a campaign journal: killed in wave 2, run again, the report says what it skipped."""
    journal = tmp_path / "december.journal"
    extra = {"fleet_maintenance_chores": ["koophone"], "koophone_fleet_reset_journal": str(journal)}
    fresh.inject(vendor="koophone", path_contains="batch-reset", skip=1, count=1, action="delay", delay=HOLD_SECONDS)
    report_dir = tmp_path / "report-killed"
    cmd = [ansible_bin("ansible-playbook"), "-i", str(fleet.inventory), str(Path(__file__).parents[2] / "playbooks" / "fleet_maintenance.yml"),
           "-e", json.dumps(dict(extra, fleet_maintenance_report_dir=str(report_dir)))]
    proc = subprocess.Popen(cmd, env=fleet.env, cwd=str(fleet.tmp), start_new_session=True,  # pylint: disable=consider-using-with
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: any(rule["fired"] for rule in fresh.faults), "wave 2 to be in flight", 120)
    assert alive(kill_tree(proc)) == set()
    wait_for(lambda: sum(1 for e in fresh.requests if e["path"] == RESET_PATH) == 2, "the held wave to be applied",
             HOLD_SECONDS + 30)

    ids = koophone_instance_ids(KOOPHONE_INSTANCES)
    planned = [iid for index, iid in enumerate(ids) if index not in KOOPHONE_FROZEN]
    wave1, wave2 = planned[:10], planned[10:]
    run = fleet.run(extra=extra)
    koophone = run.chore("koophone")
    outcomes = {item["instance_id"]: item["outcome"] for item in koophone["instances"]}
    assert [iid for iid in planned if outcomes[iid] == "already reset"] == wave1
    assert [iid for iid in planned if outcomes[iid] == "held back"] == wave2
    assert koophone["status"] == "failed" and koophone["journal"]["resumed"] is True
    assert "resumed the campaign journal" in koophone["headline"]
    assert [f["scope"] for f in koophone["failures"]] == ["journal"]
    report_md = (run.report_dir / "fleet-report.md").read_text(encoding="utf-8")
    assert f"Journal `{journal}` (resumed" in report_md and "10 already reset by an earlier run, 9 held back" in report_md
    assert [e for e in run.writes if e["path"] == RESET_PATH] == [], "the rerun reset nothing"
    instances = fresh.state("koophone")["instances"]
    assert all(instances[iid]["resets"] == 1 for iid in planned)
