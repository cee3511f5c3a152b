"""Trend Micro WFBS-SVC Service Management API (SMPI): HMAC auth, commands/reset, report, customers."""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from .base import SimRequest, SimResponse, VendorApp, is_int, json_response
from .settings import Settings

PATH_RE = re.compile(r"^/SMPI/[^/]+/service/wfbss/api/(?P<resource>.+?)/?$")
GUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
RESET_TYPES = ("counter", "livestatus")
RESET_EVENTS = (
    "virus_incidents", "spyware_incidents", "wtp_incidents", "urlfilter_incidents", "behavior_monitoring_incidents",
    "network_virus_incidents", "virus_unsuccessful", "spyware_unsuccessful", "device_control_incidents",
)
REPORT_LIMIT = 10
CUSTOMERS_PAGE_LIMIT = 100  # the page size Trend's log-feeder sample asks for; larger asks are cut to it (assumption)
REPORT_NAME_FORBIDDEN = set('\\/:;*?"<>|')
TBL_TYPES = {100, 101, 102, 200, 201, 202, 300, 301, 400, 500, 501, 600, 601, 700, 701}
# Trend's "invoking the API" page lists all five as compulsory (content-type included, on every request).
AUTH_HEADERS = ("x-access-token", "x-posix-time", "x-signature", "x-traceid", "content-type")


@dataclass
class WfbssSettings(Settings):
    """The wfbss_* knobs."""

    auth_status: int = 401  # the HTTP status of auth failures
    clock_skew_seconds: float = 900  # the largest |server time - x-posix-time| accepted


class BadRequest(Exception):
    """A validation failure answered with HTTP 400."""


def sign(secret: str, posix_time: str, method: str, request_uri: str, body: bytes) -> str:
    """The x-signature of README §1.2 (also used by the tests to build valid requests)."""
    payload = f"{posix_time}{method.upper()}{request_uri}"
    if body:
        payload += base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
    digest = hmac.new(secret.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def error(status: int, message: str) -> SimResponse:
    """The small JSON error body the simulator uses for SMPI failures (the real format is unknown)."""
    return json_response(status, {"error": message})


def _report_body(request: SimRequest) -> tuple[Any, list[str]]:
    """The JSON body of a report create or update, and what is wrong with its spec."""
    try:
        body = request.json()
    except ValueError as exc:
        raise BadRequest("request body must be JSON") from exc
    return body, _report_spec_errors(body)


def _report_spec_errors(body: Any) -> list[str]:
    """The reasons a report body violates the vendor's validation table (empty when valid)."""
    if not isinstance(body, dict):
        return ["body must be an object"]
    problems = []
    if body.get("type") not in (3, 4) or not is_int(body.get("type")):
        problems.append("type must be 3 or 4")
    setting = body.get("setting")
    if not isinstance(setting, dict):
        return problems + ["setting must be an object"]
    name = setting.get("name")
    if not isinstance(name, str) or not name.strip() or REPORT_NAME_FORBIDDEN & set(name):
        problems.append("setting.name is blank or has a forbidden character")
    if setting.get("enabled") not in (0, 1) or not is_int(setting.get("enabled")):
        problems.append("setting.enabled must be 0 or 1")
    param = setting.get("parameter")
    if not isinstance(param, dict):
        return problems + ["setting.parameter must be an object"]
    checks = [
        (is_int(param.get("time")) and 0 <= param["time"] <= 86399, "time must be 0..86399"),
        (param.get("email") in (0, 1) and is_int(param.get("email")), "email must be 0 or 1"),
        (isinstance(param.get("contents"), list) and bool(param["contents"])
         and all(isinstance(item, dict) and item.get("tbl_type") in TBL_TYPES for item in param["contents"]), "contents[].tbl_type invalid"),
        (body.get("type") != 3 or (is_int(param.get("weekday")) and 0 <= param["weekday"] <= 6), "weekday 0..6 required for weekly"),
        (body.get("type") != 4 or (is_int(param.get("monthday")) and 1 <= param["monthday"] <= 31), "monthday 1..31 required for monthly"),
        (param.get("email") != 1 or (isinstance(param.get("address"), list) and bool(param["address"])
                                     and all(isinstance(a, str) and "@" in a for a in param["address"])), "address required when email=1"),
        ("gids" not in param or (isinstance(param["gids"], list) and all(is_int(g) for g in param["gids"])), "gids must be a list of ints"),
    ]
    return problems + [message for ok, message in checks if not ok]


class WfbssApp(VendorApp):
    """Accounts (token + secret) owning customers; per-customer reports and reset records."""

    name = "wfbss"
    prefixes = ("/SMPI/",)
    settings_class = WfbssSettings
    settings: WfbssSettings

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.accounts: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}

    # ----------------------------------------------------------------- state
    def load(self, section: dict[str, Any]) -> None:
        self.accounts, self.customers = {}, {}
        for account in section["accounts"]:
            token = account["access_token"]
            self.accounts[token] = {"secret_key": account["secret_key"], "customers": [c["id"] for c in account["customers"]]}
            for customer in account["customers"]:
                self.customers[customer["id"]] = {
                    "id": customer["id"],
                    "name": customer["name"],
                    "account": token,
                    "eid": str(uuid.uuid5(uuid.NAMESPACE_OID, "eid-" + customer["id"])).upper(),
                    "reports": [],
                    "next_rtid": 1,
                    "resets": [],
                }

    def state(self) -> dict[str, Any]:
        return {
            "accounts": [{"access_token": token, "customers": account["customers"]} for token, account in self.accounts.items()],
            "customers": {cid: {key: copy.deepcopy(value) for key, value in customer.items() if key != "next_rtid"}
                          for cid, customer in self.customers.items()},
        }

    def request_id(self, request: SimRequest) -> str | None:
        return request.header("x-traceid")

    # ------------------------------------------------------------------ auth
    def _authenticate(self, request: SimRequest) -> tuple[str | None, SimResponse | None]:
        status = self.settings.auth_status
        missing = [name for name in AUTH_HEADERS if not request.header(name)]
        if missing:
            return None, error(status, f"missing header(s): {', '.join(missing)}")
        token = request.header("x-access-token")
        account = self.accounts.get(token)
        if account is None:
            return None, error(status, "invalid access token")
        expected = sign(account["secret_key"], request.header("x-posix-time"), request.method, request.raw_path, request.body)
        if not hmac.compare_digest(expected, request.header("x-signature")):
            return None, error(status, "invalid signature")
        posix_time = request.header("x-posix-time").strip()
        if not posix_time.isdigit() or abs(time.time() - int(posix_time)) > self.settings.clock_skew_seconds:
            return None, error(status, "x-posix-time is outside the allowed time window")
        return token, None

    def _cids(self, request: SimRequest, token: str) -> list[str]:
        """Validated cids (1-10 GUIDs) that exist AND belong to the account (others dropped silently)."""
        raw = request.query.get("cids", "")
        cids = [cid.strip().upper() for cid in raw.split(",") if cid.strip()]
        if not 1 <= len(cids) <= 10 or not all(GUID_RE.match(cid) for cid in cids):
            raise BadRequest("cids must hold 1 to 10 customer GUIDs separated by commas")
        return [cid for cid in dict.fromkeys(cids) if self.customers.get(cid, {}).get("account") == token]

    # -------------------------------------------------------------- handlers
    def handle(self, request: SimRequest) -> SimResponse:
        token, failure = self._authenticate(request)
        if failure is not None:
            return failure
        match = PATH_RE.match(request.path)
        routes = {
            ("POST", "commands/reset"): self._reset,
            ("GET", "report"): self._report_list,
            ("POST", "report"): self._report_create,
            ("PUT", "report"): self._report_update,
            ("DELETE", "report"): self._report_delete,
            ("GET", "customers"): self._customers,
        }
        handler = routes.get((request.method, match.group("resource"))) if match else None
        if handler is None:
            return error(404, f"no such resource: {request.method} {request.path}")
        try:
            return handler(request, token)
        except BadRequest as exc:
            return error(400, str(exc))

    def _reset(self, request: SimRequest, token: str) -> SimResponse:
        if request.body:
            raise BadRequest("commands/reset does not take a request body")
        reset_type = request.query.get("type")
        if reset_type not in RESET_TYPES:
            raise BadRequest("type must be counter or livestatus")
        events = [event.strip() for event in request.query.get("events", "").split(",") if event.strip()]
        if any(event not in RESET_EVENTS for event in events):
            raise BadRequest("events must be taken from: " + ", ".join(RESET_EVENTS))
        cids = self._cids(request, token)
        task_id = str(uuid.uuid4())
        record = {
            "type": reset_type,
            # events only take effect with livestatus; omitted events mean "all live status"
            "events": (events or list(RESET_EVENTS)) if reset_type == "livestatus" else [],
            "time": time.time(),
            "task_id": task_id,
        }
        for cid in cids:
            self.customers[cid]["resets"].append(dict(record))
        return json_response(200, {"task": {"status": "PENDING", "id": task_id}})

    def _report_list(self, request: SimRequest, token: str) -> SimResponse:
        name, rtid = request.query.get("name"), request.query.get("rtid")
        if rtid is not None and not rtid.isdigit():
            raise BadRequest("rtid must be an integer")
        customers = []
        for cid in self._cids(request, token):
            customer = self.customers[cid]
            reports = [r for r in customer["reports"] if (name is None or r["setting"].get("name") == name)
                       and (rtid is None or r["rtid"] == int(rtid))]
            customers.append({"id": cid, "eid": customer["eid"], "reports": copy.deepcopy(reports)})
        return json_response(200, {"customers": customers})

    def _report_create(self, request: SimRequest, token: str) -> SimResponse:
        cids = self._cids(request, token)
        body, spec_errors = _report_body(request)
        results = []
        for cid in cids:
            customer = self.customers[cid]
            entry = {"rtid": 0, "message": "", "id": cid, "result": "Done", "eid": customer["eid"]}
            if spec_errors:
                entry.update(result="SpecError", message="report template spec error")
            elif len(customer["reports"]) >= REPORT_LIMIT:
                entry.update(result="LimitError", message="over the report limit")
            else:
                entry["rtid"] = customer["next_rtid"]
                customer["next_rtid"] += 1
                customer["reports"].append({"rtid": entry["rtid"], "type": body["type"], "number": 0, "setting": copy.deepcopy(body["setting"])})
            results.append(entry)
        return json_response(200, {"customers": results})

    @staticmethod
    def _selected(request: SimRequest) -> tuple[str | None, str | None]:
        """The report selector of PUT and DELETE: name or rtid, one of them required."""
        name, rtid = request.query.get("name"), request.query.get("rtid")
        if name is None and rtid is None:
            raise BadRequest("name or rtid is required")
        if rtid is not None and not rtid.isdigit():
            raise BadRequest("rtid must be an integer")
        return name, rtid

    @staticmethod
    def _matching(customer: dict[str, Any], name: str | None, rtid: str | None) -> list[dict[str, Any]]:
        return [r for r in customer["reports"] if (rtid is not None and r["rtid"] == int(rtid))
                or (rtid is None and r["setting"].get("name") == name)]

    def _report_update(self, request: SimRequest, token: str) -> SimResponse:
        name, rtid = self._selected(request)
        cids = self._cids(request, token)
        body, spec_errors = _report_body(request)
        results = []
        for cid in cids:
            customer = self.customers[cid]
            matching = self._matching(customer, name, rtid)
            if spec_errors:
                results.append({"rtid": 0, "message": "report template spec error", "id": cid, "result": "SpecError", "eid": customer["eid"]})
                continue
            if not matching:
                results.append({"rtid": int(rtid or 0), "message": "report not found", "id": cid, "result": "InternalError", "eid": customer["eid"]})
            for report in matching:  # the report keeps its rtid and its history (number)
                report.update(type=body["type"], setting=copy.deepcopy(body["setting"]))
                results.append({"rtid": report["rtid"], "message": "", "id": cid, "result": "Done", "eid": customer["eid"]})
        return json_response(200, {"customers": results})

    def _report_delete(self, request: SimRequest, token: str) -> SimResponse:
        name, rtid = self._selected(request)
        results = []
        for cid in self._cids(request, token):
            customer = self.customers[cid]
            doomed = self._matching(customer, name, rtid)
            if not doomed:
                results.append({"rtid": int(rtid or 0), "message": "report not found", "id": cid, "result": "InternalError", "eid": customer["eid"]})
            for report in doomed:
                customer["reports"].remove(report)
                results.append({"rtid": report["rtid"], "message": "", "id": cid, "result": "Done", "eid": customer["eid"]})
        return json_response(200, {"customers": results})

    def _customers(self, request: SimRequest, token: str) -> SimResponse:
        ids = self.accounts[token]["customers"]
        if request.query.get("cids"):
            wanted = set(self._cids(request, token))
            ids = [cid for cid in ids if cid in wanted]
        if request.query.get("q"):
            ids = [cid for cid in ids if request.query["q"].lower() in self.customers[cid]["name"].lower()]
        total = len(ids)
        page, limit = request.query.get("page", "1"), request.query.get("limit", str(CUSTOMERS_PAGE_LIMIT))
        if not (page.isdigit() and limit.isdigit() and int(page) >= 1 and int(limit) >= 1):
            raise BadRequest("page and limit must be positive integers")
        limit_used = min(int(limit), CUSTOMERS_PAGE_LIMIT)
        start = (int(page) - 1) * limit_used
        ids = ids[start:start + limit_used]
        # customers[] + paging{total, limit}: the shape Trend's clients page by (README "Sources", WFBS customers)
        return json_response(200, {"customers": [{"id": cid, "name": self.customers[cid]["name"]} for cid in ids],
                                   "paging": {"total": total, "limit": limit_used}})
