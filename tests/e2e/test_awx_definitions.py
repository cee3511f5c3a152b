"""The AWX credential types and the execution environment definition are consistent with the modules."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TYPES = sorted((ROOT / "extensions" / "awx" / "credential_types").glob("*.yml"))
# what the modules and roles read from the environment
KNOWN_ENV = {
    "WFBSS_API_URL", "WFBSS_API_VERSION", "WFBSS_ACCESS_TOKEN", "WFBSS_SECRET_KEY",
    "KOOPHONE_API_URL", "KOOPHONE_AUTH_TOKEN", "KOOPHONE_IAM_URL", "KOOPHONE_USERNAME", "KOOPHONE_PASSWORD",
    "KOOPHONE_DOMAIN_NAME", "KOOPHONE_PROJECT_NAME", "KOOPHONE_ACCESS_KEY", "KOOPHONE_SECRET_KEY", "KOOPHONE_PROJECT_ID",
    "PANW_IOT_API_URL", "PANW_IOT_CUSTOMER_ID", "PANW_IOT_KEY_ID", "PANW_IOT_ACCESS_KEY",
    "PANW_IOT_CLIENT_ID", "PANW_IOT_CLIENT_SECRET", "PANW_IOT_TSG_ID", "PANW_IOT_AUTH_URL",
    "ALTCRAFT_API_URL", "ALTCRAFT_API_TOKEN",
    "FLEETOPS_WFBSS_ACCOUNTS", "FLEETOPS_IOT_TENANTS",
}
SECRET_WORDS = ("token", "secret", "password", "key", "accounts", "tenants")


def test_every_vendor_has_a_credential_type():
    injected = {name for path in TYPES for name in yaml.safe_load(path.read_text())["injectors"]["env"]}
    for prefix in ("WFBSS_", "KOOPHONE_", "PANW_IOT_", "ALTCRAFT_"):
        assert any(name.startswith(prefix) for name in injected), prefix


@pytest.mark.parametrize("path", TYPES, ids=[p.stem for p in TYPES])
def test_credential_type(path):
    definition = yaml.safe_load(path.read_text())
    assert set(definition) == {"name", "description", "kind", "inputs", "injectors"}
    assert definition["kind"] == "cloud"
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    assert set(definition["inputs"]["required"]) <= set(fields)
    assert set(definition["injectors"]) == {"env"}
    for env, template in definition["injectors"]["env"].items():
        assert env in KNOWN_ENV, env
        names = re.findall(r"{{\s*(\w+)\s*}}", template)
        assert names and set(names) <= set(fields), template
        # an injected variable is always set, so its input must be required (an empty value would override defaults)
        assert set(names) <= set(definition["inputs"]["required"]), env
    for field_id, field in fields.items():
        if any(word in field_id for word in SECRET_WORDS) and field_id not in ("key_id",):
            assert field.get("secret") is True, field_id
    # the roles read the module_utils env names: check they really exist in the collection
    sources = "".join(p.read_text() for p in (ROOT / "plugins" / "module_utils").glob("*.py"))
    sources += "".join(p.read_text() for p in (ROOT / "roles").glob("*/defaults/main.yml"))
    for env in definition["injectors"]["env"]:
        assert env in sources, env


# The KooPhone modules refuse credentials of more than one kind (plugins/module_utils/koophone.py): the variables
# that select each kind.
KOOPHONE_KINDS = {
    "auth_token": {"KOOPHONE_AUTH_TOKEN"},
    "IAM password login": {"KOOPHONE_USERNAME", "KOOPHONE_PASSWORD", "KOOPHONE_DOMAIN_NAME"},
    "AK/SK signing": {"KOOPHONE_ACCESS_KEY", "KOOPHONE_SECRET_KEY"},
}


def test_each_koophone_credential_type_gives_one_kind_completely():
    given = {}
    for path in (p for p in TYPES if p.stem.startswith("koophone")):
        injected = set(yaml.safe_load(path.read_text())["injectors"]["env"])
        kinds = [kind for kind, names in KOOPHONE_KINDS.items() if names & injected]
        assert len(kinds) == 1, (path.name, kinds)
        assert KOOPHONE_KINDS[kinds[0]] <= injected, path.name
        given[kinds[0]] = path.name
    assert set(given) == set(KOOPHONE_KINDS)


def test_koophone_aksk_credential_type():
    definition = yaml.safe_load((ROOT / "extensions" / "awx" / "credential_types" / "koophone_aksk.yml").read_text())
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    assert fields["secret_key"]["secret"] is True
    assert definition["injectors"]["env"] == {
        "KOOPHONE_API_URL": "{{ api_url }}", "KOOPHONE_ACCESS_KEY": "{{ access_key }}",
        "KOOPHONE_SECRET_KEY": "{{ secret_key }}", "KOOPHONE_PROJECT_ID": "{{ project_id }}"}


def test_execution_environment_definition(tmp_path):
    definition = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    assert definition["version"] == 3
    assert any("requests" in item for item in definition["dependencies"]["python"])
    builder = Path(sys.executable).parent / "ansible-builder"
    builder = str(builder) if builder.exists() else shutil.which("ansible-builder")
    if not builder:
        pytest.skip("ansible-builder not installed")
    context = tmp_path / "context"
    proc = subprocess.run([builder, "create", "-f", str(ROOT / "execution-environment.yml"), "--context", str(context)],
                          capture_output=True, text=True, check=False, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    collection = context / "_build" / "fleetops_maintenance"
    for part in ("galaxy.yml", "plugins/modules", "roles/fleet_maintenance", "playbooks/fleet_maintenance.yml", "meta/runtime.yml"):
        assert (collection / part).exists(), part
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"][0]["type"] == "dir"
