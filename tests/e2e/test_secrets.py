"""Secrets: every module and the fleet playbook at -vvvv with CANARY credentials, and no canary anywhere.

The simulator is seeded with canary values for every secret (WFBS-SVC access tokens and secret keys,
the KooPhone token, IAM password and AK/SK pair, the IoT key id and access key and the Strata Cloud Manager
client secret, the Altcraft token); the access tokens the simulator issues during a run (KooPhone IAM and Strata
Cloud Manager tokens) are secrets too and are looked for the same way. The runs go
through a recording TCP proxy, so the bytes that left the controller can be checked too. Then every
output is scanned for each canary and its obvious encodings (base64, URL-encoding, JSON escaping):

- stdout and stderr of ``ansible-playbook -vvvv``,
- the returned (registered) results, written to a JSON file by the playbook,
- the fleet run report (fleet-report.json / .md) and every other file the runs wrote,
- the ansible-runner artifacts (job events, stdout) of a verbosity-4 run,
- the URLs of every request (no credential in a path or query string; the simulator's log too),
- the wire: the WFBS-SVC and KooPhone secret keys never leave the process (only their signatures do).

Fixtures and helpers come from the e2e conftest (inventory, collections path, environment).
"""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from conftest import (ACCOUNTS, FAST_KNOBS, IOT_SCM_TENANT, IOT_TENANT, ROOT, ansible_bin, base_env, collections_path,
                      customer_ids, scm_urls, seed, write_fleet)
from ansible_collections.fleetops.maintenance.simulator import Simulator
from ansible_collections.fleetops.maintenance.simulator.seed import koophone_instance_ids

# Canaries: unmistakable, and holding characters that URL-encoding and base64 change.
CANARY = {
    "wfbss_secret_a": "CANARY-wfbss+secret/A=1f9e",
    "wfbss_secret_b": "CANARY-wfbss+secret/B=2e8d",
    "wfbss_token_a": "ca0a7c0d-0000-4000-8000-00000000c0d1",
    "wfbss_token_b": "ca0a7c0d-0000-4000-8000-00000000c0d2",
    "koophone_token": "CANARY-koophone-token+7c/3=",
    "koophone_password": "CANARY-iam-p@ss word/9&x=1",
    "koophone_access_key": "CANARYKOOPHONEAK7C3E",
    "koophone_secret_key": "CANARY-koophone+sk/8d=2f",
    "iot_key_id": "CANARY-iot-key-id-4b2a",
    "iot_access_key": "CANARY-iot+access/key=5d1c",
    "iot_client_secret": "CANARY-iot+client/secret=7a3e",
    "altcraft_token": "CANARY-altcraft+token/6e0b=",
}
IAM_USER = {"domain_name": "canary-domain", "username": "canary-user", "password": CANARY["koophone_password"],
            "project_name": "cn-south-1"}
WRONG = {"wfbss_secret": "CANARY-wrong-wfbss+secret/=", "koophone_token": "CANARY-wrong-koophone+token/=",
         "koophone_secret_key": "CANARY-wrong-koophone+sk/=",
         "iot_access_key": "CANARY-wrong-iot+key/=", "iot_client_secret": "CANARY-wrong-iot+client/=",
         "altcraft_token": "CANARY-wrong-altcraft+token/="}
ALL_SECRETS = list(CANARY.values()) + list(WRONG.values())
KOOPHONE_PROJECT_ID = "0b5e4c8d2f6a4e1b9c3d7a5f1e2b4c6d"
# Secrets that sign requests and must never be sent (the access key IDs are sent, in the signature's header).
SIGNING_SECRETS = [CANARY["wfbss_secret_a"], CANARY["wfbss_secret_b"], WRONG["wfbss_secret"],
                   CANARY["koophone_secret_key"], WRONG["koophone_secret_key"]]


def encodings(secret: str) -> dict[str, str]:
    """The secret and the forms it would take if it were encoded on its way into an output."""
    raw = secret.encode("utf-8")
    forms = {
        "raw": secret,
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "urlencoded": quote(secret, safe=""),
        "urlencoded-plus": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "hex": raw.hex(),
    }
    # base64 of a value embedded in a longer text shifts with its offset: check the three alignments' core
    for shift in (1, 2):
        forms[f"base64+{shift}"] = base64.b64encode(b"\0" * shift + raw).decode()[4:-4]
    return forms


def apps(sim) -> dict:
    return {app.name: app for app in sim.apps}


def issued_tokens(sim) -> list[str]:
    """The access tokens the simulator issued since its last reset (IAM and Strata Cloud Manager), and the 16-character
    pieces of each JWT's signature: any 31 characters of a signature hold one, so a token cut short is found too."""
    tokens = list(apps(sim)["koophone"].tokens) + list(apps(sim)["iot"].tokens)
    signatures = [token.rsplit(".", 1)[1] for token in tokens if token.count(".") == 2]
    return tokens + [signature[start:start + 16] for signature in signatures for start in range(0, len(signature) - 15, 16)]


def find_leaks(texts: dict[str, str], secrets=None) -> list[str]:
    leaks = []
    secrets = ALL_SECRETS if secrets is None else secrets
    for secret in secrets:
        for form, needle in encodings(secret).items():
            if len(needle) < 8:
                continue
            leaks += [f"{secret[:12]}... as {form} in {name}" for name, text in texts.items() if needle in text]
    return leaks


def canary_seed() -> dict:
    data = seed()
    accounts = data["wfbss"]["accounts"]
    accounts[0].update(access_token=CANARY["wfbss_token_a"], secret_key=CANARY["wfbss_secret_a"])
    accounts[1].update(access_token=CANARY["wfbss_token_b"], secret_key=CANARY["wfbss_secret_b"])
    data["koophone"].update(tokens=[CANARY["koophone_token"]], users=[IAM_USER], access_keys=[{
        "access_key": CANARY["koophone_access_key"], "secret_key": CANARY["koophone_secret_key"],
        "project_id": KOOPHONE_PROJECT_ID}])
    data["iot"]["tenants"][0].update(key_id=CANARY["iot_key_id"], access_key=CANARY["iot_access_key"])
    data["iot"]["tenants"][1].update(client_secret=CANARY["iot_client_secret"])
    data["altcraft"].update(tokens=[CANARY["altcraft_token"]])
    return data


class RecordingProxy:
    """A TCP proxy on loopback that forwards to the simulator and keeps every byte the clients sent."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent = bytearray()
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while self.running:
            try:
                client = self.server.accept()[0]
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, record: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if record:
                    with self.lock:
                        self.sent.extend(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def request_lines(self) -> list[str]:
        with self.lock:
            text = bytes(self.sent).decode("latin-1")
        return [line for line in text.split("\r\n") if line.split(" ", 1)[0] in ("GET", "POST", "PUT", "DELETE", "PATCH")]

    def close(self) -> None:
        self.running = False
        self.server.close()


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    sim = Simulator(seed=canary_seed()).start()
    sim.configure(**FAST_KNOBS)
    proxy = RecordingProxy(sim.port)
    tmp = tmp_path_factory.mktemp("secrets")
    yield sim, proxy, tmp
    proxy.close()
    sim.stop()


def run_env(sim, proxy, tmp: Path) -> dict[str, str]:
    home = tmp / "ansible_home"
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    env = base_env(sim, collections_path(tmp), home)
    for name in ("WFBSS_API_URL", "KOOPHONE_API_URL", "PANW_IOT_API_URL", "ALTCRAFT_API_URL"):
        env[name] = proxy.url
    env.pop("KOOPHONE_AUTH_TOKEN", None)
    env.update({
        "FLEETOPS_WFBSS_ACCOUNTS": json.dumps({
            "acct-a": {"access_token": CANARY["wfbss_token_a"], "secret_key": CANARY["wfbss_secret_a"]},
            "acct-b": {"access_token": CANARY["wfbss_token_b"], "secret_key": CANARY["wfbss_secret_b"]}}),
        "FLEETOPS_IOT_TENANTS": json.dumps({
            "tenant1": {"key_id": CANARY["iot_key_id"], "access_key": CANARY["iot_access_key"]},
            "tenant2": dict(scm_urls(proxy.url), client_id=IOT_SCM_TENANT["client_id"],
                            client_secret=CANARY["iot_client_secret"])}),
        "KOOPHONE_IAM_URL": proxy.url, "KOOPHONE_USERNAME": IAM_USER["username"],
        "KOOPHONE_PASSWORD": IAM_USER["password"], "KOOPHONE_DOMAIN_NAME": IAM_USER["domain_name"],
        "ALTCRAFT_API_TOKEN": CANARY["altcraft_token"],
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
    })
    return env


def module_playbook(tmp: Path, proxy_url: str, results_file: Path) -> Path:
    """Every module once with good canary credentials, and the credential-failure paths with wrong ones."""
    acct_a = customer_ids("acct-a")
    phones = koophone_instance_ids(20)
    creds = {
        "url": proxy_url,
        "wfbss_token": CANARY["wfbss_token_a"], "wfbss_secret": CANARY["wfbss_secret_a"],
        "koophone_token": CANARY["koophone_token"], "iot_key_id": CANARY["iot_key_id"],
        "koophone_ak": CANARY["koophone_access_key"], "koophone_sk": CANARY["koophone_secret_key"],
        "koophone_project": KOOPHONE_PROJECT_ID,
        "iot_access_key": CANARY["iot_access_key"], "altcraft_token": CANARY["altcraft_token"],
        "iot_client_secret": CANARY["iot_client_secret"], "wrong": WRONG,
    }
    (tmp / "creds.json").write_text(json.dumps(creds), encoding="utf-8")
    wfbss = ('api_url: "{{ url }}"\n        access_token: "{{ wfbss_token }}"\n'
             '        secret_key: "{{ secret | default(wfbss_secret) }}"')
    tasks = f"""
- name: Every module with canary credentials
  hosts: localhost
  gather_facts: false
  vars_files: [creds.json]
  tasks:
    - name: wfbss_reset
      fleetops.maintenance.wfbss_reset:
        {wfbss}
        customer_ids: {json.dumps(acct_a[:3])}
        type: counter
      register: r_wfbss_reset
    - name: wfbss_report
      fleetops.maintenance.wfbss_report:
        {wfbss}
        customer_ids: {json.dumps(acct_a[:3])}
        name: Canary report
        schedule: weekly
        weekday: monday
        time: "06:30"
        contents: [virus_summary]
      register: r_wfbss_report
    - name: wfbss_report_info
      fleetops.maintenance.wfbss_report_info:
        {wfbss}
        customer_ids: {json.dumps(acct_a[:3])}
      register: r_wfbss_report_info
    - name: wfbss_report_info with a wrong secret key (auth failure path)
      fleetops.maintenance.wfbss_report_info:
        {wfbss}
        customer_ids: {json.dumps(acct_a[:1])}
      vars:
        secret: "{{{{ wrong.wfbss_secret }}}}"
      register: r_wfbss_wrong
      ignore_errors: true
    - name: koophone_instance_reset with the static token, waiting
      fleetops.maintenance.koophone_instance_reset:
        api_url: "{{{{ url }}}}"
        auth_token: "{{{{ koophone_token }}}}"
        instance_ids: {json.dumps(phones[:2])}
        wait: true
        poll_interval: 0.2
      environment:
        KOOPHONE_USERNAME: ""
        KOOPHONE_PASSWORD: ""
        KOOPHONE_DOMAIN_NAME: ""
      register: r_koophone_reset
    - name: koophone_instance_info with the IAM password login (from the environment)
      fleetops.maintenance.koophone_instance_info:
        instance_ids: {json.dumps(phones[:4])}
      register: r_koophone_info
    - name: koophone_instance_info with a wrong token (auth failure path)
      fleetops.maintenance.koophone_instance_info:
        api_url: "{{{{ url }}}}"
        auth_token: "{{{{ wrong.koophone_token }}}}"
        instance_ids: {json.dumps(phones[:1])}
      environment:
        KOOPHONE_USERNAME: ""
        KOOPHONE_PASSWORD: ""
        KOOPHONE_DOMAIN_NAME: ""
      register: r_koophone_wrong
      ignore_errors: true
    - name: koophone_instance_info with a wrong IAM password (auth failure path)
      fleetops.maintenance.koophone_instance_info:
        password: "{{{{ wrong.koophone_token }}}}"
        instance_ids: {json.dumps(phones[:1])}
      register: r_koophone_wrong_iam
      ignore_errors: true
    - name: koophone_instance_reset with AK/SK signing, waiting
      fleetops.maintenance.koophone_instance_reset:
        api_url: "{{{{ url }}}}"
        access_key: "{{{{ koophone_ak }}}}"
        secret_key: "{{{{ koophone_sk }}}}"
        project_id: "{{{{ koophone_project }}}}"
        instance_ids: {json.dumps(phones[4:6])}
        wait: true
        poll_interval: 0.2
      environment: &no_iam_login
        KOOPHONE_USERNAME: ""
        KOOPHONE_PASSWORD: ""
        KOOPHONE_DOMAIN_NAME: ""
      register: r_koophone_aksk_reset
    - name: koophone_instance_info with AK/SK signing, listing too
      fleetops.maintenance.koophone_instance_info:
        api_url: "{{{{ url }}}}"
        access_key: "{{{{ koophone_ak }}}}"
        secret_key: "{{{{ koophone_sk }}}}"
        project_id: "{{{{ koophone_project }}}}"
        instance_ids: {json.dumps(phones[:4])}
        list_instances: true
      environment: *no_iam_login
      register: r_koophone_aksk_info
    - name: koophone_instance_info with a wrong secret key (auth failure path)
      fleetops.maintenance.koophone_instance_info:
        api_url: "{{{{ url }}}}"
        access_key: "{{{{ koophone_ak }}}}"
        secret_key: "{{{{ wrong.koophone_secret_key }}}}"
        project_id: "{{{{ koophone_project }}}}"
        instance_ids: {json.dumps(phones[:1])}
      environment: *no_iam_login
      register: r_koophone_wrong_sk
      ignore_errors: true
    - name: iot_device_bulk
      fleetops.maintenance.iot_device_bulk:
        api_url: "{{{{ url }}}}"
        customer_id: {IOT_TENANT["customer_id"]}
        key_id: "{{{{ iot_key_id }}}}"
        access_key: "{{{{ iot_access_key }}}}"
        devices:
          - ip_address: 10.20.0.1
            imei: "356938035643809"
      register: r_iot
    - name: iot_device_bulk with a wrong access key (auth failure path)
      fleetops.maintenance.iot_device_bulk:
        api_url: "{{{{ url }}}}"
        customer_id: {IOT_TENANT["customer_id"]}
        key_id: "{{{{ iot_key_id }}}}"
        access_key: "{{{{ wrong.iot_access_key }}}}"
        devices:
          - ip_address: 10.20.0.1
      register: r_iot_wrong
      ignore_errors: true
    - name: iot_device_bulk on Strata Cloud Manager
      fleetops.maintenance.iot_device_bulk:
        api_url: "{{{{ url }}}}"
        auth_url: "{{{{ url }}}}/oauth2/access_token"
        client_id: {IOT_SCM_TENANT["client_id"]}
        client_secret: "{{{{ iot_client_secret }}}}"
        tsg_id: "{IOT_SCM_TENANT["tsg_id"]}"
        devices:
          - ip_address: 10.20.0.1
            iccid: "891004234814455936F"
      register: r_iot_scm
    - name: iot_device_bulk on Strata Cloud Manager with a wrong client secret (auth failure path)
      fleetops.maintenance.iot_device_bulk:
        api_url: "{{{{ url }}}}"
        auth_url: "{{{{ url }}}}/oauth2/access_token"
        client_id: {IOT_SCM_TENANT["client_id"]}
        client_secret: "{{{{ wrong.iot_client_secret }}}}"
        tsg_id: "{IOT_SCM_TENANT["tsg_id"]}"
        devices:
          - ip_address: 10.20.0.1
      register: r_iot_scm_wrong
      ignore_errors: true
    - name: resource_counters
      fleetops.maintenance.resource_counters:
        api_url: "{{{{ url }}}}"
        api_token: "{{{{ altcraft_token }}}}"
        resource_id: 1
        list_id: 1
        poll_interval: 0.1
      register: r_counters
    - name: resource_counters_info
      fleetops.maintenance.resource_counters_info:
        api_url: "{{{{ url }}}}"
        api_token: "{{{{ altcraft_token }}}}"
        resource_id: 1
        list_id: 2
      register: r_counters_info
    - name: resource_counters_info with a wrong token (auth failure path)
      fleetops.maintenance.resource_counters_info:
        api_url: "{{{{ url }}}}"
        api_token: "{{{{ wrong.altcraft_token }}}}"
        resource_id: 1
        list_id: 1
      register: r_counters_wrong
      ignore_errors: true
    - name: Keep the returned results
      ansible.builtin.copy:
        dest: {json.dumps(str(results_file))}
        content: >-
          {{{{ dict(wfbss_reset=r_wfbss_reset, wfbss_report=r_wfbss_report, wfbss_report_info=r_wfbss_report_info,
                   wfbss_wrong=r_wfbss_wrong, koophone_reset=r_koophone_reset, koophone_info=r_koophone_info,
                   koophone_wrong=r_koophone_wrong, koophone_wrong_iam=r_koophone_wrong_iam,
                   koophone_aksk_reset=r_koophone_aksk_reset, koophone_aksk_info=r_koophone_aksk_info,
                   koophone_wrong_sk=r_koophone_wrong_sk, iot=r_iot,
                   iot_wrong=r_iot_wrong, iot_scm=r_iot_scm, iot_scm_wrong=r_iot_scm_wrong,
                   counters=r_counters, counters_info=r_counters_info,
                   counters_wrong=r_counters_wrong) | to_nice_json }}}}
        mode: "0600"
"""
    path = tmp / "every_module.yml"
    path.write_text(tasks.replace("{{{{", "{{").replace("}}}}", "}}").replace("{wfbss}", wfbss), encoding="utf-8")
    return path


def files_text(root: Path, skip=()) -> dict[str, str]:
    """Every file under root (the run's outputs), except the inputs we wrote with the canaries on purpose."""
    texts = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name not in skip and "collections" not in path.parts:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def url_checks(sim, proxy) -> list[str]:
    problems = []
    for line in proxy.request_lines():
        target = line.split(" ")[1] if " " in line else line
        problems += [f"credential in a URL: {line[:80]}" for secret in ALL_SECRETS + issued_tokens(sim)
                     for needle in encodings(secret).values() if len(needle) >= 8 and needle in target]
    problems += [f"secret-named query parameter: {entry['query']}" for entry in sim.requests if "***" in entry["query"]]
    return problems


def wire_leaks(proxy) -> list[str]:
    with proxy.lock:
        wire = bytes(proxy.sent).decode("latin-1")
    return find_leaks({"the wire": wire}, SIGNING_SECRETS)


def test_every_module_at_vvvv_leaks_nothing(canary):
    sim, proxy, tmp = canary
    sim.reset()
    sim.configure(**FAST_KNOBS)
    sim.clear_log()
    work = tmp / "modules"
    work.mkdir()
    results_file = work / "results.json"
    playbook = module_playbook(work, proxy.url, results_file)
    env = run_env(sim, proxy, work)
    proc = subprocess.run([ansible_bin("ansible-playbook"), "-vvvv", "-i", "localhost,", "-c", "local", str(playbook),
                           "-e", "ansible_python_interpreter={{ ansible_playbook_python }}"],
                          env=env, cwd=str(work), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    results = json.loads(results_file.read_text(encoding="utf-8"))
    # the runs really happened, and the failure paths really failed on credentials
    assert results["wfbss_reset"]["changed"] and results["iot"]["updated_device_count"] == 1
    assert results["koophone_reset"]["results"][0]["status"] == "succeeded"
    assert results["koophone_info"]["status_results"]
    assert [item["status"] for item in results["koophone_aksk_reset"]["results"]] == ["succeeded", "succeeded"]
    assert results["koophone_aksk_info"]["status_results"] and results["koophone_aksk_info"]["instances"]
    assert results["counters"]["status"] == "completed"
    for name in ("wfbss_wrong", "koophone_wrong", "koophone_wrong_iam", "koophone_wrong_sk", "iot_wrong", "counters_wrong"):
        assert results[name]["failed"] and ("Check" in results[name]["msg"]), results[name]
    assert results["iot_scm"]["api_generation"] == "scm" and results["iot_scm"]["updated_device_count"] == 1
    assert results["iot_scm_wrong"]["failed"] and "check client_id / client_secret / tsg_id" in results["iot_scm_wrong"]["msg"]
    tokens = issued_tokens(sim)
    (scm_token,) = apps(sim)["iot"].tokens
    with proxy.lock:
        assert b"Bearer " + scm_token.encode() in bytes(proxy.sent), "the token looked for is the one the module sent"
    # the -vvvv output really carries the module arguments, with the no_log values masked
    assert "module_args" in proc.stdout and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in proc.stdout

    texts = {"stdout": proc.stdout, "stderr": proc.stderr, "results": json.dumps(results)}
    texts.update(files_text(work, skip=("creds.json",)))
    texts.update(files_text(Path(env["ANSIBLE_HOME"])))
    leaks = find_leaks(texts, ALL_SECRETS + tokens)
    assert leaks == [], leaks
    assert url_checks(sim, proxy) == []
    assert wire_leaks(proxy) == []
    signed = [line for line in proxy.request_lines() if "/SMPI/" in line]
    assert signed, "the WFBS calls went through the proxy"
    with proxy.lock:
        assert b"x-signature:" in bytes(proxy.sent).lower()
        # the AK/SK calls went through the proxy signed, the access key ID in their Authorization header
        assert ("Access=%s," % CANARY["koophone_access_key"]).encode() in bytes(proxy.sent)


def test_fleet_playbook_at_vvvv_leaks_nothing(canary):
    sim, proxy, tmp = canary
    sim.reset()
    sim.configure(**FAST_KNOBS)
    work = tmp / "fleet"
    work.mkdir()
    inventory = write_fleet(work / "inv")
    env = run_env(sim, proxy, work)
    report_dir = work / "report"
    proc = subprocess.run(
        [ansible_bin("ansible-playbook"), "-vvvv", "-i", str(inventory), str(ROOT / "playbooks" / "fleet_maintenance.yml"),
         "-e", json.dumps({"fleet_maintenance_report_dir": str(report_dir)})],
        env=env, cwd=str(work), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    report = json.loads((report_dir / "fleet-report.json").read_text(encoding="utf-8"))
    assert report["status"] == "ok"
    assert [chore["chore"] for chore in report["chores"]] == ["wfbss", "koophone", "iot", "altcraft"]
    assert any(entry["kind"] == "auth" for entry in sim.requests), "KooPhone logged in with the canary IAM password"
    assert apps(sim)["iot"].tokens, "the Strata Cloud Manager tenant got a token with the canary client secret"
    texts = {"stdout": proc.stdout, "stderr": proc.stderr}
    texts.update(files_text(work))
    texts.update(files_text(Path(env["ANSIBLE_HOME"])))
    leaks = find_leaks(texts, ALL_SECRETS + issued_tokens(sim))
    assert leaks == [], leaks
    assert url_checks(sim, proxy) == []
    assert wire_leaks(proxy) == []


def test_fleet_playbook_with_ansible_runner_artifacts_leak_nothing(canary):
    ansible_runner = pytest.importorskip("ansible_runner")
    sim, proxy, tmp = canary
    sim.reset()
    sim.configure(**FAST_KNOBS)
    work = tmp / "runner"
    private = work / "private"
    (private / "project").mkdir(parents=True)
    inventory = write_fleet(work / "inv")
    env = run_env(sim, proxy, work)
    envvars = {key: value for key, value in env.items()
               if key.startswith(("ANSIBLE_", "WFBSS_", "KOOPHONE_", "PANW_IOT_", "ALTCRAFT_", "FLEETOPS_"))}
    envvars["FLEET_REPORT_DIR"] = str(work / "report")
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(ansible_bin("ansible-playbook")).parent) + os.pathsep + old_path
    try:
        result = ansible_runner.run(private_data_dir=str(private), playbook=str(ROOT / "playbooks" / "fleet_maintenance.yml"),
                                    inventory=str(inventory), envvars=envvars, verbosity=4, quiet=True)
    finally:
        os.environ["PATH"] = old_path
    stdout = result.stdout.read()
    assert result.status == "successful" and result.rc == 0, stdout[-4000:]
    events = list(result.events)
    assert events
    texts = {"runner stdout": stdout, "runner events": json.dumps(events)}
    # Every artifact but one: ansible-runner writes artifacts/<ident>/command, its own record of the command
    # line and the *input* environment it was given (so every credential an AWX-style injector put there),
    # before the playbook starts and whatever the collection does. It is checked to be owner-only (0600).
    artifacts = files_text(private / "artifacts")
    commands = [name for name in artifacts if Path(name).name == "command"]
    assert len(commands) == 1 and (os.stat(commands[0]).st_mode & 0o077) == 0
    del artifacts[commands[0]]
    assert any(Path(name).parent.name == "job_events" for name in artifacts)
    texts.update(artifacts)
    texts.update(files_text(work / "report"))
    assert apps(sim)["iot"].tokens, "the Strata Cloud Manager tenant got a token"
    leaks = find_leaks(texts, ALL_SECRETS + issued_tokens(sim))
    assert leaks == [], sorted(set(leak.rsplit(" in ", 1)[1] for leak in leaks))
    assert url_checks(sim, proxy) == []
    assert wire_leaks(proxy) == []


def test_canary_scan_finds_a_planted_leak():
    """The scanner itself: a canary hidden as base64 or URL-encoded in some text is found."""
    secret = CANARY["wfbss_secret_a"]
    planted = {"a": "x" + base64.b64encode(secret.encode()).decode(), "b": "q=" + quote(secret, safe=""),
               "c": "Authorization: Basic " + base64.b64encode(b"user:" + secret.encode()).decode()}
    leaks = find_leaks(planted, [secret])
    assert {leak.rsplit(" in ", 1)[1] for leak in leaks} == {"a", "b", "c"}
    assert ACCOUNTS  # the e2e fleet layout this test reuses
