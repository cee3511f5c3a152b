"""The IoT Security requests the collection sends and the answers the simulator gives, field by field against
Palo Alto Networks' OpenAPI spec (the facts and their source are in panw_iot_spec.py).
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import requests

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot, iot_devices
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.conformance.panw_iot_spec import (
    BULK_UPDATE_QUERY,
    BULK_UPDATE_RESPONSE_PROPERTIES,
    CELLULAR_ITEM_PROPERTIES,
    CELLULAR_PAYLOAD_EXAMPLE,
    CELLULAR_PAYLOAD_REQUIRED,
    CELLULAR_RESPONSE_EXAMPLE,
    CUSTOM_ATTRIBUTE_ITEM_PROPERTIES,
    CUSTOM_ATTRIBUTE_RESPONSE_EXAMPLE,
    CUSTOM_ATTRIBUTE_RESPONSE_PROPERTIES,
    DEVICE_DETAILS_PROPERTIES,
    DEVICE_INVENTORY_PROPERTIES,
    ERROR_EXAMPLES,
    ERROR_RESPONSE_PROPERTIES,
    EXAMPLE_ONLY_PROPERTIES,
    LEGACY_BASE_PATH,
    type_problems,
)

TENANT = CREDENTIALS.iot["customer_id"]
LEGACY = dict(CREDENTIALS.iot, api_url=None, requests_per_minute=180)
KEY_HEADERS = {"X-Key-Id": CREDENTIALS.iot["key_id"], "X-Access-Key": CREDENTIALS.iot["access_key"]}
# One device with every field the module knows, in the module's names.
EVERY_FIELD = dict(ip_address="10.20.0.1", ipv6_address="FD00:20::1", imei="356938035643809", iccid="8944500102198304826F",
                   imsi="310150123456789", apn="iot.example.com", msisdn="+15551234567", session_event_type="start",
                   session_start="2022-01-05T14:48:00.000Z", session_end="2022-01-10T14:48:00.000Z")
# The example device under the module's names: how a user writes the vendor's example.
SNAKE_NAMES = {api_name: name for name, api_name in iot_devices.DEVICE_FIELDS}

CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5, retries=3, retry_backoff=1.0, rate_limit_timeout=300)


def client(sim):
    return iot.IotClient(dict(CONNECTION, **dict(LEGACY, api_url=sim.url)))


def last_bulk_update(sim):
    return sim.state("iot")["tenants"][TENANT]["last_bulk_update"]


def test_the_module_knows_exactly_the_fields_of_the_schema_and_of_the_example():
    example_keys = set(CELLULAR_PAYLOAD_EXAMPLE["devicelist"][0])
    assert set(iot_devices.API_NAMES.values()) == set(CELLULAR_ITEM_PROPERTIES) | example_keys
    assert example_keys - set(CELLULAR_ITEM_PROPERTIES) == set(EXAMPLE_ONLY_PROPERTIES)


def test_the_body_we_send_has_the_schemas_shape_and_types(sim):
    devicelist = iot_devices.devices_to_api([EVERY_FIELD, dict(ip_address="10.20.0.2", imei=356938035643809)])
    client(sim).bulk_update(devicelist, "cellular")
    (entry,) = sim.requests
    assert entry["method"] == "PUT" and entry["path"] == LEGACY_BASE_PATH + "/device/bulkUpdate"
    assert parse_qs(entry["query"]) == {"customerid": [TENANT], **{k: [v] for k, v in BULK_UPDATE_QUERY.items()}}
    body = last_bulk_update(sim)["body"]
    assert set(body) == set(CELLULAR_PAYLOAD_REQUIRED) and isinstance(body["devicelist"], list)
    problems = []
    for position, item in enumerate(body["devicelist"], 1):
        problems += type_problems(item, CELLULAR_ITEM_PROPERTIES, f"devicelist item {position}", also=EXAMPLE_ONLY_PROPERTIES)
    assert problems == []
    assert len(body["devicelist"][0]) == len(CELLULAR_ITEM_PROPERTIES) + len(EXAMPLE_ONLY_PROPERTIES)


def test_the_vendors_example_passes_validation_and_is_sent_as_given(sim):
    (example,) = CELLULAR_PAYLOAD_EXAMPLE["devicelist"]
    devicelist = iot_devices.devices_to_api([{SNAKE_NAMES[key]: value for key, value in example.items()}])
    assert devicelist == [example]
    client(sim).bulk_update(devicelist, "cellular")
    assert last_bulk_update(sim) == {"update_source": "cellular", "body": CELLULAR_PAYLOAD_EXAMPLE}


def test_the_vendors_example_from_a_csv_file_is_read_as_given(tmp_path):
    (example,) = CELLULAR_PAYLOAD_EXAMPLE["devicelist"]
    path = tmp_path / "example.csv"
    # No value holds a comma, so the row needs no CSV quoting; the header uses the module's names.
    path.write_text(",".join(SNAKE_NAMES[key] for key in example) + "\n" + ",".join(example.values()) + "\n")
    assert iot_devices.load_devices_file(str(path)) == [example]


def test_the_bulk_update_answer_has_the_schemas_fields(sim):
    answer = requests.put(sim.url + "/pub/v4.0/device/bulkUpdate", params={"customerid": TENANT, **BULK_UPDATE_QUERY},
                          json={"devicelist": [{"ipAddress": "10.20.0.1"}]}, headers=KEY_HEADERS, timeout=5).json()
    assert set(answer) == set(BULK_UPDATE_RESPONSE_PROPERTIES)
    assert answer["code"] in (1, "1")  # the schema types it as a string, the example as an integer
    assert type_problems({k: v for k, v in answer.items() if k != "code"}, BULK_UPDATE_RESPONSE_PROPERTIES, "answer") == []
    assert dict(answer, updatedDeviceNum=5) == CELLULAR_RESPONSE_EXAMPLE


def test_the_custom_attribute_answer_counts_attributes_as_the_spec_says(sim):
    devicelist = [{"deviceid": "02:20:00:00:00:01", "tagType": "Department", "tagValue": "IoT Security"}]
    assert type_problems(devicelist[0], CUSTOM_ATTRIBUTE_ITEM_PROPERTIES, "item") == []
    answer = requests.put(sim.url + "/pub/v4.0/device/bulkUpdate", params={"customerid": TENANT, "updateSource": "customAttribute"},
                          json={"devicelist": devicelist}, headers=KEY_HEADERS, timeout=5).json()
    assert set(answer) == set(CUSTOM_ATTRIBUTE_RESPONSE_PROPERTIES)
    assert type_problems({k: v for k, v in answer.items() if k != "code"}, CUSTOM_ATTRIBUTE_RESPONSE_PROPERTIES, "answer") == []
    assert dict(answer, updatedAttributesNum=4) == CUSTOM_ATTRIBUTE_RESPONSE_EXAMPLE


@pytest.mark.parametrize("status, params, headers, knobs", [
    (400, {"customerid": TENANT, "updateSource": "bogus"}, KEY_HEADERS, {}),
    (403, {"customerid": TENANT, "updateSource": "cellular"}, dict(KEY_HEADERS, **{"X-Access-Key": "x"}), {}),
    (429, {"customerid": TENANT, "updateSource": "cellular"}, KEY_HEADERS, {"iot_rate_limit_per_minute": 1, "iot_rate_burst": 0}),
])
def test_error_answers_are_the_documented_examples(sim, status, params, headers, knobs):
    sim.configure(**knobs)
    response = requests.put(sim.url + "/pub/v4.0/device/bulkUpdate", params=params, json={"devicelist": []}, headers=headers, timeout=5)
    assert response.status_code == status
    assert response.json() == ERROR_EXAMPLES[status]
    assert set(response.json()) == set(ERROR_RESPONSE_PROPERTIES)


def test_the_device_list_answer_has_the_schemas_fields(sim):
    answer = requests.get(sim.url + "/pub/v4.0/device/list", params={"customerid": TENANT, "offset": 0, "pagelength": 1000},
                          headers=KEY_HEADERS, timeout=5).json()
    assert type_problems(answer, DEVICE_INVENTORY_PROPERTIES, "answer") == []
    assert answer["total"] == 300 and len(answer["devices"]) == 300
    problems = [problem for position, device in enumerate(answer["devices"], 1)
                for problem in type_problems(device, DEVICE_DETAILS_PROPERTIES, f"device {position}")]
    assert problems == []


def test_the_answers_are_json_as_declared(sim):
    response = requests.put(sim.url + "/pub/v4.0/device/bulkUpdate", params={"customerid": TENANT, **BULK_UPDATE_QUERY},
                            json={"devicelist": []}, headers=KEY_HEADERS, timeout=5)
    assert response.headers["Content-Type"] == "application/json"
    json.loads(response.content)
