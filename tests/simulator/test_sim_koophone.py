"""KooPhone: IAM tokens, batch-reset validation and errors, status polling, listing, tasks."""
from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from ansible_collections.fleetops.maintenance.plugins.module_utils import huawei_signer  # vendor-free; the conformance suite checks it against Huawei's SDK
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.simulator.sim_helpers import koophone_call, wait_until

AK, SK, PROJECT_ID = (CREDENTIALS.koophone_access_key[name] for name in ("access_key", "secret_key", "project_id"))
USER = CREDENTIALS.koophone_user


def iam_body(password=USER["password"]):
    """A password token request of the default IAM user."""
    return {"auth": {
        "identity": {"methods": ["password"],
                     "password": {"user": {"name": USER["username"], "password": password, "domain": {"name": USER["domain_name"]}}}},
        "scope": {"project": {"name": USER["project_name"]}},
    }}


IAM_BODY = iam_body()


def instance_ids(sim):
    return list(sim.state("koophone")["instances"])


def test_iam_password_token(sim):
    response = requests.post(sim.url + "/v3/auth/tokens", json=IAM_BODY, timeout=5)
    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    assert response.json()["token"]["project"]["name"] == "cn-south-1"
    listed = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=10", token=token)
    assert listed.status_code == 200 and listed.json()["data"]["error_code"] == "0"
    assert sim.requests[0]["kind"] == "auth"
    assert USER["password"] not in str(sim.requests)


def test_iam_token_answer_has_the_sdk_shape(sim):
    """huaweicloudsdkiam 3.1.219 TokenResult: methods, issued_at, expires_at, user {id, name, domain {id, name}},
    project {id, name, domain {id, name}} (huaweicloudsdkiam/v3/model/token_result.py, token_user_result.py,
    token_project_result.py)."""
    token = requests.post(sim.url + "/v3/auth/tokens", json=IAM_BODY, timeout=5).json()["token"]
    assert {"methods", "issued_at", "expires_at", "user", "project"} <= set(token)
    assert set(token["user"]) >= {"id", "name", "domain"} and set(token["user"]["domain"]) == {"id", "name"}
    assert set(token["project"]) == {"id", "name", "domain"} and set(token["project"]["domain"]) == {"id", "name"}
    assert token["project"]["domain"] == token["user"]["domain"] and token["user"]["domain"]["name"] == USER["domain_name"]
    assert all(len(value) == 32 for value in (token["user"]["id"], token["project"]["id"], token["user"]["domain"]["id"]))


def test_iam_wrong_password_and_token_expiry(sim):
    bad = iam_body(password="nope")
    assert requests.post(sim.url + "/v3/auth/tokens", json=bad, timeout=5).status_code == 401
    sim.configure(koophone_token_ttl_seconds=1.0)
    token = requests.post(sim.url + "/v3/auth/tokens", json=IAM_BODY, timeout=5).headers["X-Subject-Token"]
    assert koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1", token=token).status_code == 200
    time.sleep(1.1)
    expired = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1", token=token)
    assert expired.status_code == 401 and expired.json()["error_code"] == "APIGW.0301"


@pytest.mark.parametrize("token", [None, "bogus"])
def test_bad_token_refused(sim, token):
    """The gateway's body as Huawei's API Request Signing Guide FAQ shows it (error_msg, error_code, request_id)."""
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": instance_ids(sim)[:1]}, token=token)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error_msg", "error_code", "request_id"}
    assert (body["error_code"], body["error_msg"]) == ("APIGW.0301", "Incorrect IAM authentication information: decrypt token fail")


def aksk_call(sim, method, path, params=None, body=None, *, access_key=AK, secret_key=SK, project_id=PROJECT_ID,
              time_offset=0, sent_body=None, unsigned=()):
    """A request signed with AK/SK; `sent_body` replaces the body after signing, `unsigned` headers are added after."""
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json", "x-request-id": str(uuid.uuid4())}
    host = urlsplit(sim.url).netloc
    headers.update(huawei_signer.sign(access_key, secret_key, method, host, path, params or {}, headers, data,
                                      project_id=project_id, now=lambda: time.time() + time_offset))
    headers.update(dict(unsigned))
    query = "?" + urlencode(params) if params else ""
    return requests.request(method, sim.url + path + query, data=sent_body if sent_body is not None else data,
                            headers=headers, timeout=10)


def test_aksk_signed_requests_are_served(sim):
    listed = aksk_call(sim, "GET", "/v1/instances/batch-query", {"page_no": 1, "page_size": 5, "instance_name": "sim phone/ü"})
    assert listed.status_code == 200 and listed.json()["data"]["error_code"] == "0"
    ids = instance_ids(sim)[:3]
    reset = aksk_call(sim, "POST", "/v1/instances/batch-reset", body={"instance_ids": ids[:2]})
    assert reset.status_code == 200 and reset.json()["error_code"] == "0"
    assert aksk_call(sim, "GET", f"/v1/instances/tasks/{reset.json()['data']['task_id']}").status_code == 200
    without_project = aksk_call(sim, "POST", "/v1/instances/batch-reset", body={"instance_ids": ids[2:]}, project_id=None)
    assert without_project.json()["error_code"] == "0"
    assert [sim.state("koophone")["instances"][iid]["resets"] for iid in ids] == [1, 1, 1]


@pytest.mark.parametrize("change, message", [
    (dict(sent_body=b'{"instance_ids":["zzzzzzzz"]}'), "verify aksk signature fail"),
    (dict(secret_key="not-the-secret-key"), "verify aksk signature fail"),
    (dict(time_offset=-16 * 60), "verify aksk signature fail"),
    (dict(time_offset=16 * 60), "verify aksk signature fail"),
    (dict(unsigned={"x-request-id": "changed-after-signing"}), "verify aksk signature fail"),
    (dict(access_key="SIMUNKNOWNAK00000000"), "Get secretKey failed"),
])
def test_aksk_refusals(sim, change, message):
    """A tampered body or header, a wrong SK, a date more than 15 minutes off, an unknown AK: APIGW.0301 and nothing done."""
    ids = instance_ids(sim)[:1]
    response = aksk_call(sim, "POST", "/v1/instances/batch-reset", body={"instance_ids": ids}, **change)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301" and message in response.json()["error_msg"]
    assert SK not in response.text
    assert sim.state("koophone")["instances"][ids[0]]["resets"] == 0


def test_aksk_within_15_minutes_and_with_the_date_and_host_signed(sim):
    assert aksk_call(sim, "GET", "/v1/instances/batch-query", {"page_no": 1, "page_size": 1}, time_offset=-14 * 60).status_code == 200
    signed = aksk_call(sim, "GET", "/v1/instances/batch-query", {"page_no": 1, "page_size": 1}).request.headers
    without_date = signed["Authorization"].replace(";x-sdk-date", "")
    response = requests.get(sim.url + "/v1/instances/batch-query?page_no=1&page_size=1", timeout=10,
                            headers=dict(signed, Authorization=without_date))
    assert response.status_code == 401


def test_aksk_project_must_be_the_keys(sim):
    response = aksk_call(sim, "GET", "/v1/instances/batch-query", {"page_no": 1, "page_size": 1}, project_id="f" * 32)
    assert response.status_code == 200 and response.json()["error_code"] == "KOOPHONE.API.0004"


def test_batch_reset_validation(sim):
    ids = instance_ids(sim)
    assert koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids[:33]}).json()["error_code"] == "KOOPHONE.API.1000"
    assert koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids[:33]}).status_code == 400
    assert koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": []}).status_code == 400
    assert koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ["x" * 33]}).status_code == 400
    missing = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids[:1]}, request_id=False)
    assert (missing.status_code, missing.json()["error_code"]) == (200, "KOOPHONE.API.0002")
    assert all(item["resets"] == 0 for item in sim.state("koophone")["instances"].values())


def test_unknown_instance_is_configurable(sim):
    ids = instance_ids(sim)
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": [ids[0], "zzzzzzzz"]})
    assert (response.status_code, response.json()["error_code"]) == (401, "KOOPHONE.API.1001")
    sim.configure(koophone_foreign_instance="200")
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": [ids[0], "zzzzzzzz"]})
    assert (response.status_code, response.json()["error_code"]) == (200, "KOOPHONE.API.1012")
    assert "zzzzzzzz" in response.json()["error_msg"]


def test_frozen_instance(sim):
    frozen = instance_ids(sim)[7]
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": [frozen]})
    assert (response.status_code, response.json()["error_code"]) == (200, "KOOPHONE.API.2004")


def test_reset_progression_and_tasks(sim):
    sim.configure(koophone_job_seconds=1.5)  # generous, so the "still resetting" checks hold on a loaded machine
    ids = instance_ids(sim)[:3]
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids})
    assert response.status_code == 200
    data = response.json()["data"]
    assert response.json()["error_code"] == "0" and [job["instance_id"] for job in data["cmd_jobs"]] == ids
    again = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids[:1]})
    assert again.json()["error_code"] == "KOOPHONE.API.2005"
    statuses = koophone_call(sim, "POST", "/v1/instances/batch-query-status", {"instance_ids": ids + ["unknown1"]}).json()
    assert [item["status"] for item in statuses["data"]["status_results"]] == [4, 4, 4]
    task = koophone_call(sim, "GET", f"/v1/instances/tasks/{data['task_id']}").json()["data"]
    assert {job["status"] for job in task["jobs"]} == {1}

    def done():
        jobs = koophone_call(sim, "GET", f"/v1/instances/tasks/{data['task_id']}").json()["data"]["jobs"]
        return all(job["status"] == 2 for job in jobs)
    wait_until(done)
    statuses = koophone_call(sim, "POST", "/v1/instances/batch-query-status", {"instance_ids": ids}).json()
    assert [item["status"] for item in statuses["data"]["status_results"]] == [2, 2, 2]
    kinds = [(entry["path"], entry["kind"]) for entry in sim.requests]
    assert ("/v1/instances/batch-reset", "write") in kinds and ("/v1/instances/batch-query-status", "read") in kinds


def test_failing_job_and_2024_shape(sim):
    ids = instance_ids(sim)
    sim.configure(koophone_job_seconds=0, koophone_job_fail_ids=[ids[1]], koophone_response_shape="2024")
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids[:2]})
    assert response.json() == {"error_code": "0", "error_msg": "ok"}
    task_id = sim.state("koophone")["instances"][ids[1]]["last_task_id"]
    jobs = koophone_call(sim, "GET", f"/v1/instances/tasks/{task_id}").json()["data"]["jobs"]
    assert [job["status"] for job in jobs] == [2, -1]
    missing = koophone_call(sim, "GET", "/v1/instances/tasks/nope")  # an assumption: the SDK documents no such answer
    assert missing.status_code == 404 and missing.json()["error_code"] != "0"


def test_batch_query_pages(sim):
    page = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=2&page_size=50", request_id=False).json()["data"]
    assert (page["page_no"], page["page_size"], page["total_count"], len(page["result"])) == (2, 50, 80, 30)
    item = page["result"][0]
    assert set(item) == {"instance_id", "instance_name", "region", "instance_sku", "frozen_status", "running_status"}
    assert len(item["instance_id"]) == 8 and item["instance_id"].isalnum() and item["instance_id"].lower() == item["instance_id"]
    one = koophone_call(sim, "GET", f"/v1/instances/batch-query?page_no=1&page_size=10&instance_id={instance_ids(sim)[7]}").json()["data"]
    assert one["total_count"] == 1 and one["result"][0]["frozen_status"] == 1
    assert koophone_call(sim, "GET", "/v1/instances/batch-query").status_code == 400


def test_batch_query_answers_the_sdk_shape(sim):
    """ListInstancesResponse has only `data`; error_code and error_msg are fields of InstanceBatchQueryRspData
    (huaweicloud/huaweicloud-sdk-java-v3: services/koophone/.../v1/model/ListInstancesResponse.java,
    InstanceBatchQueryRspData.java)."""
    body = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=5").json()
    assert set(body) == {"data"}
    assert set(body["data"]) == {"result", "page_no", "page_size", "total_count", "error_code", "error_msg"}
    assert body["data"]["error_code"] == "0"
    refused = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=0&page_size=5")
    assert refused.status_code == 400
    assert set(refused.json()) == {"data"} and refused.json()["data"]["error_code"] == "KOOPHONE.API.1000"


def test_task_answer_has_the_sdk_shape(sim):
    """ExecuteJobResponse {error_code, error_msg, data: JobDetailWrapper {jobs}}; JobDetail {job_id, status,
    error_code, error_msg, execute_msg}: no instance_id (huaweicloud/huaweicloud-sdk-java-v3:
    services/koophone/.../v1/model/ExecuteJobResponse.java, JobDetailWrapper.java, JobDetail.java).
    Instances map to jobs only through batch-reset's data.cmd_jobs (ResetDataResult, CmdJob)."""
    ids = instance_ids(sim)[:2]
    reset = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": ids}).json()
    assert set(reset) == {"error_code", "error_msg", "data"} and set(reset["data"]) == {"task_id", "cmd_jobs"}
    assert all(set(job) == {"instance_id", "job_id"} for job in reset["data"]["cmd_jobs"])
    task = koophone_call(sim, "GET", f"/v1/instances/tasks/{reset['data']['task_id']}").json()
    assert set(task) == {"error_code", "error_msg", "data"} and set(task["data"]) == {"jobs"}
    assert all(set(job) == {"job_id", "status", "error_code", "error_msg", "execute_msg"} for job in task["data"]["jobs"])
    assert {job["job_id"] for job in task["data"]["jobs"]} == {job["job_id"] for job in reset["data"]["cmd_jobs"]}
