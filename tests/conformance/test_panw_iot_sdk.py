"""pan-iot-security-python 0.3.0 (PyPI, Palo Alto Networks' Python client of the legacy IoT Security API) against
the simulator.

The SDK builds every URL as ``url + "/pub/v4.0" + route`` with ``customerid`` first in the query, and sends the
key pair as the session headers X-Key-Id and X-Access-Key (``paniot/v4_0api.py``, ``paniot/mixin.py``). Its
``url`` argument replaces ``https://<customerid>.iot.paloaltonetworks.com``, so pointed at the simulator it
sends exactly the requests it would send to the vendor.
"""
from __future__ import annotations

import paniot
import pytest
from paniot import v4_0api

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.conformance.panw_iot_spec import CELLULAR_PAYLOAD_EXAMPLE, DEVICE_LIST_MAX_PAGE_LENGTH, ERROR_EXAMPLES

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
