"""Palo Alto Networks' own IoT Security and Strata Cloud Manager specs and pages, read at test time.

The files are a pinned copy of the ``PaloAltoNetworks/pan.dev`` repository under ``specs/pan.dev/``, at the same
paths as in the repository, each gzip-compressed as it is (``<path>.gz``: ansible-test's sanity checks refuse the
Unicode quotes the vendor's text holds in any text file; the commit and the licence are in
``specs/pan.dev/README.md``). Paths below are the repository's. ``$ref`` pointers are
followed across files as the OpenAPI document writes them. Nothing here states a fact itself: every value comes
from those files.
"""
from __future__ import annotations

import functools
import gzip
import posixpath
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parent / "specs" / "pan.dev"
IOT = "openapi-specs/iot/iot.yaml"
JSON_TYPES = {"string": str, "integer": int, "object": dict, "array": list, "boolean": bool}


@functools.lru_cache(maxsize=None)
def document(relative: str):
    """One YAML file of the pinned copy, parsed; None when YAML cannot parse it whole (examples.yaml holds an
    example that is not valid YAML: its entries are then read one at a time, see entry())."""
    try:
        return yaml.safe_load(text(relative))
    except yaml.YAMLError:
        return None


@functools.lru_cache(maxsize=None)
def entry(relative: str, section: str, name: str):
    """``section.name`` of a file YAML cannot parse whole: that entry's lines alone, parsed."""
    lines = text(relative).splitlines()
    start = lines.index("%s:" % section) + 1
    start = next(number for number in range(start, len(lines)) if lines[number] == "  %s:" % name)
    end = next((number for number in range(start + 1, len(lines))
                if lines[number].strip() and len(lines[number]) - len(lines[number].lstrip()) <= 2), len(lines))
    return yaml.safe_load("\n".join(lines[start:end]))[name]


def text(relative: str) -> str:
    """The file at the repository path ``relative``, from its pinned compressed copy."""
    return gzip.decompress((ROOT / (relative + ".gz")).read_bytes()).decode("utf-8")


def legacy_base_path() -> str:
    """The legacy API's base path (iot-public-api-headers.md: https://{TENANT_NAME}.iot.paloaltonetworks.com/pub/v4.0/{API_ROUTE})."""
    return re.search(r"iot\.paloaltonetworks\.com(/[^/]+/[^/]+)/\{API_ROUTE\}",
                     text("products/iot/api/iot-public-api-headers.md")).group(1)


def resolve(node, base: str):
    """The node with its ``$ref`` (``file#/a/b`` relative to ``base``, or ``#/a/b`` within it) followed, and the
    file it now lives in."""
    while isinstance(node, dict) and "$ref" in node:
        target, dummy, pointer = node["$ref"].partition("#")
        if target:
            base = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
        parts = [part for part in pointer.split("/") if part]
        node = document(base)
        if node is None:
            node, parts = entry(base, parts[0], parts[1]), parts[2:]
        for part in parts:
            node = node[part]
    return node, base


def deep(node, base: str):
    """The node with every ``$ref`` inside it followed."""
    node, base = resolve(node, base)
    if isinstance(node, dict):
        return {key: deep(value, base) for key, value in node.items()}
    if isinstance(node, list):
        return [deep(value, base) for value in node]
    return node


def operation(path: str, method: str) -> dict:
    """The operation of iot.yaml at ``path`` (as iot.yaml writes it) and ``method``, every reference followed."""
    return deep(document(IOT)["paths"][path][method.lower()], IOT)


def server() -> str:
    return document(IOT)["servers"][0]["url"]


def schema(name: str) -> dict:
    return deep({"$ref": "components/schemas.yaml#/schemas/%s" % name}, IOT)


def example(name: str):
    return deep({"$ref": "components/examples.yaml#/examples/%s" % name}, IOT)["value"]


def properties(object_schema: dict) -> dict:
    """{property: OpenAPI type} of an object schema."""
    return {name: spec.get("type", "object") for name, spec in object_schema.get("properties", {}).items()}


def type_problems(data: dict, props: dict, where: str, also: dict | None = None) -> list:
    """Keys the spec does not name for ``where``, and values of another type than the spec's."""
    allowed = dict(props, **(also or {}))
    problems = ["%s: %r is not in the spec" % (where, key) for key in data if key not in allowed]
    for key, value in data.items():
        wanted = allowed.get(key)
        if wanted is None:
            continue
        if (isinstance(value, bool) and wanted != "boolean") or not isinstance(value, JSON_TYPES[wanted]):
            problems.append("%s: %r is %s, the spec says %s" % (where, key, type(value).__name__, wanted))
    return problems


def curl_example(relative: str) -> dict:
    """The token request of a docs page's curl example: its form, client auth, content type, method and URL."""
    page = text(relative)
    # the first curl command: its lines continue while they end in a backslash
    command = re.search(r"curl (-d (?:[^\n]*\\\n)*[^\n]*)", page).group(1).replace("\\\n", " ")
    return dict(form=re.search(r'-d "([^"]+)"', command).group(1),
                basic_auth=re.search(r"-u (\S+)", command).group(1),
                content_type=re.search(r'-H "Content-Type: ([^"]+)"', command).group(1),
                method=re.search(r"-X (\w+)", command).group(1),
                url=re.search(r"-X \w+ (\S+)", command).group(1))


# ------------------------------------------------------------------ what the IoT tests read, from those files
CELLULAR_PATH = "/iot/pub/v1/device/bulkUpdate?updateSource=cellular"
AUTH_SERVICE = "openapi-specs/scm/auth/AuthService.yaml"
JSON_CONTENT = "application/json"


def cellular():
    """The cellular bulk update operation (iot.yaml -> api/public/bulkUpdateCellular.yaml)."""
    return operation(CELLULAR_PATH, "put")


def cellular_item_properties() -> dict:
    body = cellular()["requestBody"]["content"][JSON_CONTENT]["schema"]
    return properties(body["properties"]["devicelist"]["items"])


def cellular_example() -> dict:
    """The vendor's example payload of the cellular operation."""
    (example,) = cellular()["requestBody"]["content"][JSON_CONTENT]["examples"].values()
    return example["value"]


def example_only_properties() -> dict:
    """Properties the vendor's example sends that the schema does not list (all strings)."""
    items = cellular_item_properties()
    return {key: "string" for key in cellular_example()["devicelist"][0] if key not in items}


def token_operation_path() -> str:
    (path,) = [path for path in document(AUTH_SERVICE)["paths"] if path.endswith("/oauth2/access_token")]
    return path


def token_operation() -> dict:
    return deep(document(AUTH_SERVICE)["paths"][token_operation_path()]["post"], AUTH_SERVICE)
