"""Huawei Cloud AK/SK signing ("SDK-HMAC-SHA256"): Huawei's own Python SDK core is the oracle.

Oracle: huaweicloudsdkcore 3.1.219 (PyPI), ``huaweicloudsdkcore/signer/signer.py`` (``Signer``) reached through
``huaweicloudsdkcore/auth/credentials.py`` (``BasicCredentials.sign_request``, which adds ``X-Project-Id`` for a
project id), and its generic ``Client`` (``huaweicloudsdkcore/client.py``), which builds, signs and sends a
request as every Huawei service SDK does. Under test: the collection's ``plugins/module_utils/huawei_signer.py``
and the requests its KooPhone client sends (received by a plain HTTP server, then signed again by the SDK), and
the simulator's verifier (``simulator/koophone.py``), which has its own implementation.

Facts the SDK shows:
- ``Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names;...>, Signature=<hex>`` with
  ``X-Sdk-Date: %Y%m%dT%H%M%SZ`` (UTC); every header the request holds is signed except names with ``_``;
  ``Host`` is always among them.
- The canonical URI re-encodes each decoded path segment with only ``~`` safe and ends in ``/``; the canonical
  query sorts the decoded parameters by name and encodes names and values the same way.
"""
from __future__ import annotations

import calendar
import json
import re
import time
import types
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client, ClientBuilder
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.sdk_response import SdkResponse

from ansible_collections.fleetops.maintenance.plugins.module_utils import huawei_signer
from ansible_collections.fleetops.maintenance.plugins.module_utils import koophone
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# The simulator's default AK/SK pair.
SIM_AK, SIM_SK, SIM_PROJECT = (CREDENTIALS.koophone_access_key[name] for name in ("access_key", "secret_key", "project_id"))

# --------------------------------------------------------------------------------------------------------
# The SDK's Signer and ours, request by request

# The connection options of a module run.
CONNECTION = dict(validate_certs=True, ca_path=None, timeout=10, retries=3, retry_backoff=1.0, rate_limit_timeout=300)


def sdk_authorization(access_key, secret_key, project_id, method, host, path, params, headers, body, sdk_date):
    """The Authorization header huaweicloudsdkcore computes for one request."""
    request = SdkRequest(method=method, schema="https", host=host, resource_path=path,
                         query_params=list(params.items()), header_params=dict(headers, **{"X-Sdk-Date": sdk_date}),
                         body=body)
    BasicCredentials(access_key, secret_key, project_id).sign_request(request)
    return request.header_params["Authorization"]


def our_authorization(access_key, secret_key, project_id, method, host, path, params, headers, body, sdk_date):
    moment = calendar.timegm(time.strptime(sdk_date, SDK_DATE_FORMAT))
    return huawei_signer.sign(access_key, secret_key, method, host, path, params, headers, body,
                              project_id=project_id, now=lambda: moment)["Authorization"]


VECTOR_AK, VECTOR_SK = "HPUAEXAMPLEAK1234567", "exampleSecretKey0123456789abcdefghijklmn"
VECTOR_HOST, VECTOR_DATE = "koophone.myhuaweicloud.com", "20240101T000000Z"
JSON = {"Content-Type": "application/json"}
SDK_VECTORS = [
    pytest.param("POST", "/v1/instances/batch-reset", {},
                 dict(JSON, **{"X-Project-Id": "p1d0000000000000000000000000000a",
                               "x-request-id": "3f1c2b9e-0000-4000-8000-000000000001"}),
                 b'{"instance_ids":["a44uhlf7","efjy72gs"]}',
                 "b4e9ae5cefe55fd571adeee4a1c610694d43d823484aed2659d43b460ca27811", id="batch-reset"),
    pytest.param("GET", "/v1/instances/batch-query",
                 {"instance_name": "phone 01/\u00fc", "page_no": 1, "page_size": 10,
                  "x-request-id": "3f1c2b9e-0000-4000-8000-000000000002"}, JSON, b"",
                 "58838d5c94753303e94236203278ebfb0e2c7581e5b6301ded6a5a17f27e03c5", id="batch-query"),
    pytest.param("GET", "/v1/instances/tasks/0a1b2c3d4e5f", {}, JSON, b"",
                 "963b7f647db9382e2314d2b3a7b165ae4fbcf9b47ab9e26dcf3c2b5e62d7d3e5", id="tasks"),
]


@pytest.mark.parametrize("method, path, params, headers, body, signature", SDK_VECTORS)
def test_sdk_vectors(method, path, params, headers, body, signature):
    """Three KooPhone requests: the SDK's signature is the vector's, and so is ours.

    The first carries X-Project-Id as a header (as BasicCredentials adds it), our signer takes it as project_id.
    """
    project_id = headers.get("X-Project-Id")
    ours_headers = {name: value for name, value in headers.items() if name != "X-Project-Id"}
    sdk = sdk_authorization(VECTOR_AK, VECTOR_SK, None, method, VECTOR_HOST, path, params, headers, body, VECTOR_DATE)
    ours = our_authorization(VECTOR_AK, VECTOR_SK, project_id, method, VECTOR_HOST, path, params, ours_headers, body,
                             VECTOR_DATE)
    assert sdk.endswith("Signature=" + signature)
    assert ours == sdk


SEGMENT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
QUERY_VALUE = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
                        st.sampled_from(["", " ", "a b", "x/y", "\u00fc", "~", "*", "+", "&=?#", "%2F"]),
                        st.integers(-5, 10 ** 6), st.booleans(),
                        st.lists(st.text("abc xyz/", max_size=4), min_size=1, max_size=3))
RESERVED_HEADERS = {"host", "x-sdk-date", "x-project-id", "authorization", "content-type"}
HEADER_NAME = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=12).filter(
    lambda name: name.lower() not in RESERVED_HEADERS)
HEADER_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=24)


def unique_case_insensitive(headers):
    return len({name.lower() for name in headers}) == len(headers)


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
       host=st.sampled_from(["koophone.myhuaweicloud.com", "127.0.0.1:18811", "[::1]:8443"]),
       segments=st.lists(SEGMENT, min_size=1, max_size=4),
       params=st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10),
                              QUERY_VALUE, max_size=5),
       headers=st.dictionaries(HEADER_NAME, HEADER_VALUE, max_size=4).filter(unique_case_insensitive),
       body=st.one_of(st.just(b""), st.binary(max_size=64),
                      st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3).map(
                          lambda data: json.dumps(data, ensure_ascii=False).encode("utf-8"))),
       project_id=st.one_of(st.none(), st.text("0123456789abcdef", min_size=32, max_size=32)),
       moment=st.integers(0, 4102444800))
def test_ours_signs_as_the_sdk(method, host, segments, params, headers, body, project_id, moment):
    """Generated requests: paths needing encoding, query values with spaces, '/', unicode and empty values,
    empty and non-empty bodies, with and without a project id, headers the SDK leaves unsigned ('_')."""
    path = "/" + "/".join(quote(segment, safe="") for segment in segments)
    headers = dict(JSON, **headers)
    sdk_date = time.strftime(SDK_DATE_FORMAT, time.gmtime(moment))
    sdk = sdk_authorization(VECTOR_AK, VECTOR_SK, project_id, method, host, path, params, headers, body, sdk_date)
    ours = our_authorization(VECTOR_AK, VECTOR_SK, project_id, method, host, path, params, headers, body, sdk_date)
    assert ours == sdk


# --------------------------------------------------------------------------------------------------------
# The simulator's verifier against the SDK's own client, and against the collection's client


class Answer(SdkResponse):
    """Any answer: the SDK keeps the status and the raw body."""

    openapi_types: dict = {}
    attribute_map: dict = {}


class SignedClient(Client):
    """huaweicloudsdkcore's generic Client: what every Huawei service SDK uses to build, sign and send."""

    def __init__(self):
        super().__init__()
        self.model_package = types.SimpleNamespace(Answer=Answer)


def sdk_client(sim, secret_key=SIM_SK, project_id=SIM_PROJECT):
    credentials = BasicCredentials(SIM_AK, secret_key, project_id)
    return ClientBuilder(SignedClient).with_credentials(credentials).with_endpoint(sim.url).build()


def sdk_call(client, method, path, query=None, body=None, headers=None):
    answer = client.do_http_request(method, path, query_params=list((query or {}).items()),
                                    header_params=dict(JSON, **(headers or {})), body=body, response_type="Answer")
    return answer.status_code, json.loads(answer.raw_content)


def instance_ids(sim):
    return list(sim.state("koophone")["instances"])


def test_simulator_serves_what_the_sdk_signs(sim):
    client = sdk_client(sim)
    status, body = sdk_call(client, "GET", "/v1/instances/batch-query", {"page_no": 1, "page_size": 5})
    assert status == 200 and body["data"]["total_count"] == 80
    ids = instance_ids(sim)[:2]
    status, body = sdk_call(client, "POST", "/v1/instances/batch-reset", body={"instance_ids": ids},
                            headers={"x-request-id": "3f1c2b9e-0000-4000-8000-000000000003"})
    assert (status, body["error_code"]) == (200, "0")
    status, body = sdk_call(client, "GET", f"/v1/instances/tasks/{body['data']['task_id']}")
    assert status == 200 and len(body["data"]["jobs"]) == 2
    status, body = sdk_call(client, "POST", "/v1/instances/batch-query-status", body={"instance_ids": ids})
    assert status == 200 and [item["instance_id"] for item in body["data"]["status_results"]] == ids


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(instance_name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=20))
@example(instance_name="phone 01/\u00fc~*+&=")
def test_simulator_verifies_any_query_the_sdk_signs(sim, instance_name):
    status, body = sdk_call(sdk_client(sim), "GET", "/v1/instances/batch-query",
                            {"page_no": 1, "page_size": 1, "instance_name": instance_name})
    assert status == 200 and body["data"]["error_code"] == "0"


@pytest.mark.parametrize("change", [
    pytest.param(dict(secret_key="not-the-secret-key"), id="wrong-sk"),
    pytest.param(dict(headers={"X-Sdk-Date": time.strftime(SDK_DATE_FORMAT, time.gmtime(time.time() - 20 * 60))}),
                 id="stale-date"),
])
def test_simulator_refuses_a_bad_sdk_signature_with_the_gateway_error(sim, change):
    client = sdk_client(sim, secret_key=change.get("secret_key", SIM_SK))
    with pytest.raises(ClientRequestException) as caught:
        sdk_call(client, "POST", "/v1/instances/batch-reset", body={"instance_ids": instance_ids(sim)[:1]},
                 headers=dict({"x-request-id": "3f1c2b9e-0000-4000-8000-000000000004"}, **change.get("headers", {})))
    assert (caught.value.status_code, caught.value.error_code) == (401, "APIGW.0301")
    assert all(item["resets"] == 0 for item in sim.state("koophone")["instances"].values())


# --------------------------------------------------------------------------------------------------------
# What the collection's client puts on the wire, verified by the SDK's Signer (not by our simulator)

# Headers the HTTP library adds after signing (the SDK's own requests adds them too, unsigned).
TRANSPORT_HEADERS = {"user-agent", "accept-encoding", "connection", "content-length", "authorization"}
WIRE_ANSWERS = {
    "/v1/instances/batch-query": {"data": {"error_code": "0", "total_count": 1, "result": [{"instance_id": "a1"}]}},
    "/v1/instances/batch-reset": {"error_code": "0", "data": {"task_id": "t1", "cmd_jobs": []}},
    "/v1/instances/batch-query-status": {"error_code": "0", "data": {"status_results": []}},
    "/v1/instances/tasks/t1": {"error_code": "0", "data": {"jobs": []}},
}


@pytest.fixture
def wire(httpserver):
    """The requests the collection sent, as received (werkzeug requests), answered from WIRE_ANSWERS."""
    from werkzeug.wrappers import Response

    received = []

    def answer(request):
        received.append(dict(method=request.method, host=request.headers["Host"], path=request.path,
                             query=request.query_string.decode("ascii"), headers=dict(request.headers),
                             body=request.get_data()))
        return Response(json.dumps(WIRE_ANSWERS[request.path]), status=200, content_type="application/json")

    httpserver.expect_request(re.compile("/v1/.*")).respond_with_handler(answer)
    return received


def sdk_signature_of(received):
    """The Authorization huaweicloudsdkcore's Signer computes for a request as it was received: every header the
    client set (X-Sdk-Date and X-Project-Id included), the decoded query, the body bytes."""
    headers = {name: value for name, value in received["headers"].items() if name.lower() not in TRANSPORT_HEADERS}
    request = SdkRequest(method=received["method"], schema="http", host=received["host"],
                         resource_path=received["path"],
                         query_params=parse_qsl(received["query"], keep_blank_values=True),
                         header_params=headers, body=received["body"])
    BasicCredentials(SIM_AK, SIM_SK).sign_request(request)
    return request.header_params["Authorization"]


def collection_client(url, **params):
    options = dict(CONNECTION, api_url=url, auth_token=None, access_key=SIM_AK, secret_key=SIM_SK, project_id=SIM_PROJECT)
    options.update(params)
    return koophone.KooPhoneClient(options)


def test_the_sdk_verifies_what_the_collection_signs(httpserver, wire):
    """Every endpoint the collection calls: the SDK, given the request as it arrived, signs it identically."""
    with collection_client(httpserver.url_for("")) as client:
        client.list_instances(30)
        reply = client.batch_reset(["a1", "b2"])
        client.get_task(reply["task_id"])
        client.batch_query_status(["a1"])
    assert [item["path"] for item in wire] == ["/v1/instances/batch-query", "/v1/instances/batch-reset",
                                               "/v1/instances/tasks/t1", "/v1/instances/batch-query-status"]
    for received in wire:
        assert received["headers"]["X-Project-Id"] == SIM_PROJECT
        assert received["headers"]["Authorization"] == sdk_signature_of(received), received["path"]


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(instance_name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
       with_app=st.booleans(), ids=st.lists(st.text("abc xyz/&=", min_size=1, max_size=4), max_size=3))
@example(instance_name="phone 01/\u00fc~*+&=", with_app=True, ids=["b", "a"])
def test_the_sdk_verifies_any_query_the_collection_signs(httpserver, wire, instance_name, with_app, ids):
    """Query values needing encoding, booleans and lists: the query received is the one signed."""
    wire.clear()
    with collection_client(httpserver.url_for("")) as client:
        client.batch_query(1, 1, {"instance_name": instance_name, "with_app": with_app, "instance_ids": ids or None})
    assert wire[0]["headers"]["Authorization"] == sdk_signature_of(wire[0])
