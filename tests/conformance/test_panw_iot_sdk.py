"""pan-iot-security-python 0.3.0 (PyPI, Palo Alto Networks' Python client of the legacy IoT Security API): the
oracle of the collection's legacy requests (both clients send to one plain HTTP server and must send the same), and
of the simulator.

The SDK builds every URL as ``url + "/pub/v4.0" + route`` with ``customerid`` first in the query, and sends the
key pair as the session headers X-Key-Id and X-Access-Key (``paniot/v4_0api.py``, ``paniot/mixin.py``). Its
``url`` argument replaces ``https://<customerid>.iot.paloaltonetworks.com``, so pointed at the simulator it
sends exactly the requests it would send to the vendor.
"""
from __future__ import annotations

import json
import re

import paniot
import pytest
from werkzeug.wrappers import Response
from paniot import v4_0api

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.plugins.module_utils import iot, iot_devices
from ansible_collections.fleetops.maintenance.tests.conformance import pan_dev

CELLULAR_PAYLOAD_EXAMPLE = pan_dev.cellular_example()
# deviceList.yaml: "The maximum page length you can set is 1000."
(PAGELENGTH,) = [item for item in pan_dev.operation("/iot/pub/v1/device/list", "get")["parameters"]
                 if item["name"] == "pagelength"]
DEVICE_LIST_MAX_PAGE_LENGTH = int(re.search(r"maximum page length you can set is (\d+)", PAGELENGTH["description"]).group(1))
ERROR_EXAMPLES = {example["value"]["code"]: example["value"] for example in
                  pan_dev.cellular()["responses"]["4XX"]["content"][pan_dev.JSON_CONTENT]["examples"].values()}

# The simulator's default legacy tenant, as the SDK's arguments and as a seed entry.
TENANT = {"customerid": CREDENTIALS.iot["customer_id"], "access_key_id": CREDENTIALS.iot["key_id"],
          "access_key": CREDENTIALS.iot["access_key"]}
TENANT_SEED = dict(CREDENTIALS.iot)


def sdk(sim, **overrides):
    return paniot.IotApi(url=sim.url, **dict(TENANT, **overrides))


def iot_requests(sim):
    return [(entry["method"], entry["path"], entry["query"], entry["status"]) for entry in sim.requests if entry["vendor"] == "iot"]


def test_device_list_page(sim):
    with sdk(sim) as api:
        response = api.device(offset=250, pagelength=100)
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 300 and len(data["devices"]) == 50
    assert data["devices"][0]["ip_address"] == "10.20.1.1"
    assert iot_requests(sim) == [("GET", "/pub/v4.0/device/list", f"customerid={TENANT['customerid']}&offset=250&pagelength=100", 200)]


def test_devices_all_pages_through_the_whole_inventory(sim):
    """devices_all asks for pages of 1000 until a page is shorter: the simulator pages as the SDK expects."""
    sim.load_seed({"iot": {"tenants": [dict(TENANT_SEED, devices=2345)]}})
    with sdk(sim) as api:
        pages = list(api.devices_all())
    assert all(ok for ok, dummy in pages)
    devices = [device for dummy, device in pages]
    assert len(devices) == 2345 and len({device["deviceid"] for device in devices}) == 2345
    assert [entry[2] for entry in iot_requests(sim)] == [
        f"customerid={TENANT['customerid']}&offset={offset}&pagelength={DEVICE_LIST_MAX_PAGE_LENGTH}" for offset in (0, 1000, 2000)]


def test_the_sdks_429_handling_waits_out_the_simulators_limit(sim):
    """With retry=True the SDK sleeps window / rate_limit (1 s for device/list) on a 429 and asks again."""
    sim.load_seed({"iot": {"tenants": [dict(TENANT_SEED, devices=1500)]}})
    sim.configure(iot_list_rate_limit_per_minute=60, iot_list_rate_burst=1)
    with sdk(sim) as api:
        devices = [device for ok, device in api.devices_all() if ok]
    assert len(devices) == 1500
    statuses = [entry[3] for entry in iot_requests(sim)]
    assert statuses.count(200) == 2 and 429 in statuses


def test_bad_key_gets_the_documented_403_body(sim):
    with sdk(sim, access_key="not-the-key") as api:
        response = api.device(pagelength=1)
    assert response.status_code == 403
    assert response.json() == ERROR_EXAMPLES[403]


def test_unknown_tenant_gets_the_documented_403_body(sim):
    with sdk(sim, customerid="no-such-tenant") as api:
        response = api.device(pagelength=1)
    assert response.status_code == 403 and response.json() == ERROR_EXAMPLES[403]


def test_bulk_update_through_the_sdks_session(sim):
    """The SDK has no bulkUpdate call (its device_update is PUT device/update, which the simulator does not serve);
    its session, which carries its key headers, sends the documented PUT with the vendor's example payload."""
    with sdk(sim) as api:
        response = api.session.put(api.url + v4_0api.BASE_PATH + "/device/bulkUpdate",
                                   params={"customerid": api.customerid, "updateSource": "cellular"},
                                   json=CELLULAR_PAYLOAD_EXAMPLE)
    assert response.status_code == 200
    assert response.json() == {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK", "updatedDeviceNum": 0}
    assert sim.state("iot")["tenants"][CREDENTIALS.iot["customer_id"]]["last_bulk_update"]["body"] == CELLULAR_PAYLOAD_EXAMPLE


@pytest.mark.parametrize("call", ["device_details", "device_update"])
def test_calls_the_simulator_does_not_serve_are_404(sim, call):
    with sdk(sim) as api:
        response = api.device_details(deviceid="02:20:00:00:00:01") if call == "device_details" else api.device_update(json={})
    assert response.status_code == 404


# --------------------------------------------------------------------------------------------------------
# The collection's legacy requests against the SDK's, received by one plain HTTP server


@pytest.fixture
def wire(httpserver):
    received = []

    def answer(request):
        received.append(dict(method=request.method, path=request.path, query=request.query_string.decode(),
                             headers=dict(request.headers), body=request.get_data()))
        return Response(json.dumps({"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK",
                                    "updatedDeviceNum": 1}), status=200, content_type="application/json")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    return received


def test_the_collection_sends_what_the_sdk_sends(httpserver, wire):
    """Same base path, customerid first in the query, the SDK's key headers and JSON content type, the same body."""
    url = httpserver.url_for("").rstrip("/")
    with sdk(type("Server", (), {"url": url})) as api:
        api.session.put(api.url + v4_0api.BASE_PATH + "/device/bulkUpdate",
                        params={"customerid": api.customerid, "updateSource": "cellular"}, json=CELLULAR_PAYLOAD_EXAMPLE)
    params = dict(validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=0, rate_limit_timeout=5,
                  api_url=url, requests_per_minute=600, **CREDENTIALS.iot)
    (example,) = CELLULAR_PAYLOAD_EXAMPLE["devicelist"]
    names = {api_name: name for name, api_name in iot_devices.DEVICE_FIELDS}
    with iot.IotClient(params) as client:
        client.bulk_update(iot_devices.devices_to_api([{names[key]: value for key, value in example.items()}]),
                           "cellular")
    theirs, ours = wire
    assert (ours["method"], ours["path"], ours["query"]) == (theirs["method"], theirs["path"], theirs["query"])
    for header in ("X-Key-Id", "X-Access-Key", "Content-Type"):
        assert ours["headers"][header] == theirs["headers"][header], header
    assert json.loads(ours["body"]) == json.loads(theirs["body"])
