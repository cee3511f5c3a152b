"""Huawei Cloud KooPhone: IAM password tokens, AK/SK signatures, batch-reset, batch-query-status, batch-query, tasks."""
from __future__ import annotations

import calendar
import copy
import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, quote

from .base import SimRequest, SimResponse, VendorApp, iso_utc, json_response
from .settings import Settings

MAX_BATCH = 32
MAX_ID_LENGTH = 32
# While a reset runs the instance's status is 4: "resetting" (重置中) in the SDK's InstanceStatus
# (huaweicloud/huaweicloud-sdk-java-v3, services/koophone/src/main/java/com/huaweicloud/sdk/koophone/v1/model/
# InstanceStatus.java), "starting" in StatusResult.java (batch-query-status's model, the 2024 enum), where running is 2.
STATUS_RUNNING, STATUS_STARTING = 2, 4
JOB_RUNNING, JOB_SUCCESS, JOB_FAILED = 1, 2, -1
TASK_RE = re.compile(r"^/v1/instances/tasks/(?P<task_id>[^/]+)$")
# API gateway refusals: the bodies of Huawei's API Request Signing Guide, FAQ "Common Errors Related to IAM
# Authentication Information" (the HTTP status 401 is an assumption).
BAD_TOKEN = "Incorrect IAM authentication information: decrypt token fail"
BAD_SIGNATURE = "Incorrect IAM authentication information: verify aksk signature fail"
UNKNOWN_AK = "Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist"
AKSK_ALGORITHM = "SDK-HMAC-SHA256"
AKSK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
AKSK_WINDOW_SECONDS = 15 * 60  # the guide: X-Sdk-Date within 15 minutes of the gateway's clock
AUTHORIZATION_RE = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$")


@dataclass
class KooPhoneSettings(Settings):
    """The koophone_* knobs."""

    token_ttl_seconds: float = 86400  # lifetime of IAM-issued tokens (static tokens never expire)
    # "2025": a batch-reset success has data.task_id and cmd_jobs; "2024": only error_code and error_msg
    response_shape: Literal["2025", "2024"] = "2025"
    # an unknown instance in batch-reset: "401" = HTTP 401 KOOPHONE.API.1001, "200" = HTTP 200 KOOPHONE.API.1012
    foreign_instance: Literal["401", "200"] = "401"
    job_seconds: float = 1.0  # how long a reset job runs
    job_fail_ids: list[str] = field(default_factory=list)  # instances whose reset job ends with status -1


def gateway_refusal(message: str) -> SimResponse:
    """401 with the API gateway's APIGW.0301 body."""
    return json_response(401, {"error_msg": message, "error_code": "APIGW.0301", "request_id": uuid.uuid4().hex})


def aksk_canonical_request(request: SimRequest, signed_headers: list[str]) -> str:
    """The canonical request of an SDK-HMAC-SHA256 signature, rebuilt from the request as received.

    Same rules as huaweicloudsdkcore's Signer: the decoded path re-encoded per segment with a trailing slash,
    the decoded query sorted and re-encoded, `name:value` of every signed header, the hex SHA-256 of the body.
    """
    def encode(text: str) -> str:
        return quote(text, safe="~")

    uri = "/".join(encode(segment) for segment in request.path.split("/"))
    uri = uri if uri.endswith("/") else uri + "/"
    pairs = sorted(parse_qsl(request.query_string, keep_blank_values=True))
    query = "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)
    headers = "".join(f"{name}:{(request.header(name) or '').strip()}\n" for name in signed_headers)
    body_hash = hashlib.sha256(request.body).hexdigest()
    return "\n".join([request.method, uri, query, headers, ";".join(signed_headers), body_hash])


def aksk_signature(secret_key: str, sdk_date: str, canonical: str) -> str:
    string_to_sign = "\n".join([AKSK_ALGORITHM, sdk_date, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    return hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def result(status: int, code: str, message: str, data: Any = None) -> SimResponse:
    """A KooPhone body: error_code, error_msg and optional data."""
    body: dict[str, Any] = {"error_code": code, "error_msg": message}
    if data is not None:
        body["data"] = data
    return json_response(status, body)


def sim_id(kind: str, name: str) -> str:
    """A stable 32-hex-digit IAM id for a named user, domain or project."""
    return uuid.uuid5(uuid.NAMESPACE_DNS, f"{kind}.{name}").hex


def list_answer(status: int, code: str, message: str, **fields: Any) -> SimResponse:
    """A batch-query body: everything, error_code and error_msg included, inside `data`."""
    return json_response(status, {"data": dict(fields, error_code=code, error_msg=message)})


def bad_request(message: str) -> SimResponse:
    """400 KOOPHONE.API.1000 (bad request parameter)."""
    return result(400, "KOOPHONE.API.1000", f"Invalid request parameter: {message}")


class KooPhoneApp(VendorApp):
    """Instances, reset tasks/jobs that finish after a delay, IAM users and tokens."""

    name = "koophone"
    prefixes = ("/v1/instances", "/v3/auth/tokens")
    settings_class = KooPhoneSettings
    settings: KooPhoneSettings

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.static_tokens: set[str] = set()
        self.users: list[dict[str, str]] = []
        self.access_keys: dict[str, dict[str, str]] = {}  # AK -> {access_key, secret_key, project_id}
        self.tokens: dict[str, float] = {}  # issued token -> expiry (epoch seconds)
        self.instances: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}

    # ----------------------------------------------------------------- state
    def load(self, section: dict[str, Any]) -> None:
        self.static_tokens = set(section["tokens"])
        self.users = section["users"]
        self.access_keys = {pair["access_key"]: pair for pair in section["access_keys"]}
        self.tokens = {}
        self.instances = {item["instance_id"]: dict(item, job=None) for item in section["instances"]}
        self.tasks = {}

    @staticmethod
    def _job_status(job: dict[str, Any]) -> int:
        if time.time() < job["ends_at"]:
            return JOB_RUNNING
        return JOB_FAILED if job["fail"] else JOB_SUCCESS

    def _instance_status(self, instance: dict[str, Any]) -> int:
        job = instance["job"]
        return STATUS_STARTING if job is not None and self._job_status(job) == JOB_RUNNING else STATUS_RUNNING

    def _job_view(self, job: dict[str, Any]) -> dict[str, Any]:
        """A job as tasks/{task_id} shows it: SDK JobDetail has no instance_id (cmd_jobs maps jobs to instances)."""
        status = self._job_status(job)
        failed = status == JOB_FAILED
        return {
            "job_id": job["job_id"],
            "status": status,
            "error_code": "KOOPHONE.API.9999" if failed else "0",
            "error_msg": "reset failed (simulated)" if failed else "ok",
            "execute_msg": {JOB_RUNNING: "resetting", JOB_SUCCESS: "reset finished", JOB_FAILED: "reset failed"}[status],
        }

    def _instance_view(self, instance: dict[str, Any]) -> dict[str, Any]:
        keys = ("instance_id", "instance_name", "region", "instance_sku", "frozen_status")
        return dict({key: instance[key] for key in keys}, running_status=self._instance_status(instance))

    def state(self) -> dict[str, Any]:
        instances = {}
        for iid, instance in self.instances.items():
            view = self._instance_view(instance)
            view["resets"] = instance.get("resets", 0)
            view["last_task_id"] = instance["job"]["task_id"] if instance["job"] else None
            instances[iid] = view
        tasks = {tid: {"task_id": tid, "created": task["created"],
                       "jobs": [dict(self._job_view(job), instance_id=job["instance_id"]) for job in task["jobs"]]}
                 for tid, task in self.tasks.items()}
        return {"instances": instances, "tasks": tasks, "issued_tokens": len(self.tokens)}

    def kind(self, request: SimRequest) -> str:
        if request.path.startswith("/v3/auth/tokens"):
            return "auth"
        if request.method == "GET" or request.path == "/v1/instances/batch-query-status":
            return "read"
        return "write"

    def vendor_error(self, code: Any, text: str) -> Any:
        return {"error_code": str(code or "KOOPHONE.API.9999"), "error_msg": text}

    def accepted(self, response: SimResponse) -> bool:
        body = response.body if isinstance(response.body, dict) else {}
        code = body.get("error_code", (body.get("data") or {}).get("error_code", "0"))
        return response.status < 400 and code == "0"

    # ---------------------------------------------------------------- routes
    def handle(self, request: SimRequest) -> SimResponse:
        if request.path == "/v3/auth/tokens":
            if request.method != "POST":
                return json_response(405, {"error": {"code": "405", "message": "Method not allowed"}})
            return self._issue_token(request)
        refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        routes = {
            ("POST", "/v1/instances/batch-reset"): self._batch_reset,
            ("POST", "/v1/instances/batch-query-status"): self._batch_query_status,
            ("GET", "/v1/instances/batch-query"): self._batch_query,
        }
        handler = routes.get((request.method, request.path.rstrip("/")))
        if handler is not None:
            return handler(request)
        match = TASK_RE.match(request.path)
        if request.method == "GET" and match:
            return self._task(match.group("task_id"))
        return result(404, "KOOPHONE.API.1000", f"Unknown API: {request.method} {request.path}")

    def _authenticate(self, request: SimRequest) -> SimResponse | None:
        """An AK/SK signature when the request carries one (Authorization: SDK-HMAC-SHA256 ...), else X-Auth-Token."""
        authorization = request.header("Authorization") or ""
        if authorization.startswith(AKSK_ALGORITHM):
            return self._signature_refusal(request, authorization)
        return None if self._token_ok(request.header("X-Auth-Token")) else gateway_refusal(BAD_TOKEN)

    def _signature_refusal(self, request: SimRequest, authorization: str) -> SimResponse | None:
        """Why an AK/SK-signed request is refused, or None when its signature holds."""
        match = AUTHORIZATION_RE.match(authorization.strip())
        if match is None:
            return gateway_refusal(BAD_SIGNATURE)
        access_key, signed, signature = match.groups()
        pair = self.access_keys.get(access_key)
        if pair is None:
            return gateway_refusal(UNKNOWN_AK)
        sdk_date = request.header("X-Sdk-Date") or ""
        try:
            signed_at = calendar.timegm(time.strptime(sdk_date, AKSK_DATE_FORMAT))
        except ValueError:
            return gateway_refusal(BAD_SIGNATURE)
        if abs(time.time() - signed_at) > AKSK_WINDOW_SECONDS:
            return gateway_refusal(BAD_SIGNATURE)
        signed_headers = signed.split(";")
        # Host and the date must be signed, and every signed header present (an assumption: a gateway that
        # skipped them could not tell a replayed or redirected request).
        if not {"host", "x-sdk-date"} <= set(signed_headers) or any(request.header(name) is None for name in signed_headers):
            return gateway_refusal(BAD_SIGNATURE)
        expected = aksk_signature(pair["secret_key"], sdk_date, aksk_canonical_request(request, signed_headers))
        if not hmac.compare_digest(expected, signature):
            return gateway_refusal(BAD_SIGNATURE)
        project_id = request.header("X-Project-Id")
        if project_id is not None and pair.get("project_id") and project_id != pair["project_id"]:
            return result(200, "KOOPHONE.API.0004", f"The project {project_id} does not exist")
        return None

    def _token_ok(self, token: str | None) -> bool:
        if not token:
            return False
        if token in self.static_tokens:
            return True
        expiry = self.tokens.get(token)
        return expiry is not None and time.time() < expiry

    def _issue_token(self, request: SimRequest) -> SimResponse:
        denied = json_response(401, {"error": {"code": "401", "message": "The username or password is wrong.", "title": "Unauthorized"}})
        try:
            auth = request.json()["auth"]
            identity = auth["identity"]
            user = identity["password"]["user"]
            project = auth["scope"]["project"]["name"]
        except (ValueError, KeyError, TypeError):
            return json_response(400, {"error": {"code": "400", "message": "Request body is invalid (password identity and project scope by name required).",
                                                 "title": "Bad Request"}})
        domain = (user.get("domain") or {}).get("name")
        for known in self.users:
            if (known["username"], known["domain_name"]) == (user.get("name"), domain) and known["password"] == user.get("password"):
                if known["project_name"] != project:
                    return json_response(400, {"error": {"code": "400", "message": "project not found", "title": "Bad Request"}})
                token = "MII" + secrets.token_urlsafe(48)
                issued = time.time()
                expires = issued + self.settings.token_ttl_seconds
                self.tokens[token] = expires
                # huaweicloudsdkiam's TokenResult: user {id, name, domain {id, name}}, project {id, name, domain}
                # (no service catalog or roles here: the simulator serves none).
                domain_ref = {"name": known["domain_name"], "id": sim_id("domain", known["domain_name"])}
                body = {"token": {
                    "methods": ["password"],
                    "issued_at": iso_utc(issued),
                    "expires_at": iso_utc(expires),
                    "user": {"name": known["username"], "id": sim_id("user", known["username"]), "domain": domain_ref},
                    "project": {"name": project, "id": sim_id("project", project), "domain": domain_ref},
                }}
                return json_response(201, body, {"X-Subject-Token": token})
        return denied

    @staticmethod
    def _instance_ids(request: SimRequest, limit: int | None) -> list[str] | SimResponse:
        try:
            ids = request.json().get("instance_ids")
        except (ValueError, AttributeError):
            return bad_request("body must be a JSON object with instance_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(iid, str) and iid for iid in ids):
            return bad_request("instance_ids must be a non-empty list of strings")
        if limit is not None and len(ids) > limit:
            return bad_request(f"instance_ids holds more than {limit} items")
        if any(len(iid) > MAX_ID_LENGTH for iid in ids):
            return bad_request(f"an instance id is longer than {MAX_ID_LENGTH} characters")
        return list(dict.fromkeys(ids))

    def _batch_reset(self, request: SimRequest) -> SimResponse:
        if not request.header("x-request-id"):
            return result(200, "KOOPHONE.API.0002", "The request header x-request-id is missing")
        ids = self._instance_ids(request, MAX_BATCH)
        refusal = ids if isinstance(ids, SimResponse) else self._reset_refusal(ids)
        if refusal is not None:
            return refusal
        task_id = uuid.uuid4().hex
        ends_at = time.time() + self.settings.job_seconds
        fail_ids = set(self.settings.job_fail_ids)
        jobs = []
        for iid in ids:
            job = {"job_id": uuid.uuid4().hex, "instance_id": iid, "task_id": task_id, "ends_at": ends_at, "fail": iid in fail_ids}
            jobs.append(job)
            self.instances[iid]["job"] = job
            self.instances[iid]["resets"] = self.instances[iid].get("resets", 0) + 1
        self.tasks[task_id] = {"created": time.time(), "jobs": jobs}
        if self.settings.response_shape == "2024":
            return result(200, "0", "ok")
        cmd_jobs = [{"instance_id": job["instance_id"], "job_id": job["job_id"]} for job in jobs]
        return result(200, "0", "ok", {"task_id": task_id, "cmd_jobs": cmd_jobs})

    def _reset_refusal(self, ids: list[str]) -> SimResponse | None:
        """Why a whole batch is refused (unknown, frozen or already resetting instances); None if it may go."""
        unknown = [iid for iid in ids if iid not in self.instances]
        if unknown:
            if self.settings.foreign_instance == "401":
                return result(401, "KOOPHONE.API.1001", f"No permission on instances: {','.join(unknown)}")
            return result(200, "KOOPHONE.API.1012", f"Instances do not belong to the tenant: {','.join(unknown)}")
        frozen = [iid for iid in ids if self.instances[iid]["frozen_status"] == 1]
        if frozen:
            return result(200, "KOOPHONE.API.2004", f"Instance frozen: {','.join(frozen)}")
        busy = [iid for iid in ids if self._instance_status(self.instances[iid]) == STATUS_STARTING]
        if busy:
            return result(200, "KOOPHONE.API.2005", f"Instance in recovery: {','.join(busy)}")
        return None

    def _batch_query_status(self, request: SimRequest) -> SimResponse:
        ids = self._instance_ids(request, None)
        if isinstance(ids, SimResponse):
            return ids
        results = [{"instance_id": iid, "status": self._instance_status(self.instances[iid])} for iid in ids if iid in self.instances]
        return result(200, "0", "ok", {"status_results": results})

    def _batch_query(self, request: SimRequest) -> SimResponse:
        """ListInstancesResponse: only `data`, with error_code/error_msg inside it (InstanceBatchQueryRspData)."""
        page_no, page_size = request.query.get("page_no", ""), request.query.get("page_size", "")
        if not (page_no.isdigit() and page_size.isdigit() and int(page_no) >= 1 and 1 <= int(page_size) <= 100):
            return list_answer(400, "KOOPHONE.API.1000", "Invalid request parameter: page_no (>= 1) and page_size (1-100) are required")
        items = list(self.instances.values())
        if request.query.get("instance_id"):
            items = [item for item in items if item["instance_id"] == request.query["instance_id"]]
        if request.query.get("instance_name"):
            items = [item for item in items if request.query["instance_name"] in item["instance_name"]]
        start = (int(page_no) - 1) * int(page_size)
        page = [self._instance_view(item) for item in items[start:start + int(page_size)]]
        return list_answer(200, "0", "ok", result=page, page_no=int(page_no), page_size=int(page_size), total_count=len(items))

    def _task(self, task_id: str) -> SimResponse:
        task = self.tasks.get(task_id)
        if task is None:
            return result(404, "KOOPHONE.API.1000", f"Task {task_id} does not exist")
        # ExecuteJobResponse: error_code, error_msg, data = JobDetailWrapper {jobs}
        return result(200, "0", "ok", {"jobs": copy.deepcopy([self._job_view(job) for job in task["jobs"]])})
