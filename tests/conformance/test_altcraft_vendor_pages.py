"""Altcraft: the collection's client against the vendor's API pages, their examples pinned below with their source.

Sources (Altcraft Platform user API v1.1, developer guide v74):
- "Update statistics on resource", https://guides.altcraft.com/en/developer-guide/resources/refresh-counters:
  the request parameters and example of ``resources/refresh_counters``, its answer example, and "Checking the task
  status" (``tasks/status``: request example and the completed answer example);
- "Get statistics on resource" (segments), https://guides.altcraft.com/en/developer-guide/segments/get-counters,
  and "Get database statistics", https://guides.altcraft.com/en/developer-guide/databases/get-counters: the
  ``get_counters`` answer, a list of ``{channel, status}``;
- "API interaction", https://guides.altcraft.com/en/developer-guide/api-interaction: POST with a JSON body, the
  token in the body, errors as ``{error, error_text}`` (0 is success; 400, 401, 402, 403).

The page of ``resources/get_counters`` itself could not be found: its request body (``{token, id, list_id}``, as
refresh_counters takes them) is an assumption, checked here only as the collection's own choice.
"""
from __future__ import annotations

import json
import re

import pytest
from werkzeug.wrappers import Response

from ansible_collections.fleetops.maintenance.plugins.module_utils import altcraft
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError

TOKEN = "abcdefghijklmnqrstuvwxyz"
# refresh-counters page, "Request": parameter -> type (format and feedback optional)
REFRESH_PARAMETERS = {"token": str, "id": int, "list_id": int, "format": str, "feedback": dict}
REFRESH_REQUIRED = {"token", "id", "list_id"}
REFRESH_REQUEST_EXAMPLE = {"token": TOKEN, "id": 24, "list_id": 1, "format": "json",
                           "feedback": {"type": "JSON", "url": "http://example.com/receiver"}}
REFRESH_ANSWER_EXAMPLE = {"data": {"task_id": "c9c3ec48-1bef-4969-9c1a-df39f0c179bb"}, "error": 0,
                          "error_text": "Successful operation"}
# same page, "Checking the task status"
STATUS_PARAMETERS = {"token": str, "task_id": str}
COUNTERS = ("all", "complained", "hardbounced", "invalid", "subscribed", "subscribed_sendable", "suspended",
            "unconfirmed", "unconfirmed_sendable", "unsubscribed")
EMAIL = dict(zip(COUNTERS, (1336, 0, 434, 0, 842, 842, 0, 0, 0, 60)))
QUIET = dict(dict.fromkeys(COUNTERS, 0), all=1336)
STATUS_ANSWER_EXAMPLE = {"data": {"status": "completed", "progress": 100, "result": [{
    "channels": [{"channel": "sms", "status": QUIET}, {"channel": "push", "status": QUIET},
                 {"channel": "email", "status": EMAIL}],
    "in_progress": False, "last_count_time": "counted at 2024-04-19T13:31:08Z in 231.374251ms", "list_id": 1,
    "refresh_task_id": "", "updated": "2024-04-19T13:31:08.927Z"}]}, "error": 0, "error_text": "Successful operation"}
# segments/get-counters and databases/get-counters: data is the list of channels, no count time
GET_COUNTERS_ANSWER_EXAMPLE = {"data": [{"channel": "email", "status": EMAIL}], "error": 0,
                               "error_text": "Successful operation"}
# API interaction: the documented error codes
ERROR_CODES = (400, 401, 402, 403)


@pytest.fixture
def vendor(httpserver):
    state = dict(answers={}, received=[])

    def answer(request):
        method = request.path.split("/api/v1.1/", 1)[1]
        state["received"].append(dict(method=method, content_type=request.headers.get("Content-Type"),
                                      body=json.loads(request.get_data())))
        status, body = state["answers"][method]
        return Response(json.dumps(body), status=status, content_type="application/json")

    httpserver.expect_request(re.compile("/api/v1.1/.*"), method="POST").respond_with_handler(answer)
    state["client"] = altcraft.AltcraftClient(dict(validate_certs=True, ca_path=None, timeout=5, retries=0,
                                                   retry_backoff=0, rate_limit_timeout=5,
                                                   api_url=httpserver.url_for(""), api_token=TOKEN))
    return state


def typed(body, parameters):
    return all(name in parameters and isinstance(value, parameters[name]) and not isinstance(value, bool)
               for name, value in body.items())


def test_the_documented_request_example_has_the_documented_types():
    assert typed(REFRESH_REQUEST_EXAMPLE, REFRESH_PARAMETERS)


def test_refresh_counters_sends_the_documented_request_and_reads_the_documented_answer(vendor):
    vendor["answers"]["resources/refresh_counters"] = (200, REFRESH_ANSWER_EXAMPLE)
    data = vendor["client"].refresh_counters(24, 1, feedback_url="http://example.com/receiver")
    assert data["task_id"] == REFRESH_ANSWER_EXAMPLE["data"]["task_id"]
    (sent,) = vendor["received"]
    assert sent["content_type"] == "application/json"
    assert typed(sent["body"], REFRESH_PARAMETERS) and REFRESH_REQUIRED <= set(sent["body"])
    assert sent["body"] == {key: value for key, value in REFRESH_REQUEST_EXAMPLE.items() if key != "format"}


def test_task_status_sends_the_documented_request_and_reads_the_completed_answer(vendor):
    vendor["answers"]["tasks/status"] = (200, STATUS_ANSWER_EXAMPLE)
    state = vendor["client"].wait_for_task("c9c3ec48-1bef-4969-9c1a-df39f0c179bb", timeout=5, interval=0.01)
    (sent,) = vendor["received"]
    assert sent["body"] == {"token": TOKEN, "task_id": "c9c3ec48-1bef-4969-9c1a-df39f0c179bb"}
    assert typed(sent["body"], STATUS_PARAMETERS)
    summary = altcraft.summarize(altcraft.pick_entry(state["result"], 1), now=0)
    assert summary["counters"] == {"sms": QUIET, "push": QUIET, "email": EMAIL}
    assert summary["updated"] == "2024-04-19T13:31:08.927Z" and summary["in_progress"] is False
    assert summary["age_seconds"] is not None


def test_get_counters_reads_the_documented_answer_of_its_siblings(vendor):
    vendor["answers"]["resources/get_counters"] = (200, GET_COUNTERS_ANSWER_EXAMPLE)
    summary = altcraft.summarize(vendor["client"].get_counters(24, 1))
    assert summary["counters"] == {"email": EMAIL}
    assert summary["age_seconds"] is None and altcraft.age_unknown(summary)  # no count time in the documented answer
    (sent,) = vendor["received"]
    assert sent["body"] == {"token": TOKEN, "id": 24, "list_id": 1}  # the assumption, stated in the module's notes


@pytest.mark.parametrize("code", ERROR_CODES)
@pytest.mark.parametrize("http_status", [200, "same"])
def test_a_documented_error_is_reported_with_its_code_and_text(vendor, code, http_status):
    """Whether the error comes with HTTP 200 or a matching status is not documented: both are read."""
    answer = {"error": code, "error_text": "documented error %d" % code}
    vendor["answers"]["tasks/status"] = (code if http_status == "same" else 200, answer)
    with pytest.raises(ApiError) as caught:
        vendor["client"].task_status("t-1")
    assert caught.value.vendor_code == code and "documented error %d" % code in str(caught.value)
