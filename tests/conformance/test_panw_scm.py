"""IoT Security on Strata Cloud Manager: pan-scm-sdk 0.15.1 (PyPI, Palo Alto Networks' SCM client) is the oracle
of the token flow, the SCM docs' example request the oracle of the collection's token request (read from the
pinned pan.dev files, pan_dev.py).

pan-scm-sdk takes ``token_url`` and ``api_base_url``, so it can be pointed at the simulator. Its OAuth2 session
(requests-oauthlib) sends the client id and secret in the form body, then fetches the signing keys from the token
URL's directory + ``/connect/jwk_uri`` and verifies every token as an RS256 JWT whose ``aud`` is the client id,
before every call (``scm/auth.py``, ``scm/client.py``). The suite's simulator speaks plain HTTP, so oauthlib's
refusal of non-TLS token URLs is lifted for these tests only.
"""
from __future__ import annotations

import base64
import json
import re
import time

import pytest
import requests
from scm.auth import OAuth2Client
from scm.client import Scm
from scm.exceptions import APIError
from scm.models.auth import AuthRequestModel

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot, iot_devices
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.conformance import pan_dev

# From the pinned pan.dev files (pan_dev.py): AuthService.yaml's token operation, the docs pages' curl example
# (products/scm/docs/access-tokens.md, products/iot/api/iot-public-api-new.md) and the token answer of the latter.
TOKEN = pan_dev.token_operation()
ACCESS_TOKEN_PROPERTIES = pan_dev.properties(TOKEN["responses"]["200"]["content"][pan_dev.JSON_CONTENT]["schema"])
AUTH_SERVICE_TOKEN_PATH = pan_dev.token_operation_path()
TOKEN_FORM_FIELDS = pan_dev.properties(TOKEN["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"])
TOKEN_REFUSALS = {TOKEN["responses"][status]["description"].lower(): int(status) for status in ("400", "401")}
CURL = pan_dev.curl_example("products/scm/docs/access-tokens.md")
assert CURL == dict(pan_dev.curl_example("products/iot/api/iot-public-api-new.md"),
                    form=CURL["form"], basic_auth=CURL["basic_auth"])  # the two pages agree but for placeholder names
TOKEN_URL, TOKEN_METHOD, TOKEN_CONTENT_TYPE = CURL["url"], CURL["method"], CURL["content_type"]
TOKEN_CLIENT_AUTH = "basic"  # curl -u <client_id>:<client_secret>; AuthService.yaml: security Basic
assert "Basic" in TOKEN["security"][0] and CURL["basic_auth"] == "<client_id>:<client_secret>"
TOKEN_FORM_TEMPLATE = CURL["form"].replace("<tsg_id>", "{tsg_id}")
TOKEN_ANSWER = json.loads(re.search(r'\{\n"access_token":"[^"]*?\n\.\.\.\n\.\.\.\n\.\.\.",\n(.*?)\n\}',
                                    pan_dev.text("products/iot/api/iot-public-api-new.md"), re.S).group(0)
                          .replace('\n...\n...\n...', ''))
TOKEN_TYPE, TOKEN_EXPIRES_IN = TOKEN_ANSWER["token_type"], TOKEN_ANSWER["expires_in"]
TOKEN_JWT_HEADER = json.loads(base64.urlsafe_b64decode(TOKEN_ANSWER["access_token"].split(".")[0] + "=="))
CELLULAR_ITEM_PROPERTIES = pan_dev.cellular_item_properties()
CELLULAR_PAYLOAD_EXAMPLE = pan_dev.cellular_example()
EXAMPLE_ONLY_PROPERTIES = pan_dev.example_only_properties()
SCM_BASE_PATH = pan_dev.CELLULAR_PATH.split("/device/", maxsplit=1)[0]  # iot.yaml: /iot/pub/v1/device/bulkUpdate?updateSource=...
type_problems = pan_dev.type_problems

# The simulator's default Strata Cloud Manager tenant.
TSG_ID, CLIENT_ID, CLIENT_SECRET = (CREDENTIALS.iot_scm[name] for name in ("tsg_id", "client_id", "client_secret"))
# pan-scm-sdk's default token URL (scm/models/auth.py, scm/client.py), the docs' and AuthService.yaml's paths.
TOKEN_PATHS = ["/am/oauth2/access_token", "/oauth2/access_token", AUTH_SERVICE_TOKEN_PATH]
BULK_UPDATE = SCM_BASE_PATH + "/device/bulkUpdate"

CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5, retries=3, retry_backoff=1.0, rate_limit_timeout=300)


@pytest.fixture(autouse=True)
def plain_http_token_url(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def scm_sdk(sim, path="/am/oauth2/access_token"):
    return Scm(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, tsg_id=TSG_ID, api_base_url=sim.url,
               token_url=sim.url + path)


def token_records(sim):
    return sim.state("iot")["token_requests"]


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_the_sdks_token_opens_bulk_update_on_the_scm_path(sim, path):
    client = scm_sdk(sim, path)
    answer = client.put(BULK_UPDATE, params={"updateSource": "cellular"}, json=CELLULAR_PAYLOAD_EXAMPLE)
    assert answer == {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK", "updatedDeviceNum": 0}
    (record,) = token_records(sim)
    assert (record["path"], record["client_auth"], record["status"]) == (path, "body", 200)
    assert record["form"]["grant_type"] == "client_credentials" and record["form"]["scope"] == f"tsg_id:{TSG_ID}"
    assert [(entry["kind"], entry["path"], entry["query"], entry["status"]) for entry in sim.requests] == [
        ("auth", path, "", 200),
        ("auth", path.rsplit("/", 1)[0] + "/connect/jwk_uri", "", 200),
        ("write", BULK_UPDATE, "updateSource=cellular", 200),
    ]
    tenant = sim.state("iot")["tenants"][TSG_ID]
    assert tenant["last_bulk_update"] == {"update_source": "cellular", "body": CELLULAR_PAYLOAD_EXAMPLE}


def test_the_sdk_verifies_the_collections_token_as_a_jwt_for_its_client(sim):
    """The token the collection fetched, verified by the SDK's own checks (signing key, audience, expiry), lives as
    long as the collection thinks it does."""
    client = collection_client(sim)
    started = time.time()
    client.bulk_update([], "cellular")
    oauth = OAuth2Client(AuthRequestModel(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, tsg_id=TSG_ID,
                                          token_url=sim.url + "/oauth2/access_token"))
    oauth.session.token = dict(oauth.session.token, access_token=client.login._token)  # pylint: disable=protected-access
    assert oauth.is_expired is False
    payload = oauth.decode_token()
    assert payload["aud"] == CLIENT_ID and payload["exp"] - payload["iat"] == TOKEN_EXPIRES_IN
    # the collection renews before the token's exp (monotonic clock: compare the times left)
    left = client.login._renew_at - client.login.clock()  # pylint: disable=protected-access
    assert 0 < left < payload["exp"] - started


def test_the_collection_renews_a_token_whose_lifetime_has_passed_as_the_sdk_does(sim):
    """Both clients, two calls 3.2 s apart on 3-second tokens: each asks for a new token for the second call."""
    sim.configure(iot_token_ttl_seconds=3)
    sdk = scm_sdk(sim, "/oauth2/access_token")
    sdk.put(BULK_UPDATE, params={"updateSource": "cellular"}, json={"devicelist": []})
    collection = collection_client(sim)
    collection.bulk_update([], "cellular")
    time.sleep(3.2)
    sdk.put(BULK_UPDATE, params={"updateSource": "cellular"}, json={"devicelist": []})
    collection.bulk_update([], "cellular")
    by_client = {}
    for record in token_records(sim):
        by_client.setdefault(record["client_auth"], []).append(record["status"])
    assert by_client == {"body": [200, 200], "basic": [200, 200]}  # the SDK sends its secret in the body, we Basic
    assert [entry["status"] for entry in sim.requests if entry["kind"] == "write"] == [200] * 4


def test_the_sdk_is_refused_with_a_wrong_secret(sim):
    with pytest.raises(APIError):
        Scm(client_id=CLIENT_ID, client_secret="wrong", tsg_id=TSG_ID, api_base_url=sim.url,
            token_url=sim.url + "/am/oauth2/access_token")
    assert [record["status"] for record in token_records(sim)] == [TOKEN_REFUSALS["invalid client"]]


def test_the_simulators_token_answer_is_the_documented_one(sim):
    response = requests.post(sim.url + "/oauth2/access_token", data=TOKEN_FORM_TEMPLATE.format(tsg_id=TSG_ID),
                             auth=(CLIENT_ID, CLIENT_SECRET), headers={"Content-Type": TOKEN_CONTENT_TYPE}, timeout=10)
    answer = response.json()
    assert set(answer) == set(ACCESS_TOKEN_PROPERTIES)
    assert type_problems(answer, ACCESS_TOKEN_PROPERTIES, "answer") == []
    assert (answer["token_type"], answer["expires_in"]) == (TOKEN_TYPE, TOKEN_EXPIRES_IN)
    header = json.loads(base64.urlsafe_b64decode(answer["access_token"].split(".")[0] + "=="))
    assert header == TOKEN_JWT_HEADER


@pytest.mark.parametrize("form, auth, status", [
    ("grant_type=client_credentials", (CLIENT_ID, CLIENT_SECRET), TOKEN_REFUSALS["invalid request"]),
    (TOKEN_FORM_TEMPLATE.format(tsg_id=TSG_ID), (CLIENT_ID, "wrong"), TOKEN_REFUSALS["invalid client"]),
])
def test_the_simulators_token_refusals_have_the_documented_statuses(sim, form, auth, status):
    response = requests.post(sim.url + "/oauth2/access_token", data=form, auth=auth,
                             headers={"Content-Type": TOKEN_CONTENT_TYPE}, timeout=10)
    assert response.status_code == status


def collection_client(sim):
    params = dict(api_url=sim.url, auth_url=sim.url + "/oauth2/access_token", client_id=CLIENT_ID,
                  client_secret=CLIENT_SECRET, tsg_id=TSG_ID, requests_per_minute=180)
    return iot.IotClient(dict(CONNECTION, **params))


def test_the_collections_token_request_is_the_docs_example(sim):
    """Seen from the simulator: POST, Basic auth with the client id and secret, the form content type, and exactly
    the form of the docs' curl example (byte for byte)."""
    assert iot.DEFAULT_AUTH_URL == TOKEN_URL
    collection_client(sim).bulk_update([], "cellular")
    (record,) = token_records(sim)
    assert record["method"] == TOKEN_METHOD and record["path"] == "/oauth2/access_token"
    assert record["content_type"] == TOKEN_CONTENT_TYPE
    assert record["client_auth"] == TOKEN_CLIENT_AUTH and record["client_id"] == CLIENT_ID
    assert set(record["form"]) == set(TOKEN_FORM_FIELDS)
    assert record["raw_form"] == TOKEN_FORM_TEMPLATE.format(tsg_id=TSG_ID)
    assert record["status"] == 200


def test_the_collections_scm_call_is_bearer_on_the_scm_path_without_customerid(sim):
    devicelist = iot_devices.devices_to_api([dict(ip_address="10.20.0.1", ipv6_address="FD00:20::1", imei="356938035643809",
                                                  iccid="891004234814455936F", session_start="2022-01-05T14:48:00.000Z")])
    assert collection_client(sim).bulk_update(devicelist, "cellular") == 1
    write = next(entry for entry in sim.requests if entry["kind"] == "write")
    assert (write["method"], write["path"], write["query"], write["status"]) == ("PUT", BULK_UPDATE, "updateSource=cellular", 200)
    body = sim.state("iot")["tenants"][TSG_ID]["last_bulk_update"]["body"]
    assert set(body) == {"devicelist"}
    assert type_problems(body["devicelist"][0], CELLULAR_ITEM_PROPERTIES, "item", also=EXAMPLE_ONLY_PROPERTIES) == []


def test_the_collection_uses_a_token_the_sdk_would_accept(sim):
    """A token the collection fetched is a JWT the SDK's verification accepts (same key, same audience)."""
    client = collection_client(sim)
    client.bulk_update([], "cellular")
    oauth = OAuth2Client(AuthRequestModel(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, tsg_id=TSG_ID,
                                          token_url=sim.url + "/oauth2/access_token"))
    oauth.session.token = dict(oauth.session.token, access_token=client.login._token)  # pylint: disable=protected-access
    assert oauth.is_expired is False
