"""The built docsite (bash scripts/docs; scripts/test --only docs builds it, then runs these tests).

- Every module, inventory plugin, filter plugin and role that ansible-doc lists has its page, linked from the
  collection's index, showing the options ansible-doc shows.
- In headless Chromium (Debian's /usr/bin/chromium driven by Playwright, no browser download): a module page shows
  its options table, and every internal link of the site leads to a page that loads and to an anchor it holds.
  A screenshot of the module page is saved as docs/build/docsite-module.png (docs/images/ keeps the README's copy).
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "docs" / "build"
SITE = BUILD / "html"
PAGES = SITE / "collections" / "fleetops" / "maintenance"
COLLECTION = "fleetops.maintenance"
PLUGIN_TYPES = ("module", "inventory", "filter", "role")
CHROMIUM = os.environ.get("FLEETOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MODULE_PAGE = "koophone_instance_reset_module.html"


@pytest.fixture(scope="session", autouse=True)
def built_site():
    if not (SITE / "index.html").is_file():
        pytest.fail("the docsite is not built: run bash scripts/docs first")


def collections_path() -> str:
    """Where scripts/docs let ansible-core find the collection (the same rule)."""
    if ROOT.parts[-3:] == ("ansible_collections", "fleetops", "maintenance"):
        return str(ROOT.parents[2])
    return str(BUILD / "collections")


def ansible_doc(*args: str) -> dict:
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_HOME=str(BUILD / "ansible_home"))
    out = subprocess.run(["ansible-doc", "--json", *args], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def listed(plugin_type: str) -> list[str]:
    """The short names ansible-doc --list gives for the collection's plugins of this type."""
    return sorted(name.split(".", 2)[2] for name in ansible_doc("-t", plugin_type, "--list", COLLECTION))


def top_level_options(plugin_type: str, name: str) -> list[str]:
    doc = ansible_doc("-t", plugin_type, "%s.%s" % (COLLECTION, name))["%s.%s" % (COLLECTION, name)]
    if plugin_type == "role":
        return sorted(doc["entry_points"]["main"].get("options") or {})
    return sorted(doc["doc"].get("options") or {})


class Anchors(HTMLParser):
    """The ids and the link targets of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def parse(path: Path) -> Anchors:
    page = Anchors()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize("plugin_type", PLUGIN_TYPES)
def test_every_plugin_and_role_ansible_doc_lists_has_its_page_in_the_index(plugin_type):
    names = listed(plugin_type)
    assert names, "ansible-doc lists no %s of %s" % (plugin_type, COLLECTION)
    suffix = "_%s.html" % plugin_type
    pages = sorted(p.name[:-len(suffix)] for p in PAGES.glob("*" + suffix))
    assert pages == names
    index_links = {urldefrag(link)[0] for link in parse(PAGES / "index.html").links}
    assert {name + suffix for name in names} <= index_links


@pytest.mark.parametrize("plugin_type", PLUGIN_TYPES)
def test_each_page_shows_the_options_ansible_doc_shows(plugin_type):
    for name in listed(plugin_type):
        options = top_level_options(plugin_type, name)
        page = parse(PAGES / ("%s_%s.html" % (name, plugin_type)))
        missing = [option for option in options
                   if not any(anchor.endswith("parameter-" + option) or anchor.endswith("--" + option)
                              for anchor in page.ids)]
        assert not missing, "%s %s: options ansible-doc shows but the page does not: %s" % (plugin_type, name, missing)


# ---------------------------------------------------------------------------------------------------------------
# in a real browser

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output to the failures
        pass


@pytest.fixture(scope="module")
def site_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("no Chromium at %s (apt-get install chromium, or set FLEETOPS_CHROMIUM)" % CHROMIUM)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        try:
            yield context.new_page()
        finally:
            context.close()


def test_a_module_page_shows_its_options_table(browser_page, site_url):
    page = browser_page
    response = page.goto(site_url + "collections/fleetops/maintenance/" + MODULE_PAGE)
    assert response is not None and response.ok
    table = page.locator("table.ansible-option-table").first
    assert table.is_visible()
    assert "Parameter" in table.locator("thead").inner_text()
    options = top_level_options("module", MODULE_PAGE[:-len("_module.html")])
    rows = table.locator("tbody > tr")
    assert rows.count() >= len(options)
    for option in ("instance_ids", "journal", "concurrency"):
        cell = table.locator("[id$='parameter-%s']" % option).first
        assert cell.is_visible(), option
    # the picture for the README: the Parameters heading below the theme's fixed top bar, the start of the options table below it
    page.locator("h2", has_text="Parameters").first.evaluate("heading => { heading.scrollIntoView(); window.scrollBy(0, -70); }")
    page.screenshot(path=str(BUILD / "docsite-module.png"))


def test_every_internal_link_of_the_site_resolves(browser_page, site_url):
    page = browser_page
    origin = urlparse(site_url).netloc
    to_visit, seen, ids, links = [site_url + "index.html"], set(), {}, []
    while to_visit:
        url = to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        ids[url] = response.ok if response else False
        if not ids[url] or not url.endswith(".html"):
            continue
        # what the browser made of the page: its anchors and its links, resolved against the page's URL
        found = page.evaluate("""() => ({
            ids: Array.from(document.querySelectorAll('[id]'), e => e.id),
            links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
        })""")
        ids[url] = set(found["ids"])
        for link in found["links"]:
            target, fragment = urldefrag(urljoin(url, link))
            if urlparse(target).netloc != origin:
                continue
            links.append((url, target, fragment))
            if target not in seen:
                to_visit.append(target)
    pages = [url for url in ids if url.endswith(".html")]
    assert len(pages) >= 30, "only %d pages reached from the index" % len(pages)
    broken = [(source, target) for source, target, _fragment in links if not ids.get(target)]
    assert not broken, "links to pages that do not load: %s" % broken[:20]
    no_anchor = [(source, target, fragment) for source, target, fragment in links
                 if fragment and isinstance(ids[target], set) and fragment not in ids[target]]
    assert not no_anchor, "links to anchors the page does not hold: %s" % no_anchor[:20]
