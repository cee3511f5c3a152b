"""IoT Security legacy API: key auth, bulkUpdate validation and matching, device list, rate limits."""
from __future__ import annotations

import pytest
import requests

from sim_helpers import IOT_HEADERS

BULK = "/pub/v4.0/device/bulkUpdate"


def bulk(sim, body, source="cellular", tenant="sim-tenant", headers=None):
    query = {"customerid": tenant}
    if source is not None:
        query["updateSource"] = source
    return requests.put(sim.url + BULK, params=query, json=body, headers=IOT_HEADERS if headers is None else headers, timeout=5)


@pytest.mark.parametrize("headers, tenant", [
    ({"X-Key-Id": "sim-key-id", "X-Access-Key": "wrong"}, "sim-tenant"),
    ({}, "sim-tenant"),
    (IOT_HEADERS, "other-tenant"),
])
def test_bad_key_is_403(sim, headers, tenant):
    response = bulk(sim, {"devicelist": []}, tenant=tenant, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == 403 and response.json()["msg"].startswith("Forbidden access.")
    assert "sim-access-key" not in str(sim.requests)


def test_bulk_update_matches_by_ip_and_ipv6(sim):
    devicelist = [
        {"ipAddress": "10.20.0.2", "imei": "356938035643809", "iccid": "8991101200003204510"},
        {"ipv6Address": "fd00:20::4", "imsi": "310150123456789"},
        {"ipAddress": "192.0.2.1", "imei": "1"},
    ]
    response = bulk(sim, {"devicelist": devicelist})
    assert response.status_code == 200
    assert response.json() == {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK", "updatedDeviceNum": 2}
    devices = sim.state("iot")["tenants"]["sim-tenant"]["devices"]
    assert devices[1]["attributes"] == {"imei": "356938035643809", "iccid": "8991101200003204510"}
    assert devices[3]["attributes"] == {"imsi": "310150123456789"} and devices[3]["last_update_source"] == "cellular"
    assert sim.requests[-1]["kind"] == "write"


def test_bulk_update_matches_any_notation_of_an_address_and_keeps_the_body(sim):
    devicelist = [{"ipv6Address": "FD00:0020:0000:0000:0000:0000:0000:0004", "imsi": "313460000000001"},
                  {"ipAddress": " 10.20.0.2 ", "apn": "006-007-001-000"}]
    response = bulk(sim, {"devicelist": devicelist})
    assert response.json()["updatedDeviceNum"] == 2
    tenant = sim.state("iot")["tenants"]["sim-tenant"]
    assert tenant["devices"][3]["attributes"] == {"imsi": "313460000000001"}
    assert tenant["last_bulk_update"] == {"update_source": "cellular", "body": {"devicelist": devicelist}}


def test_custom_attribute_source_counts_attributes(sim):
    """updateSource=customAttribute takes deviceid/tagType/tagValue and answers updatedAttributesNum."""
    devicelist = [{"deviceid": "02:20:00:00:00:01", "tagType": "Department", "tagValue": "IoT Security"},
                  {"deviceid": "02:20:00:00:00:01", "tagType": "Purdue Level", "tagValue": "Level 3"},
                  {"deviceid": "b8:27:eb:50:2b:0f", "tagType": "Department", "tagValue": "x"}]
    response = bulk(sim, {"devicelist": devicelist}, source="customAttribute")
    assert response.json() == {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK",
                               "updatedAttributesNum": 2, "errorCases": {}}
    device = sim.state("iot")["tenants"]["sim-tenant"]["devices"][1]
    assert device["custom_attributes"] == {"Department": "IoT Security", "Purdue Level": "Level 3"}
    assert device["attributes"] == {}


@pytest.mark.parametrize("body, source", [
    ({"devicelist": []}, None),
    ({"devicelist": []}, "bogus"),
    ({}, "cellular"),
    ({"devicelist": {"ipAddress": "10.20.0.1"}}, "cellular"),
])
def test_bulk_update_validation(sim, body, source):
    response = bulk(sim, body, source=source)
    assert response.status_code == 400 and response.json()["code"] == 400


def test_device_list_pages(sim):
    response = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": "sim-tenant", "offset": 250, "pagelength": 100},
                            headers=IOT_HEADERS, timeout=5)
    data = response.json()
    assert data["total"] == 300 and len(data["devices"]) == 50
    assert data["devices"][0]["ip_address"] == "10.20.1.1"
    too_big = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": "sim-tenant", "pagelength": 1001}, headers=IOT_HEADERS, timeout=5)
    assert too_big.status_code == 400


def test_rate_limit_429(sim):
    sim.configure(iot_rate_limit_per_minute=3)
    statuses = [bulk(sim, {"devicelist": []}).status_code for _index in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = bulk(sim, {"devicelist": []})
    assert response.json()["code"] == 429 and response.json()["msg"].startswith("Too many requests.")
    assert "Retry-After" not in response.headers
    sim.configure(iot_retry_after=7, iot_rate_limit_per_minute=2, iot_rate_burst=1)
    assert bulk(sim, {"devicelist": []}).status_code == 200
    limited = bulk(sim, {"devicelist": []})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"


def test_list_has_its_own_bucket(sim):
    sim.configure(iot_list_rate_limit_per_minute=1, iot_rate_limit_per_minute=100)
    url, params = sim.url + "/pub/v4.0/device/list", {"customerid": "sim-tenant", "pagelength": 1}
    assert requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).status_code == 200
    assert requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).status_code == 429
    assert bulk(sim, {"devicelist": []}).status_code == 200


def test_seed_with_device_count(sim):
    sim.load_seed({"iot": {"tenants": [{"customer_id": "t1", "key_id": "k1", "access_key": "a1", "devices": 5000}]}})
    response = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": "t1", "offset": 4999},
                            headers={"X-Key-Id": "k1", "X-Access-Key": "a1"}, timeout=5)
    assert response.json()["total"] == 5000 and response.json()["devices"][0]["ip_address"] == "10.20.19.250"
