"""The guides' examples, run as written against the simulator.

Every ``code-block`` of docs/docsite/rst/guide_*.rst has a caption. A caption starting with "Illustrative" marks a
block that is not run (it needs the network, AWX or real credentials); every other block is either a file (its
caption is the path, relative to the guide's working directory) or a console session whose ``$`` lines run there,
in order, with the simulator's URL and credentials in the environment as the guide tells a user to give them.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import ACCOUNTS, KOOPHONE_FROZEN, ansible_bin, base_env
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids

GUIDES = Path(__file__).resolve().parents[2] / "docs" / "docsite" / "rst"
CODE_BLOCK = re.compile(r"^\.\. code-block:: *(\S+)\n((?:   :\S+:.*\n)*)\n((?:(?:   .*)?\n)+)", re.M)


def code_blocks(guide: str) -> list[tuple[str, str, str]]:
    """(language, caption, text) of each code block of the guide, in order."""
    found = []
    for match in CODE_BLOCK.finditer((GUIDES / guide).read_text(encoding="utf-8")):
        options = dict(re.findall(r"^   :(\S+): *(.*)$", match.group(2), re.M))
        found.append((match.group(1), options.get("caption", ""), textwrap.dedent(match.group(3)).strip("\n") + "\n"))
    return found


class Guide:
    """A guide's files written to a working directory, and its console blocks, run one command at a time."""

    def __init__(self, guide: str, directory: Path, env: dict[str, str]) -> None:
        self.directory, self.env = directory, env
        self.commands: list[str] = []
        for language, caption, text in code_blocks(guide):
            if caption.startswith("Illustrative"):
                continue
            if language == "console":
                self.commands += [line[2:] for line in text.splitlines() if line.startswith("$ ")]
            else:
                path = directory / caption
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")

    def run(self, command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", command], cwd=str(self.directory), env=self.env, capture_output=True,
                              text=True, timeout=300, check=False)

    def report(self) -> dict:
        return json.loads((self.directory / "run-report" / "fleet-report.json").read_text(encoding="utf-8"))


@pytest.fixture()
def guide_env(fresh, fleet, tmp_path):
    """The environment a user sets: ansible on PATH, the collection installed, a vendor endpoint and its credentials."""
    env = base_env(fresh, fleet.coll_path, fleet.home)
    env.pop("FLEETOPS_WFBSS_ACCOUNTS")
    env["WFBSS_ACCESS_TOKEN"] = ACCOUNTS["acct-a"]["access_token"]
    env["WFBSS_SECRET_KEY"] = ACCOUNTS["acct-a"]["secret_key"]
    env["PATH"] = os.path.dirname(ansible_bin("ansible-playbook")) + os.pathsep + env.get("PATH", "")
    return env


@pytest.mark.parametrize("guide", sorted(p.name for p in GUIDES.glob("guide_*.rst")))
def test_every_code_block_of_a_guide_is_run_here_or_marked_illustrative(guide):
    blocks = code_blocks(guide)
    assert blocks, "no code blocks found in %s: has the format changed?" % guide
    for language, caption, text in blocks:
        assert caption, "a %s block of %s has no caption:\n%s" % (language, guide, text)
        runnable = not caption.startswith("Illustrative")
        assert not runnable or language == "console" or "/" in caption or caption.endswith(".yml"), (
            "%s: %r is neither illustrative, a console session nor a file path" % (guide, caption))
    # every guide with runnable blocks has a test below
    if any(not caption.startswith("Illustrative") for _language, caption, _text in blocks):
        assert guide in ("guide_getting_started.rst", "guide_gitops.rst"), "%s has runnable blocks but no test" % guide


def test_getting_started_runs_as_written(fresh, guide_env, tmp_path):
    guide = Guide("guide_getting_started.rst", tmp_path, guide_env)
    check, real = guide.commands
    assert "--check" in check and "--check" not in real
    phones = koophone_instance_ids(3)
    assert not {phones.index(iid) for iid in phones} & set(KOOPHONE_FROZEN)

    proc = guide.run(check)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert [entry for entry in fresh.requests if entry["kind"] == "write"] == []
    report = guide.report()
    koophone = next(c for c in report["chores"] if c["chore"] == "koophone")
    assert report["check_mode"] is True and koophone["summary"]["planned_waves"] == 2
    assert sorted(item["instance_id"] for item in koophone["instances"]) == sorted(phones)

    proc = guide.run(real)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    resets = {iid: item["resets"] for iid, item in fresh.state("koophone")["instances"].items()}
    assert {iid: resets[iid] for iid in phones} == {iid: 1 for iid in phones}
    assert sum(resets.values()) == 3
    assert guide.report()["check_mode"] is False


def test_gitops_runs_as_written(fresh, guide_env, tmp_path):
    guide = Guide("guide_gitops.rst", tmp_path, guide_env)
    merge_request, on_merge = guide.commands
    assert "--check --diff" in merge_request and "--check" not in on_merge

    proc = guide.run(merge_request)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert [entry for entry in fresh.requests if entry["kind"] == "write"] == []
    assert "Weekly security summary" in proc.stdout  # the diff shows the report it would create
    assert guide.report()["check_mode"] is True

    fresh.clear_log()
    proc = guide.run(on_merge)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert any(entry["kind"] == "write" for entry in fresh.requests)

    # "Run it again and it changes nothing"
    fresh.clear_log()
    proc = guide.run(on_merge)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [entry for entry in fresh.requests if entry["kind"] == "write"] == []
    changed = re.findall(r"^\S+\s+: ok=\d+\s+changed=(\d+)", proc.stdout, re.M)
    assert changed and set(changed) == {"0"}, proc.stdout[-2000:]
