"""device/list and device/ip: the collection's client and the simulator held against Palo Alto Networks' own OpenAPI
spec files and examples, read at test time from the pinned copy in specs/pan.dev/ (see specs/pan.dev/README.md).

- the query parameters the client sends are the spec's (deviceList.yaml, deviceDetailPerIP.yaml), and the
  paths are the spec's on both API generations (iot.yaml; the legacy base path of the headers page);
- the page size limit and the reads' rate are the spec's numbers, read from its text;
- the simulator's answers have the spec's schemas (IoTDeviceInventoryResponse / DeviceDetails,
  DeviceDetailPerIPResponse): only the schemas' properties, each of the schema's type;
- the client reads the spec's own example answers (DeviceInventoryResponseExample,
  DeviceDetailPerIPResponseExample) and returns the devices as given.
"""
from __future__ import annotations

import functools
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import yaml

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_inventory import device_pages
from ansible_collections.fleetops.maintenance.simulator.iot import IotSettings
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.conformance import pan_dev

SPEC = "openapi-specs/iot/"   # the repository path of the pinned copy (specs/pan.dev/, read through pan_dev)
LEGACY_BASE_PATH = pan_dev.legacy_base_path()
OPENAPI_TYPES = {"string": str, "integer": int, "array": list, "boolean": bool, "object": dict}


class _JsonLikeLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML as the API's JSON would carry it: a date-time stays a string."""


_JsonLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@functools.lru_cache(maxsize=None)
def spec_file(relative):
    """A spec file, parsed once (the callers do not change it)."""
    return yaml.load(pan_dev.text(SPEC + relative), Loader=_JsonLikeLoader)  # noqa: S506 (a SafeLoader subclass)


def example(name):
    """One example of components/examples.yaml. The file as a whole is not valid YAML (another example,
    NetworkDiscoveryL2L3BulkUpdatePayloadExample, has a mapping as a key), so the named example's block is cut out
    (from its key to the next example's) and parsed alone."""
    text = pan_dev.text(SPEC + "components/examples.yaml")
    match = re.search(r"^  %s:\n(.*?)(?=^  \S)" % re.escape(name), text, re.S | re.M)
    assert match, name
    return yaml.load(match.group(1), Loader=_JsonLikeLoader)["value"]  # noqa: S506


def parameters(relative):
    return {parameter["name"]: parameter for parameter in spec_file(relative)["parameters"]}


def schema(name):
    return spec_file("components/schemas.yaml")["schemas"][name]


def operation(path):
    return spec_file("iot.yaml")["paths"][path]["get"]


def rate_per_minute(path):
    found = re.search(r"Rate limiting</b>: (\d+) times per minute", operation(path)["description"])
    return int(found.group(1))


def assert_has_schema(value, schema_name):
    """Only the schema's properties, each of the schema's type (items of DeviceDetails checked recursively)."""
    properties = schema(schema_name)["properties"]
    assert set(value) <= set(properties), set(value) - set(properties)
    for key, item in value.items():
        assert isinstance(item, OPENAPI_TYPES[properties[key]["type"]]), (key, item)


# ------------------------------------------------------------------ the spec's facts the collection depends on

def test_the_spec_paths_of_the_reads_on_strata_cloud_manager_are_the_clients():
    assert operation(iot.API_BASE_PATHS[iot.SCM] + "/device/list")["parameters"]["$ref"] == "api/public/deviceList.yaml#/parameters"
    assert operation(iot.API_BASE_PATHS[iot.SCM] + "/device/ip")["parameters"]["$ref"] == "api/public/deviceDetailPerIP.yaml#/parameters"
    assert iot.API_BASE_PATHS[iot.LEGACY] == LEGACY_BASE_PATH


def test_the_reads_are_paced_at_the_specs_rate():
    rates = {rate_per_minute("/iot/pub/v1/device/list"), rate_per_minute("/iot/pub/v1/device/ip")}
    assert rates == {iot.READS_PER_MINUTE} == {IotSettings().list_rate_limit_per_minute}


def test_the_page_size_limit_is_the_specs():
    described = parameters("api/public/deviceList.yaml")["pagelength"]["description"]
    assert int(re.search(r"maximum page length you can set is (\d+)", described).group(1)) == iot.MAX_PAGE_LENGTH


def test_the_filters_of_iot_device_info_are_device_list_parameters():
    spec = parameters("api/public/deviceList.yaml")
    assert {"offset", "pagelength", "stime", "detail", "trafficRestricted"} <= set(spec)
    assert spec["detail"]["schema"]["enum"] == ["true", "false"]
    assert spec["trafficRestricted"]["schema"]["enum"] == ["yes", "no"]
    assert spec["stime"]["schema"] == {"type": "string", "format": "date-time"}


def test_device_ip_takes_one_required_ip_parameter():
    assert {name: parameter["required"] for name, parameter in parameters("api/public/deviceDetailPerIP.yaml").items()} == {"ip": True}


# ------------------------------------------------------------------ the client's requests, on the simulator

def legacy_client(sim):
    return iot.IotClient(dict(api_url=sim.url, timeout=60, retries=0, retry_backoff=0, rate_limit_timeout=5,
                              validate_certs=True, ca_path=None, requests_per_minute=180, **CREDENTIALS.iot))


def scm_client(sim):
    # the simulator makes its RSA key on its first token: seconds on a busy machine
    return iot.IotClient(dict(api_url=sim.url, auth_url=sim.url + "/oauth2/access_token", timeout=60, retries=0,
                              retry_backoff=0, rate_limit_timeout=5, validate_certs=True, ca_path=None,
                              requests_per_minute=180, **CREDENTIALS.iot_scm))


@pytest.mark.parametrize("make_client, base", [(legacy_client, LEGACY_BASE_PATH), (scm_client, "/iot/pub/v1")])
def test_the_clients_queries_are_the_specs_parameters(sim, make_client, base):
    with make_client(sim) as client:
        client.device_list(0, 10, {"stime": "2026-11-01T00:00:00Z", "detail": "true", "trafficRestricted": "no"})
        client.device_by_ip("10.20.0.1")
    reads = [entry for entry in sim.requests if entry["kind"] == "read"]
    assert [entry["path"] for entry in reads] == [base + "/device/list", base + "/device/ip"]
    legacy_only = {"customerid"} if base == LEGACY_BASE_PATH else set()
    list_query = dict(parse_qsl(reads[0]["query"]))
    assert set(list_query) - legacy_only <= set(parameters("api/public/deviceList.yaml"))
    assert set(dict(parse_qsl(reads[1]["query"]))) - legacy_only == set(parameters("api/public/deviceDetailPerIP.yaml"))


# ------------------------------------------------------------------ the simulator's answers have the spec's shapes

@pytest.mark.parametrize("base", [LEGACY_BASE_PATH, "/iot/pub/v1"])
def test_the_simulators_device_list_has_the_specs_schema(sim, base):
    with (legacy_client(sim) if base == LEGACY_BASE_PATH else scm_client(sim)) as client:
        pages = list(device_pages(client, 120))
    for total, devices in pages:
        assert_has_schema({"total": total, "devices": devices}, "IoTDeviceInventoryResponse")
        for device in devices:
            assert_has_schema(device, "DeviceDetails")
    assert [len(devices) for dummy, devices in pages] == [120, 120, 60]


def test_the_simulators_device_ip_answer_has_the_specs_schema(sim):
    response = requests.get(sim.url + LEGACY_BASE_PATH + "/device/ip", params={"customerid": CREDENTIALS.iot["customer_id"], "ip": "10.20.0.4"},
                            headers={"X-Key-Id": CREDENTIALS.iot["key_id"], "X-Access-Key": CREDENTIALS.iot["access_key"]}, timeout=5)
    assert response.status_code == 200
    assert_has_schema(response.json(), "DeviceDetailPerIPResponse")
    assert response.json()["ip_address"] == "10.20.0.4"


def test_the_specs_examples_have_the_specs_schemas():
    """The oracle itself: the examples are what the schemas describe (both checked the same way as the simulator)."""
    inventory = example("DeviceInventoryResponseExample")
    assert_has_schema(dict(inventory, devices=[]), "IoTDeviceInventoryResponse")
    per_ip = example("DeviceDetailPerIPResponseExample")
    assert_has_schema(per_ip, "DeviceDetailPerIPResponse")


# ------------------------------------------------------------------ the client reads the spec's own example answers

class _Answer:
    def __init__(self, body):
        self.status_code = 200
        self.content = json.dumps(body).encode("utf-8")
        self.headers = {"Content-Type": "application/json"}


class _ExampleSession:
    """A requests session that answers every call with one body, and records the URLs asked."""

    def __init__(self, body):
        self.body = body
        self.urls = []

    def request(self, method, url, **kwargs):  # pylint: disable=unused-argument
        self.urls.append(url)
        return _Answer(self.body)

    def close(self):
        pass


def example_client(body):
    session = _ExampleSession(body)
    params = dict(api_url="https://example.iot.paloaltonetworks.com", timeout=5, retries=0, retry_backoff=0,
                  rate_limit_timeout=5, validate_certs=True, ca_path=None, requests_per_minute=180,
                  customer_id="example", key_id="id", access_key="key")
    return iot.IotClient(params, session=session), session


def test_the_client_reads_the_device_inventory_example():
    answer = example("DeviceInventoryResponseExample")
    client, session = example_client(answer)
    with client:
        pages = list(device_pages(client, 1000))
    assert pages == [(1, answer["devices"])]  # the device as given, every field kept (trafficRestriced too)
    assert pages[0][1][0]["ip_address"] == "192.168.10.121" and pages[0][1][0]["last_activity"] == "2018-05-31T18:39:37.404Z"
    assert urlsplit(session.urls[0]).path == "/pub/v4.0/device/list"


def test_the_client_reads_the_device_per_ip_example():
    answer = example("DeviceDetailPerIPResponseExample")
    client, session = example_client(answer)
    with client:
        assert client.device_by_ip("192.168.10.121") == answer
    assert urlsplit(session.urls[0]).path == "/pub/v4.0/device/ip"
    assert dict(parse_qsl(urlsplit(session.urls[0]).query)) == {"customerid": "example", "ip": "192.168.10.121"}
