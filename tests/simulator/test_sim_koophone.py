"""KooPhone: IAM tokens, batch-reset validation and errors, status polling, listing, tasks."""
from __future__ import annotations

import time

import pytest
import requests

from sim_helpers import koophone_call, wait_until

IAM_BODY = {"auth": {
    "identity": {"methods": ["password"], "password": {"user": {"name": "sim-user", "password": "sim-password", "domain": {"name": "sim-domain"}}}},
    "scope": {"project": {"name": "cn-south-1"}},
}}


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
    assert "sim-password" not in str(sim.requests)


def test_iam_token_answer_has_the_sdk_shape(sim):
    """huaweicloudsdkiam 3.1.219 TokenResult: methods, issued_at, expires_at, user {id, name, domain {id, name}},
    project {id, name, domain {id, name}} (huaweicloudsdkiam/v3/model/token_result.py, token_user_result.py,
    token_project_result.py)."""
    token = requests.post(sim.url + "/v3/auth/tokens", json=IAM_BODY, timeout=5).json()["token"]
    assert {"methods", "issued_at", "expires_at", "user", "project"} <= set(token)
    assert set(token["user"]) >= {"id", "name", "domain"} and set(token["user"]["domain"]) == {"id", "name"}
    assert set(token["project"]) == {"id", "name", "domain"} and set(token["project"]["domain"]) == {"id", "name"}
    assert token["project"]["domain"] == token["user"]["domain"] and token["user"]["domain"]["name"] == "sim-domain"
    assert all(len(value) == 32 for value in (token["user"]["id"], token["project"]["id"], token["user"]["domain"]["id"]))


def test_iam_wrong_password_and_token_expiry(sim):
    bad = {"auth": dict(IAM_BODY["auth"], identity={"methods": ["password"], "password": {"user": {
        "name": "sim-user", "password": "nope", "domain": {"name": "sim-domain"}}}})}
    assert requests.post(sim.url + "/v3/auth/tokens", json=bad, timeout=5).status_code == 401
    sim.configure(koophone_token_ttl_seconds=1.0)
    token = requests.post(sim.url + "/v3/auth/tokens", json=IAM_BODY, timeout=5).headers["X-Subject-Token"]
    assert koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1", token=token).status_code == 200
    time.sleep(1.1)
    expired = koophone_call(sim, "GET", "/v1/instances/batch-query?page_no=1&page_size=1", token=token)
    assert expired.status_code == 401 and expired.json()["error_code"] == "APIGW.0301"


@pytest.mark.parametrize("token", [None, "bogus"])
def test_bad_token_refused(sim, token):
    response = koophone_call(sim, "POST", "/v1/instances/batch-reset", {"instance_ids": instance_ids(sim)[:1]}, token=token)
    assert response.status_code == 401
    assert response.json() == {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}


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
