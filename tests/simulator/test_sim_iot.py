"""IoT Security: legacy key auth and SCM tokens, bulkUpdate validation and matching, device list, rate limits."""
from __future__ import annotations

import base64
import hashlib
import json
import time

import pytest
import requests

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.simulator.sim_helpers import IOT_HEADERS

TENANT = CREDENTIALS.iot["customer_id"]

BULK = "/pub/v4.0/device/bulkUpdate"


def bulk(sim, body, source="cellular", tenant=TENANT, headers=None):
    query = {"customerid": tenant}
    if source is not None:
        query["updateSource"] = source
    return requests.put(sim.url + BULK, params=query, json=body, headers=IOT_HEADERS if headers is None else headers, timeout=5)


@pytest.mark.parametrize("headers, tenant", [
    (dict(IOT_HEADERS, **{"X-Access-Key": "wrong"}), TENANT),
    ({}, TENANT),
    (IOT_HEADERS, "other-tenant"),
])
def test_bad_key_is_403(sim, headers, tenant):
    response = bulk(sim, {"devicelist": []}, tenant=tenant, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == 403 and response.json()["msg"].startswith("Forbidden access.")
    assert CREDENTIALS.iot["access_key"] not in str(sim.requests)


def test_bulk_update_matches_by_ip_and_ipv6(sim):
    devicelist = [
        {"ipAddress": "10.20.0.2", "imei": "356938035643809", "iccid": "8991101200003204510"},
        {"ipv6Address": "fd00:20::4", "imsi": "310150123456789"},
        {"ipAddress": "192.0.2.1", "imei": "1"},
    ]
    response = bulk(sim, {"devicelist": devicelist})
    assert response.status_code == 200
    assert response.json() == {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK", "updatedDeviceNum": 2}
    devices = sim.state("iot")["tenants"][TENANT]["devices"]
    assert devices[1]["attributes"] == {"imei": "356938035643809", "iccid": "8991101200003204510"}
    assert devices[3]["attributes"] == {"imsi": "310150123456789"} and devices[3]["last_update_source"] == "cellular"
    assert sim.requests[-1]["kind"] == "write"


def test_bulk_update_matches_any_notation_of_an_address_and_keeps_the_body(sim):
    devicelist = [{"ipv6Address": "FD00:0020:0000:0000:0000:0000:0000:0004", "imsi": "313460000000001"},
                  {"ipAddress": " 10.20.0.2 ", "apn": "006-007-001-000"}]
    response = bulk(sim, {"devicelist": devicelist})
    assert response.json()["updatedDeviceNum"] == 2
    tenant = sim.state("iot")["tenants"][TENANT]
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
    device = sim.state("iot")["tenants"][TENANT]["devices"][1]
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
    response = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": TENANT, "offset": 250, "pagelength": 100},
                            headers=IOT_HEADERS, timeout=5)
    data = response.json()
    assert data["total"] == 300 and len(data["devices"]) == 50
    assert data["devices"][0]["ip_address"] == "10.20.1.1"
    too_big = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": TENANT, "pagelength": 1001}, headers=IOT_HEADERS, timeout=5)
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
    url, params = sim.url + "/pub/v4.0/device/list", {"customerid": TENANT, "pagelength": 1}
    assert requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).status_code == 200
    assert requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).status_code == 429
    assert bulk(sim, {"devicelist": []}).status_code == 200


def device_ip(sim, ip, headers=None, prefix="/pub/v4.0", tenant=TENANT):
    headers = IOT_HEADERS if headers is None else headers
    params = {"customerid": tenant} if prefix == "/pub/v4.0" else {}
    if ip is not None:
        params["ip"] = ip
    return requests.get(sim.url + prefix + "/device/ip", params=params, headers=headers, timeout=5)


def test_device_ip_answers_the_device_itself(sim):
    response = device_ip(sim, "10.20.0.4")
    assert response.status_code == 200
    assert response.json() == {"deviceid": "02:20:00:00:00:03", "hostname": "sim-device-00003", "category": "Cellular Gateway",
                               "profile": "Sim Cellular Router", "ip_address": "10.20.0.4", "mac_address": "02:20:00:00:00:03",
                               "last_activity": "2026-11-04T08:00:00.000Z"}
    assert device_ip(sim, "FD00:20:0:0:0:0:0:4").json()["deviceid"] == "02:20:00:00:00:03"  # its IPv6 address too
    assert sim.requests[-1]["kind"] == "read"


def test_device_ip_of_an_unknown_address_is_an_empty_object_and_no_ip_is_400(sim):
    assert (device_ip(sim, "192.0.2.1").status_code, device_ip(sim, "192.0.2.1").json()) == (200, {})
    missing = device_ip(sim, None)
    assert missing.status_code == 400 and missing.json()["msg"].startswith("Bad Request.")


def test_device_list_stime_keeps_devices_active_since(sim):
    url, params = sim.url + "/pub/v4.0/device/list", {"customerid": TENANT, "stime": "2026-11-27T00:00:00Z"}
    data = requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).json()
    # device i was last active on day i % 28 + 1: days 27 and 28 are i % 28 in (26, 27)
    assert data["total"] == len([index for index in range(300) if index % 28 >= 26]) == len(data["devices"])
    assert all(device["last_activity"] >= "2026-11-27" for device in data["devices"])
    bad = requests.get(url, params=dict(params, stime="yesterday"), headers=IOT_HEADERS, timeout=5)
    assert bad.status_code == 400


def test_device_list_and_device_ip_share_the_read_bucket(sim):
    sim.configure(iot_list_rate_limit_per_minute=2, iot_rate_limit_per_minute=100)
    url, params = sim.url + "/pub/v4.0/device/list", {"customerid": TENANT, "pagelength": 1}
    assert requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).status_code == 200
    assert device_ip(sim, "10.20.0.1").status_code == 200
    assert device_ip(sim, "10.20.0.1").status_code == 429
    assert requests.get(url, params=params, headers=IOT_HEADERS, timeout=5).status_code == 429
    assert bulk(sim, {"devicelist": []}).status_code == 200


def test_device_ip_on_strata_cloud_manager(sim):
    headers = {"Authorization": f"Bearer {token(sim)}"}
    response = device_ip(sim, "10.20.0.2", headers=headers, prefix="/iot/pub/v1")
    assert response.status_code == 200 and response.json()["deviceid"] == "02:20:00:00:00:01"
    assert device_ip(sim, "10.20.0.2", headers={}, prefix="/iot/pub/v1").status_code == 401


def test_seed_with_device_count(sim):
    sim.load_seed({"iot": {"tenants": [{"customer_id": "t1", "key_id": "k1", "access_key": "a1", "devices": 5000}]}})
    response = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": "t1", "offset": 4999},
                            headers={"X-Key-Id": "k1", "X-Access-Key": "a1"}, timeout=5)
    assert response.json()["total"] == 5000 and response.json()["devices"][0]["ip_address"] == "10.20.19.250"


# ------------------------------------------------------------------------------------------------
# Strata Cloud Manager: token endpoint, Bearer auth, /iot/pub/v1

SCM_TENANT, CLIENT_ID, CLIENT_SECRET = (CREDENTIALS.iot_scm[name] for name in ("tsg_id", "client_id", "client_secret"))
SCM_BULK = "/iot/pub/v1/device/bulkUpdate"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def token_request(sim, body=f"grant_type=client_credentials&scope=tsg_id:{SCM_TENANT}", auth=(CLIENT_ID, CLIENT_SECRET),
                  path="/oauth2/access_token", headers=None):
    return requests.post(sim.url + path, data=body, auth=auth, headers=FORM if headers is None else headers, timeout=10)


def token(sim, **kwargs):
    response = token_request(sim, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def scm_bulk(sim, bearer, body=None):
    return requests.put(sim.url + SCM_BULK, params={"updateSource": "cellular"}, json=body or {"devicelist": []},
                        headers={"Authorization": f"Bearer {bearer}"}, timeout=5)


@pytest.mark.parametrize("path", ["/oauth2/access_token", "/auth/v1/oauth2/access_token", "/am/oauth2/access_token"])
def test_token_endpoint_answers_the_documented_shape(sim, path):
    response = token_request(sim, path=path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == {"access_token", "scope", "token_type", "expires_in"}
    assert (data["token_type"], data["expires_in"], data["scope"]) == ("Bearer", 899, f"profile tsg_id:{SCM_TENANT} email")
    header = json.loads(base64.urlsafe_b64decode(data["access_token"].split(".")[0] + "=="))
    assert header == {"typ": "JWT", "kid": "rsa-sign-pkcs1-2048-sha256/1", "alg": "RS256"}
    (record,) = sim.state("iot")["token_requests"]
    assert record == {"path": path, "method": "POST", "content_type": FORM["Content-Type"], "client_auth": "basic",
                      "client_id": CLIENT_ID, "form": {"grant_type": "client_credentials", "scope": f"tsg_id:{SCM_TENANT}"},
                      "raw_form": f"grant_type=client_credentials&scope=tsg_id:{SCM_TENANT}", "status": 200}
    assert sim.requests[-1]["kind"] == "auth"
    assert CLIENT_SECRET not in json.dumps(sim.state("iot")) and data["access_token"] not in json.dumps(sim.state("iot"))


def test_token_with_the_client_credentials_in_the_form(sim):
    body = f"grant_type=client_credentials&scope=tsg_id%3A{SCM_TENANT}&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
    assert scm_bulk(sim, token(sim, body=body, auth=None)).status_code == 200
    record = sim.state("iot")["token_requests"][-1]
    assert record["client_auth"] == "body" and record["raw_form"] is None and "client_secret" not in record["form"]


@pytest.mark.parametrize("kwargs, status, error", [
    ({"auth": (CLIENT_ID, "wrong")}, 401, "invalid_client"),
    ({"auth": ("nobody", CLIENT_SECRET)}, 401, "invalid_client"),
    ({"auth": None}, 401, "invalid_client"),
    ({"body": f"grant_type=password&scope=tsg_id:{SCM_TENANT}"}, 400, "unsupported_grant_type"),
    ({"body": "grant_type=client_credentials&scope=tsg_id:999"}, 400, "invalid_scope"),
    ({"body": "grant_type=client_credentials"}, 400, "invalid_scope"),
    ({"headers": {"Content-Type": "application/json"}}, 400, "invalid_request"),
    ({"body": f"grant_type=client_credentials&scope=tsg_id:{SCM_TENANT}&client_id={CLIENT_ID}"}, 400, "invalid_request"),
])
def test_token_endpoint_refusals(sim, kwargs, status, error):
    response = token_request(sim, **kwargs)
    assert response.status_code == status and response.json()["error"] == error


def test_bearer_token_opens_the_scm_paths_without_customerid(sim):
    bearer = token(sim)
    response = scm_bulk(sim, bearer, {"devicelist": [{"ipAddress": "10.20.0.2", "imei": "356938035643809"}]})
    assert response.status_code == 200
    assert response.json() == {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK", "updatedDeviceNum": 1}
    tenant = sim.state("iot")["tenants"][SCM_TENANT]
    assert tenant["devices"][1]["attributes"] == {"imei": "356938035643809"} and tenant["devices"][1]["updates"] == 1
    assert tenant["issued_tokens"] == 1 and tenant["client_id"] == CLIENT_ID
    listed = requests.get(sim.url + "/iot/pub/v1/device/list", params={"offset": 0, "pagelength": 10},
                          headers={"Authorization": f"Bearer {bearer}"}, timeout=5).json()
    assert listed["total"] == 300 and len(listed["devices"]) == 10
    assert [entry["kind"] for entry in sim.requests] == ["auth", "write", "read"]


def test_the_scm_tenant_has_no_legacy_key_and_the_legacy_tenant_no_client(sim):
    assert bulk(sim, {"devicelist": []}, tenant=SCM_TENANT).status_code == 403
    assert token_request(sim, auth=(CREDENTIALS.iot["key_id"], CREDENTIALS.iot["access_key"])).status_code == 401


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}])
def test_missing_or_unknown_bearer_is_401_not_authenticated(sim, headers):
    response = requests.put(sim.url + SCM_BULK, params={"updateSource": "cellular"}, json={"devicelist": []}, headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["_errors"] == [{"code": "E016", "message": "Not Authenticated", "details": {}}]


def test_token_lifetime_knobs_expire_a_token_the_client_thinks_valid(sim):
    sim.configure(iot_token_ttl_seconds=0.3, iot_token_expires_in=899)
    response = token_request(sim)
    assert response.json()["expires_in"] == 899
    bearer = response.json()["access_token"]
    assert scm_bulk(sim, bearer).status_code == 200
    time.sleep(0.4)
    expired = scm_bulk(sim, bearer)
    assert expired.status_code == 401 and expired.json()["_errors"][0]["message"] == "Key Expired"
    sim.configure(iot_scm_auth_status=403)
    assert scm_bulk(sim, bearer).json() == {"code": 403, "msg": "Forbidden access. Either the provided API key is invalid or "
                                                                "it does not have the required RBAC permissions to run this API."}


def test_expires_in_follows_the_lifetime_knob(sim):
    sim.configure(iot_token_ttl_seconds=120.7)
    assert token_request(sim).json()["expires_in"] == 120


def test_jwks_verifies_the_token_signature(sim):
    """The RS256 signature checks out with the key the JWKS endpoint publishes (pan-scm-sdk verifies it so)."""
    bearer = token(sim)
    keys = requests.get(sim.url + "/oauth2/connect/jwk_uri", timeout=5).json()["keys"]
    (key,) = keys
    assert (key["kty"], key["alg"], key["use"], key["kid"]) == ("RSA", "RS256", "sig", "rsa-sign-pkcs1-2048-sha256/1")

    def number(text):
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")
    signing_input, signature = bearer.rsplit(".", 1)
    n, e = number(key["n"]), number(key["e"])
    assert n.bit_length() == 2048
    recovered = pow(number(signature), e, n).to_bytes(256, "big")
    assert recovered.endswith(hashlib.sha256(signing_input.encode()).digest()) and recovered.startswith(b"\x00\x01\xff")
    claims = json.loads(base64.urlsafe_b64decode(signing_input.split(".")[1] + "=="))
    assert claims["aud"] == CLIENT_ID and claims["exp"] - claims["iat"] == 899


def test_scm_paths_share_the_tenants_rate_limit(sim):
    sim.configure(iot_rate_limit_per_minute=2, iot_rate_burst=2)
    bearer = token(sim)
    assert [scm_bulk(sim, bearer).status_code for _index in range(3)] == [200, 200, 429]


def test_seed_tenants_need_one_complete_set_of_credentials(sim):
    with pytest.raises(ValueError, match="an iot tenant needs"):
        sim.load_seed({"iot": {"tenants": [{"customer_id": "t", "client_id": "c", "devices": 1}]}})
    sim.load_seed({"iot": {"tenants": [{"tsg_id": 42, "client_id": "c", "client_secret": "s", "devices": 2}]}})
    assert sim.state("iot")["tenants"]["42"]["tsg_id"] == "42"
