"""The IoT Security requests the collection sends and the answers it reads, field by field against Palo Alto
Networks' OpenAPI spec, read at test time from the pinned pan.dev files (pan_dev.py, specs/pan.dev/README.md):
``openapi-specs/iot/iot.yaml`` and what it references (``api/public/bulkUpdateCellular.yaml``,
``api/public/bulkUpdateCustomAttribute.yaml``, ``api/public/deviceList.yaml``, ``components/schemas.yaml``,
``components/examples.yaml``), and ``products/iot/api/iot-public-api-headers.md`` (the legacy base URL).

The vendor's answers come from the spec's own examples, served to the collection's client by a plain HTTP server;
the simulator's answers are checked against the same spec.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest
import requests
from werkzeug.wrappers import Response

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot, iot_devices
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.conformance import pan_dev

CELLULAR_PATH = pan_dev.CELLULAR_PATH
CUSTOM_ATTRIBUTE_PATH = "/iot/pub/v1/device/bulkUpdate?updateSource=customAttribute"
CELLULAR = pan_dev.operation(CELLULAR_PATH, "put")
CUSTOM_ATTRIBUTE = pan_dev.operation(CUSTOM_ATTRIBUTE_PATH, "put")
DEVICE_LIST = pan_dev.operation("/iot/pub/v1/device/list", "get")
JSON_TYPE = "application/json"


def body_schema(operation):
    return operation["requestBody"]["content"][JSON_TYPE]["schema"]


def answer_of(operation, status):
    return operation["responses"][status]["content"][JSON_TYPE]


def examples_of(content):
    return [example["value"] for example in content["examples"].values()]


CELLULAR_ITEM = pan_dev.cellular_item_properties()
CELLULAR_EXAMPLE = pan_dev.cellular_example()
# The vendor's example sends two properties the schema does not list (sessionStart, sessionEnd), as strings.
EXAMPLE_ONLY = pan_dev.example_only_properties()
LEGACY_BASE_PATH = pan_dev.legacy_base_path()   # customerid in the query of every call
# the route after the SCM base path /iot/pub/v1, and the query the path names
ROUTE, QUERY = re.match(r"/iot/pub/v1(/[^?]+)\?(.*)", CELLULAR_PATH).groups()

TENANT = CREDENTIALS.iot["customer_id"]
LEGACY = dict(CREDENTIALS.iot, requests_per_minute=600)
KEY_HEADERS = {"X-Key-Id": CREDENTIALS.iot["key_id"], "X-Access-Key": CREDENTIALS.iot["access_key"]}
# One device with every field the module knows, in the module's names.
EVERY_FIELD = dict(ip_address="10.20.0.1", ipv6_address="FD00:20::1", imei="356938035643809", iccid="8944500102198304826F",
                   imsi="310150123456789", apn="iot.example.com", msisdn="+15551234567", session_event_type="start",
                   session_start="2022-01-05T14:48:00.000Z", session_end="2022-01-10T14:48:00.000Z")
SNAKE_NAMES = {api_name: name for name, api_name in iot_devices.DEVICE_FIELDS}
# retry_backoff > 0: with no Retry-After a 429 waits the backoff, which rate_limit_timeout=0 does not allow
CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=1, rate_limit_timeout=0)


def client(url):
    return iot.IotClient(dict(CONNECTION, **dict(LEGACY, api_url=url)))


def last_bulk_update(sim):
    return sim.state("iot")["tenants"][TENANT]["last_bulk_update"]


@pytest.fixture
def vendor(httpserver):
    """A plain HTTP server answering the collection with what a test puts in ``answers`` (status, JSON body; the
    last one again and again); the requests it received are in ``received``."""
    state = dict(answers=[], received=[])

    def answer(request):
        state["received"].append(dict(path=request.path, query=request.query_string.decode(), headers=dict(request.headers),
                                      body=json.loads(request.get_data() or b"null")))
        status, body = state["answers"].pop(0) if len(state["answers"]) > 1 else state["answers"][0]
        return Response(json.dumps(body), status=status, content_type=JSON_TYPE)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    state["url"] = httpserver.url_for("")
    return state


# ------------------------------------------------------------------ what the collection sends
def test_the_module_knows_exactly_the_fields_of_the_schema_and_of_the_example():
    assert set(iot_devices.API_NAMES.values()) == set(CELLULAR_ITEM) | set(EXAMPLE_ONLY)
    assert set(EXAMPLE_ONLY) == {"sessionStart", "sessionEnd"}


def test_the_request_is_the_specs_operation(vendor):
    """Method, route, the required updateSource parameter, the body's content type and required fields."""
    (parameter,) = CELLULAR["parameters"]
    assert (parameter["in"], parameter["name"], parameter["required"]) == ("query", "updateSource", True)
    vendor["answers"].append((200, examples_of(answer_of(CELLULAR, "200"))[0]))
    client(vendor["url"]).bulk_update(iot_devices.devices_to_api([EVERY_FIELD]), "cellular")
    (received,) = vendor["received"]
    assert received["path"] == LEGACY_BASE_PATH + ROUTE
    assert parse_qs(received["query"]) == {"customerid": [TENANT], **parse_qs(QUERY)}
    assert received["headers"]["Content-Type"] == next(iter(CELLULAR["requestBody"]["content"]))
    assert {"X-Key-Id", "X-Access-Key"} <= set(received["headers"])
    assert set(received["body"]) == set(body_schema(CELLULAR)["required"])


def test_the_body_we_send_has_the_schemas_shape_and_types(sim):
    devicelist = iot_devices.devices_to_api([EVERY_FIELD, dict(ip_address="10.20.0.2", imei=356938035643809)])
    client(sim.url).bulk_update(devicelist, "cellular")
    (entry,) = sim.requests
    assert entry["method"] == "PUT" and entry["path"] == LEGACY_BASE_PATH + ROUTE
    body = last_bulk_update(sim)["body"]
    assert set(body) == set(body_schema(CELLULAR)["required"]) and isinstance(body["devicelist"], list)
    problems = []
    for position, item in enumerate(body["devicelist"], 1):
        problems += pan_dev.type_problems(item, CELLULAR_ITEM, "devicelist item %d" % position, also=EXAMPLE_ONLY)
    assert problems == []
    assert len(body["devicelist"][0]) == len(CELLULAR_ITEM) + len(EXAMPLE_ONLY)


def test_the_vendors_example_passes_validation_and_is_sent_as_given(sim):
    (example,) = CELLULAR_EXAMPLE["devicelist"]
    devicelist = iot_devices.devices_to_api([{SNAKE_NAMES[key]: value for key, value in example.items()}])
    assert devicelist == [example]
    client(sim.url).bulk_update(devicelist, "cellular")
    assert last_bulk_update(sim) == {"update_source": "cellular", "body": CELLULAR_EXAMPLE}


def test_the_vendors_example_from_a_csv_file_is_read_as_given(tmp_path):
    (example,) = CELLULAR_EXAMPLE["devicelist"]
    path = tmp_path / "example.csv"
    # No value holds a comma, so the row needs no CSV quoting; the header uses the module's names.
    path.write_text(",".join(SNAKE_NAMES[key] for key in example) + "\n" + ",".join(example.values()) + "\n")
    assert iot_devices.load_devices_file(str(path)) == [example]


# ------------------------------------------------------------------ what the collection reads
def test_the_collection_reads_the_specs_answer(vendor):
    (example,) = examples_of(answer_of(CELLULAR, "200"))
    assert pan_dev.type_problems({k: v for k, v in example.items() if k != "code"},
                                 pan_dev.properties(answer_of(CELLULAR, "200")["schema"]), "example") == []
    vendor["answers"].append((200, example))
    assert client(vendor["url"]).bulk_update([{"ipAddress": "10.20.0.1"}], "cellular") == example["updatedDeviceNum"]


def test_an_answer_that_counts_attributes_is_no_device_count(vendor):
    """The customAttribute operation answers updatedAttributesNum (the spec's example), not updatedDeviceNum: the
    collection reports no device count rather than a count of attributes."""
    (example,) = examples_of(answer_of(CUSTOM_ATTRIBUTE, "200"))
    assert "updatedAttributesNum" in example and "updatedDeviceNum" not in example
    vendor["answers"].append((200, example))
    assert client(vendor["url"]).bulk_update([{"ipAddress": "10.20.0.1"}], "cellular") is None


ERRORS = examples_of(answer_of(CELLULAR, "4XX"))


@pytest.mark.parametrize("example", ERRORS, ids=[str(example["code"]) for example in ERRORS])
def test_the_collection_reports_the_specs_error_answers(vendor, example):
    """The spec's 4XX examples ({code, msg}): the vendor's code and message reach the error; a 429 is waited out
    only within rate_limit_timeout (0 here)."""
    assert set(example) == set(pan_dev.properties(answer_of(CELLULAR, "4XX")["schema"]))
    vendor["answers"].append((example["code"], example))
    with pytest.raises(ApiError) as caught:
        client(vendor["url"]).bulk_update([{"ipAddress": "10.20.0.1"}], "cellular")
    error = caught.value
    assert error.status == example["code"]
    if example["code"] == 429:
        assert error.kind == "rate_limit"
    else:
        assert (error.vendor_code, error.vendor_message) == (example["code"], example["msg"])
        assert example["msg"] in str(error)


# ------------------------------------------------------------------ the simulator's answers, against the same spec
def test_the_simulators_answers_are_the_specs(sim):
    answer = requests.put(sim.url + LEGACY_BASE_PATH + ROUTE, params={"customerid": TENANT, **parse_qs(QUERY)},
                          json={"devicelist": [{"ipAddress": "10.20.0.1"}]}, headers=KEY_HEADERS, timeout=5)
    assert answer.headers["Content-Type"] == next(iter(CELLULAR["responses"]["200"]["content"]))
    (example,) = examples_of(answer_of(CELLULAR, "200"))
    assert dict(answer.json(), updatedDeviceNum=example["updatedDeviceNum"]) == example
    refused = requests.put(sim.url + LEGACY_BASE_PATH + ROUTE, params={"customerid": TENANT, "updateSource": "cellular"},
                           json={"devicelist": []}, headers=dict(KEY_HEADERS, **{"X-Access-Key": "x"}), timeout=5)
    assert refused.status_code == 403 and refused.json() in ERRORS


def test_the_simulators_device_list_answer_has_the_schemas_fields(sim):
    """device/list (deviceList.yaml): the simulator's page, against IoTDeviceInventoryResponse and DeviceDetails."""
    page = {"customerid": TENANT, "offset": 0, "pagelength": 1000}
    answer = requests.get(sim.url + LEGACY_BASE_PATH + "/device/list", params=page, headers=KEY_HEADERS, timeout=5).json()
    inventory = answer_of(DEVICE_LIST, "200")["schema"]
    assert pan_dev.type_problems(answer, pan_dev.properties(inventory), "answer") == []
    details = pan_dev.properties(inventory["properties"]["devices"]["items"])
    assert answer["total"] == 300 and len(answer["devices"]) == 300
    problems = [problem for position, device in enumerate(answer["devices"], 1)
                for problem in pan_dev.type_problems(device, details, "device %d" % position)]
    assert problems == []
