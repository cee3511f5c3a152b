"""End-to-end: the HTML run report in a real browser (headless Chromium driven by Playwright), as a person sees it.

Needs Debian's chromium (/usr/bin/chromium, or FLEETOPS_CHROMIUM) and Playwright for Python
(tests/requirements-browser.txt; `bash scripts/test --only browser` installs both); skipped otherwise.
FLEETOPS_SCREENSHOT=PATH saves the screenshot of the demo run's report there (docs/images/run-report.png).
FLEETOPS_FLEET_100X=DIR uses a fleet that `demo/generate.py --scale 100 --out DIR` wrote (else one is generated).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FAST_KNOBS, ROOT, ansible_bin, collections_path

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                               "(pip install -r tests/requirements-browser.txt, or bash scripts/test --only browser)")
CHROMIUM = os.environ.get("FLEETOPS_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set FLEETOPS_CHROMIUM)", allow_module_level=True)

sys.path.insert(0, str(ROOT / "demo"))
from environment import demo_environment  # noqa: E402  (demo/environment.py: the demo's credentials for a URL)
from report_shapes import write_report  # noqa: E402

from ansible_collections.fleetops.maintenance.simulator import Simulator  # noqa: E402

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
USABLE_SECONDS = 5.0
MARKDOWN_MAX_BYTES = 150 * 1024


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900})
        # the report is self-contained: any request that leaves file:// is a failure
        requests = []
        context.on("request", lambda request: requests.append(request.url))
        context.requests = requests
        yield context
        context.close()


def open_report(browser, path: Path):
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=int(USABLE_SECONDS * 1000))
    return page


def shown_totals(page) -> dict[str, dict[str, int]]:
    """Per vendor, the totals per outcome the page shows."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('article.vendor')].map(article =>
        [article.dataset.vendor, Object.fromEntries([...article.querySelectorAll('table.totals td[data-outcome]')]
            .map(td => [td.dataset.outcome, Number(td.textContent)]))]))""")


def search(page, vendor: str, text: str) -> list[list[str]]:
    """Type into a vendor table's search box; the rows left on the page."""
    section = page.locator(f"section.items[data-vendor={vendor}]")
    section.get_by_label("Search").fill(text)
    # the search waits 120 ms for the typing to stop, then every row left holds the text
    page.wait_for_timeout(200)
    page.wait_for_function("""([vendor, text]) => [...document.querySelectorAll(
        `section.items[data-vendor=${vendor}] tbody tr`)].every(row => row.textContent.toLowerCase().includes(text))""",
                           arg=[vendor, text.lower()])
    return section.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")


def run_demo(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    """The fleet playbook over the demo fleet (demo/inventory) against a simulator of its own, with a fault."""
    simulator = Simulator(seed=ROOT / "demo" / "simulator-seed.json").start()
    try:
        simulator.configure(**FAST_KNOBS)
        # the first reset call of WFBS-SVC is refused: the permission error of one partner account
        simulator.inject(vendor="wfbss", method="POST", path_contains="commands/reset", action="status", status=403, count=1)
        home = tmp_path / "ansible_home"
        (home / "tmp").mkdir(parents=True)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "WFBSS_", "KOOPHONE_", "PANW_IOT_", "ALTCRAFT_", "FLEETOPS_", "FLEET_"))}
        env.update(demo_environment(simulator.url), ANSIBLE_COLLECTIONS_PATH=collections_path(tmp_path), ANSIBLE_HOME=str(home),
                   ANSIBLE_LOCAL_TEMP=str(home / "tmp"), ANSIBLE_NOCOLOR="1")
        report_dir = tmp_path / "run-report"
        cmd = [ansible_bin("ansible-playbook"), "-i", str(ROOT / "demo" / "inventory"), str(ROOT / "playbooks" / "fleet_maintenance.yml"),
               "-e", json.dumps({"fleet_maintenance_report_dir": str(report_dir), "koophone_fleet_reset_pause_seconds": 0,
                                 "koophone_fleet_reset_poll_interval": 0.3, "altcraft_counters_poll_interval": 0.3}), *args]
        proc = subprocess.run(cmd, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
        return proc.returncode, proc.stdout + proc.stderr, report_dir
    finally:
        simulator.stop()


def test_the_demo_runs_report_shows_its_totals_its_failure_and_finds_an_item(browser, tmp_path):
    rc, out, report_dir = run_demo(tmp_path)
    assert rc != 0, "the injected failure fails the run"
    report = json.loads((report_dir / "fleet-report.json").read_text(encoding="utf-8"))
    page = open_report(browser, report_dir / "fleet-report.html")

    assert page.locator("#run-status").inner_text().endswith(report["status"].upper()) and report["status"] == "failed"
    assert page.locator("#run-mode").inner_text() == "Live run" and page.locator("#plan-label").count() == 0
    assert shown_totals(page) == {vendor["chore"]: vendor["totals"] for vendor in report["vendors"]}
    assert len(report["vendors"]) == 4

    # the injected 403 is in the failures section, with its cause
    cause = page.locator("#failures article.failure[data-vendor=wfbss]").first
    assert "HTTP 403" in cause.locator(".code").inner_text()
    assert "HTTP 403" in cause.locator(".message").inner_text()
    assert "credentials" in cause.locator(".advice").inner_text()
    failed = [group for group in report["failure_groups"] if group["vendor"] == "wfbss"]
    assert failed and failed[0]["items"], failed
    assert failed[0]["items"][0]["item_id"] in cause.inner_text()

    # typing an item id into the search box leaves only its row
    customer = next(c for c in report["chores"][0]["customers"] if not c["failed"])
    rows = search(page, "wfbss", customer["id"])
    assert [row[0] for row in rows] == [customer["id"]] and rows[0][1] == customer["name"]
    phone = report["chores"][1]["instances"][-1]["instance_id"]
    assert [row[0] for row in search(page, "koophone", phone)] == [phone]

    assert [url for url in browser.requests if not url.startswith("file://")] == [], "the page fetched something"
    search(page, "wfbss", "")
    page.evaluate("window.scrollTo(0, 0)")
    page.set_viewport_size({"width": 1280, "height": 1600})   # the top, the failures and the first vendor's picture
    shot = tmp_path / "run-report.png"
    page.screenshot(path=str(shot), full_page=False)
    if os.environ.get("FLEETOPS_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["FLEETOPS_SCREENSHOT"])
    # printed, the controls are gone and the failures stay
    page.emulate_media(media="print")
    assert page.locator("section.items .controls").first.is_hidden() and cause.is_visible()
    page.close()


def test_a_check_run_is_shown_as_a_plan(browser, fresh, fleet):
    run = fleet.run("--check", extra={"fleet_maintenance_chores": ["wfbss", "koophone"]})
    assert run.rc == 0, run.stdout[-3000:]
    page = open_report(browser, run.report_dir / "fleet-report.html")
    label = page.locator("#plan-label")
    assert label.is_visible() and label.inner_text().startswith("PLAN") and "nothing was changed" in label.inner_text()
    assert page.locator("#run-mode").inner_text() == "Plan (check run): nothing was changed"
    assert shown_totals(page) == {vendor["chore"]: vendor["totals"] for vendor in run.report["vendors"]}
    page.close()


def fleet_100x(tmp_path_factory) -> Path:
    given = os.environ.get("FLEETOPS_FLEET_100X")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("fleet100")
    subprocess.run([sys.executable, str(ROOT / "demo" / "generate.py"), "--scale", "100", "--out", str(out)], check=True,
                   capture_output=True, timeout=900)
    return out


def test_the_report_of_a_100x_fleet_is_usable_within_5_seconds(browser, tmp_path, tmp_path_factory):
    figures = write_report(fleet_100x(tmp_path_factory), tmp_path)
    started = time.perf_counter()
    page = open_report(browser, tmp_path / "fleet-report.html")
    page.wait_for_selector("section.items[data-vendor=koophone] tbody tr")
    opened = time.perf_counter() - started
    rows = page.evaluate("JSON.parse(document.getElementById('fleet-rows').textContent).rows.koophone")
    started = time.perf_counter()
    found = search(page, "koophone", rows[12345][0])
    searched = time.perf_counter() - started
    page.mouse.wheel(0, 20000)
    print("\n100x fleet report: %d rows; HTML %.1f MB, Markdown %.1f KB, JSON %.1f MB, CSV %.1f MB; the four files "
          "written in %.2f s; the page usable in %.2f s, a search over 20,000 rows in %.2f s" % (
              figures["rows"], figures["fleet-report.html"] / 1e6, figures["fleet-report.md"] / 1024,
              figures["fleet-report.json"] / 1e6, figures["fleet-items.csv"] / 1e6, figures["seconds"], opened, searched))
    assert [row[0] for row in found] == [rows[12345][0]]
    assert opened < USABLE_SECONDS, opened
    assert figures["fleet-report.md"] <= MARKDOWN_MAX_BYTES
    assert page.locator("section.items[data-vendor=koophone] .shown").inner_text().startswith("Rows 1")
    page.close()
