"""WFBS-SVC SMPI: HMAC auth, commands/reset, scheduled reports, customers."""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.simulator.sim_helpers import wfbss_call
from ansible_collections.fleetops.maintenance.simulator.wfbss import sign

WEEKLY = {"type": 3, "setting": {"name": "weekly report", "enabled": 1,
                                 "parameter": {"weekday": 1, "email": 0, "time": 28800, "contents": [{"tbl_type": 100}, {"tbl_type": 101}]}}}


def body(obj):
    return json.dumps(obj).encode("utf-8")


def test_default_customers_are_deterministic_upper_guids(sim, customers):
    response = wfbss_call(sim, "GET", "/customers?limit=100")
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["customers"]]
    assert ids == customers and len(ids) == 25
    assert all(cid == cid.upper() and uuid.UUID(cid) for cid in ids)


def test_correct_signature_accepted_and_reset_recorded(sim, customers):
    response = wfbss_call(sim, "POST", f"/commands/reset?type=livestatus&events=virus_incidents,spyware_incidents&cids={customers[0]},{customers[1]}")
    assert response.status_code == 200
    task = response.json()["task"]
    assert task["status"] == "PENDING" and uuid.UUID(task["id"])
    state = sim.state("wfbss")["customers"]
    assert state[customers[0]]["resets"][-1]["events"] == ["virus_incidents", "spyware_incidents"]
    assert state[customers[1]]["resets"][-1]["task_id"] == task["id"]
    assert state[customers[2]]["resets"] == []
    assert sim.requests[-1]["kind"] == "write"


def test_customers_answer_pages_as_trends_clients_read_them(sim, customers):
    """customers[] + paging{total, limit}, as the TmWfbs PowerShell module pages (paging.total / paging.limit)."""
    first = wfbss_call(sim, "GET", "/customers?page=1&limit=10").json()
    third = wfbss_call(sim, "GET", "/customers?page=3&limit=10").json()
    assert first["paging"]["total"] == 25 and first["paging"]["limit"] == 10
    assert "total" not in first
    assert [c["id"] for c in first["customers"]] == customers[:10]
    assert [c["id"] for c in third["customers"]] == customers[20:]


def test_missing_content_type_refused(sim, customers):
    """Trend lists content-type among the compulsory headers of every request."""
    request_uri = f"/SMPI/v2.8/service/wfbss/api/report?cids={customers[0]}"
    posix_time = str(int(time.time()))
    headers = {"x-access-token": CREDENTIALS.wfbss["access_token"], "x-posix-time": posix_time, "x-traceid": str(uuid.uuid4()),
               "x-signature": sign(CREDENTIALS.wfbss["secret_key"], posix_time, "GET", request_uri, b"")}
    response = requests.get(sim.url + request_uri, headers=headers, timeout=5)
    assert response.status_code == 401
    assert "content-type" in response.json()["error"]


def test_encoded_query_is_signed_as_sent(sim):
    response = wfbss_call(sim, "GET", "/customers?q=Sim%20Customer%20001")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["customers"]] == ["Sim Customer 001"]


@pytest.mark.parametrize("kwargs, message", [
    ({"secret": "wrong-secret"}, "invalid signature"),
    ({"token": str(uuid.uuid4())}, "invalid access token"),
    ({"time_offset": -1000}, "time"),
    ({"signature": "AAAA"}, "invalid signature"),
])
def test_bad_auth_refused(sim, customers, kwargs, message):
    response = wfbss_call(sim, "POST", f"/commands/reset?type=counter&cids={customers[0]}", **kwargs)
    assert response.status_code == 401
    assert message in response.json()["error"]
    assert sim.state("wfbss")["customers"][customers[0]]["resets"] == []


def test_auth_status_and_skew_are_knobs(sim, customers):
    sim.configure(wfbss_auth_status=403, wfbss_clock_skew_seconds=10)
    assert wfbss_call(sim, "GET", f"/report?cids={customers[0]}", time_offset=60).status_code == 403
    assert wfbss_call(sim, "GET", f"/report?cids={customers[0]}", time_offset=5).status_code == 200


def test_missing_header_refused(sim):
    response = requests.get(sim.url + "/SMPI/v2.8/service/wfbss/api/customers", timeout=5)
    assert response.status_code == 401
    assert "x-signature" in response.json()["error"]


@pytest.mark.parametrize("query", [
    "type=reboot&cids={c}",
    "type=counter",
    "type=counter&cids=not-a-guid",
    "type=counter&cids=" + ",".join(str(uuid.uuid4()).upper() for _index in range(11)),
    "type=livestatus&events=bogus&cids={c}",
])
def test_reset_validation(sim, customers, query):
    assert wfbss_call(sim, "POST", "/commands/reset?" + query.format(c=customers[0])).status_code == 400


def test_reset_refuses_body_and_ignores_foreign_customers(sim, customers):
    assert wfbss_call(sim, "POST", f"/commands/reset?type=counter&cids={customers[0]}", body=b"{}").status_code == 400
    foreign = str(uuid.uuid4()).upper()
    response = wfbss_call(sim, "POST", f"/commands/reset?type=counter&events=virus_incidents&cids={foreign},{customers[3]}")
    assert response.status_code == 200
    assert sim.state("wfbss")["customers"][customers[3]]["resets"][-1]["events"] == []


def test_report_create_list_delete(sim, customers):
    cid, other = customers[0], customers[1]
    unknown = str(uuid.uuid4()).upper()
    created = wfbss_call(sim, "POST", f"/report?cids={cid},{other},{unknown}", body=body(WEEKLY)).json()["customers"]
    assert [(c["id"], c["rtid"], c["result"], c["message"]) for c in created] == [(cid, 1, "Done", ""), (other, 1, "Done", "")]
    assert wfbss_call(sim, "POST", f"/report?cids={cid}", body=body(WEEKLY)).json()["customers"][0]["rtid"] == 2
    listed = wfbss_call(sim, "GET", f"/report?cids={cid}&name=weekly%20report").json()["customers"]
    assert listed[0]["id"] == cid and listed[0]["eid"]
    assert [(r["rtid"], r["type"], r["number"], r["setting"]["name"]) for r in listed[0]["reports"]] == [(1, 3, 0, "weekly report"), (2, 3, 0, "weekly report")]
    assert len(wfbss_call(sim, "GET", f"/report?cids={cid}&rtid=2").json()["customers"][0]["reports"]) == 1
    deleted = wfbss_call(sim, "DELETE", f"/report?cids={cid},{unknown}&rtid=1").json()["customers"]
    assert [(d["id"], d["rtid"], d["result"]) for d in deleted] == [(cid, 1, "Done")]
    assert [r["rtid"] for r in sim.state("wfbss")["customers"][cid]["reports"]] == [2]
    assert wfbss_call(sim, "DELETE", f"/report?cids={cid}").status_code == 400
    assert sim.requests[-1]["kind"] == "write"


def test_report_update_keeps_the_report_id(sim, customers):
    """PUT report?cids=&name= (Trend SMPI article 043) changes the settings of the named reports in place."""
    cid = customers[2]
    wfbss_call(sim, "POST", f"/report?cids={cid}", body=body(WEEKLY))
    changed = json.loads(json.dumps(WEEKLY))
    changed["setting"]["parameter"]["time"] = 3600
    updated = wfbss_call(sim, "PUT", f"/report?cids={cid}&name=weekly%20report", body=body(changed)).json()["customers"]
    assert [(u["id"], u["rtid"], u["result"]) for u in updated] == [(cid, 1, "Done")]
    stored = sim.state("wfbss")["customers"][cid]["reports"]
    assert [(r["rtid"], r["setting"]["parameter"]["time"]) for r in stored] == [(1, 3600)]
    missing = wfbss_call(sim, "PUT", f"/report?cids={cid}&name=nope", body=body(changed)).json()["customers"]
    assert missing[0]["result"] == "InternalError"
    assert wfbss_call(sim, "PUT", f"/report?cids={cid}", body=body(changed)).status_code == 400
    assert sim.requests[-1]["kind"] == "write"


def test_report_spec_and_limit_errors(sim, customers):
    cid = customers[5]
    bad = json.loads(json.dumps(WEEKLY))
    bad["setting"]["name"] = "a/b"
    result = wfbss_call(sim, "POST", f"/report?cids={cid}", body=body(bad)).json()["customers"][0]
    assert (result["result"], result["message"]) == ("SpecError", "report template spec error")
    monthly_without_day = {"type": 4, "setting": {"name": "m", "enabled": 1, "parameter": {"email": 0, "time": 0, "contents": [{"tbl_type": 100}]}}}
    assert wfbss_call(sim, "POST", f"/report?cids={cid}", body=body(monthly_without_day)).json()["customers"][0]["result"] == "SpecError"
    for _index in range(10):
        assert wfbss_call(sim, "POST", f"/report?cids={cid}", body=body(WEEKLY)).json()["customers"][0]["result"] == "Done"
    result = wfbss_call(sim, "POST", f"/report?cids={cid}", body=body(WEEKLY)).json()["customers"][0]
    assert (result["result"], result["message"]) == ("LimitError", "over the report limit")


def test_customers_are_visible_only_to_their_account(sim):
    sim.load_seed({"wfbss": {"accounts": [
        {"access_token": "tok-a", "secret_key": "sec-a", "customers": 2},
        {"access_token": "tok-b", "secret_key": "sec-b", "customers": 3},
    ]}})
    a_ids = [c["id"] for c in wfbss_call(sim, "GET", "/customers", token="tok-a", secret="sec-a").json()["customers"]]
    b_ids = [c["id"] for c in wfbss_call(sim, "GET", "/customers", token="tok-b", secret="sec-b").json()["customers"]]
    assert len(a_ids) == 2 and len(b_ids) == 3 and not set(a_ids) & set(b_ids)
    listed = wfbss_call(sim, "GET", f"/report?cids={b_ids[0]}", token="tok-a", secret="sec-a").json()
    assert listed == {"customers": []}
    assert CREDENTIALS.wfbss["secret_key"] not in json.dumps(sim.state("wfbss"))
