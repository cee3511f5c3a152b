"""Palo Alto Networks IoT Security: the legacy public API v4.0 (key headers) and the Strata Cloud Manager
generation (OAuth2 client-credentials tokens, Bearer auth): device/bulkUpdate, device/list and device/ip on both."""
from __future__ import annotations

import base64
import copy
import hmac
import ipaddress
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import parse_qs

from .base import SimRequest, SimResponse, VendorApp, json_response
from .rs256 import RsaSigningKey
from .settings import Settings

UPDATE_SOURCES = ("cellular", "cisco_wlc", "aruba_wlc", "snmp", "sccm", "crowdstrike_falcon", "customAttribute")
MAX_PAGE_LENGTH = 1000
MATCH_KEYS = ("ipAddress", "ipv6Address")
# The DeviceDetails properties of a device/list item the seed knows (components/schemas.yaml); strings all.
LIST_KEYS = ("deviceid", "hostname", "category", "profile", "ip_address", "mac_address", "last_activity")
# GET device/list and GET device/ip: "Rate limiting: 60 times per minute" each (iot.yaml). Whether the two share one
# bucket is undocumented; the simulator makes them share one (the stricter reading).
READ_ROUTES = ("device/list", "device/ip")
BAD_REQUEST = {"code": 400, "msg": "Bad Request. This occurs when an HTTP request contains an invalid query string."}
FORBIDDEN = {"code": 403, "msg": "Forbidden access. Either the provided API key is invalid or it does not have the required RBAC permissions to run this API."}
TOO_MANY = {"code": 429, "msg": "Too many requests. The number of requests for device details for a single device exceeded "
                                "the rate limit of 180 queries per minute per tenant."}
NOT_FOUND = {"code": 404, "msg": "Not found."}

LEGACY_PREFIX = "/pub/v4.0/"
SCM_PREFIX = "/iot/pub/v1/"
# Three sources, three token paths: the SCM docs (/oauth2/access_token), AuthService.yaml
# (/auth/v1/oauth2/access_token) and pan-scm-sdk (/am/oauth2/access_token). pan-scm-sdk fetches the signing keys
# from the token URL's directory + /connect/jwk_uri.
TOKEN_PATHS = ("/oauth2/access_token", "/auth/v1/oauth2/access_token", "/am/oauth2/access_token")
JWKS_PATHS = tuple(path.rsplit("/", 1)[0] + "/connect/jwk_uri" for path in TOKEN_PATHS)
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass
class IotSettings(Settings):  # pylint: disable=too-many-instance-attributes
    """The iot_* knobs."""

    rate_limit_per_minute: float | None = 180  # per-tenant bucket of everything but device/list (None: unlimited)
    rate_burst: float | None = None  # its size (None: the per-minute rate)
    list_rate_limit_per_minute: float | None = 60  # the per-tenant bucket of GET device/list and device/ip
    list_rate_burst: float | None = None
    retry_after: float | None = None  # the vendor documents no Retry-After; a number adds it to 429s
    token_ttl_seconds: float = 899  # how long an issued Strata Cloud Manager token is honoured (and its exp)
    token_expires_in: int | None = None  # the expires_in announced (None: the ttl in whole seconds)
    scm_auth_status: Literal[401, 403] = 401  # the answer to a missing, unknown or expired Bearer token


def address_key(text: str) -> str:
    """How devices are matched: by address value, so any notation of one IPv6 address matches (an assumption)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


def oauth_error(status: int, error: str, description: str) -> SimResponse:
    """An OAuth 2.0 error answer (RFC 6749 section 5.2)."""
    return json_response(status, {"error": error, "error_description": description}, {"Cache-Control": "no-store"})


class IotApp(VendorApp):
    """Tenants with devices; a tenant has a legacy key pair (customerid), Strata Cloud Manager client credentials
    (tsg_id), or both. Per-tenant token buckets; OAuth2 tokens with a lifetime."""

    name = "iot"
    prefixes = (LEGACY_PREFIX, SCM_PREFIX, "/oauth2/", "/auth/v1/oauth2/", "/am/oauth2/")
    settings_class = IotSettings
    settings: IotSettings

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.tenants: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}  # issued access token -> {"tenant": id, "expires": epoch}
        self.token_requests: list[dict[str, Any]] = []
        self._signing_key: RsaSigningKey | None = None

    def load(self, section: dict[str, Any]) -> None:
        self.tenants = {}
        self.tokens = {}
        self.token_requests = []
        for tenant in section["tenants"]:
            devices = [dict(device, attributes={}, custom_attributes={}, updates=0, last_update_source=None,
                            last_update_time=None) for device in tenant["devices"]]
            by_ip: dict[str, list[dict[str, Any]]] = {}
            by_id: dict[str, dict[str, Any]] = {}
            for device in devices:
                by_id[device["deviceid"].lower()] = device
                for address in (device["ip_address"], device["ipv6_address"]):
                    if address:
                        by_ip.setdefault(address_key(address), []).append(device)
            tenant_id = tenant["customer_id"] or tenant["tsg_id"]
            self.tenants[tenant_id] = dict(tenant, id=tenant_id, devices=devices, by_ip=by_ip, by_id=by_id, bulk_updates=0,
                                           last_bulk_update=None, issued_tokens=0)

    def state(self) -> dict[str, Any]:
        tenants = {}
        for tenant_id, tenant in self.tenants.items():
            tenants[tenant_id] = {
                "customer_id": tenant["customer_id"], "tsg_id": tenant["tsg_id"], "client_id": tenant["client_id"],
                "bulk_updates": tenant["bulk_updates"], "issued_tokens": tenant["issued_tokens"],
                "last_bulk_update": copy.deepcopy(tenant["last_bulk_update"]), "devices": copy.deepcopy(tenant["devices"]),
            }
        return {"tenants": tenants, "token_requests": copy.deepcopy(self.token_requests)}

    def kind(self, request: SimRequest) -> str:
        if not request.path.startswith((LEGACY_PREFIX, SCM_PREFIX)):
            return "auth"
        return "read" if request.method == "GET" else "write"

    def vendor_error(self, code: Any, text: str) -> Any:
        return {"code": code or 500, "msg": text}

    @property
    def signing_key(self) -> RsaSigningKey:
        if self._signing_key is None:
            self._signing_key = RsaSigningKey()
        return self._signing_key

    # ---------------------------------------------------------------- routes
    def handle(self, request: SimRequest) -> SimResponse:
        path = request.path.rstrip("/")
        if path in TOKEN_PATHS:
            return self._token(request)
        if path in JWKS_PATHS and request.method == "GET":
            return json_response(200, {"keys": [self.signing_key.jwk()]})
        if request.path.startswith(SCM_PREFIX):
            tenant_or_refusal = self._bearer_tenant(request)
            if isinstance(tenant_or_refusal, SimResponse):
                return tenant_or_refusal
            return self._route(request, tenant_or_refusal, request.path[len(SCM_PREFIX):].rstrip("/"))
        if request.path.startswith(LEGACY_PREFIX):
            tenant = self.tenants.get(request.query.get("customerid", ""))
            key_id, access_key = request.header("X-Key-Id"), request.header("X-Access-Key")
            if (tenant is None or not tenant["key_id"] or not key_id or not access_key
                    or not hmac.compare_digest(key_id, tenant["key_id"])
                    or not hmac.compare_digest(access_key, tenant["access_key"])):
                return json_response(403, dict(FORBIDDEN))
            return self._route(request, tenant, request.path[len(LEGACY_PREFIX):].rstrip("/"))
        return json_response(404, {"error": "not_found", "error_description": f"no simulated API at {request.path}"})

    def _route(self, request: SimRequest, tenant: dict[str, Any], route: str) -> SimResponse:
        """The API calls, the same on both generations."""
        if request.method == "GET" and route in READ_ROUTES:
            limited = self._throttle(tenant["id"] + "/reads", self.settings.list_rate_limit_per_minute, self.settings.list_rate_burst)
            if limited:
                return limited
            return self._device_list(request, tenant) if route == "device/list" else self._device_by_ip(request, tenant)
        limited = self._throttle(tenant["id"], self.settings.rate_limit_per_minute, self.settings.rate_burst)
        if limited:
            return limited
        if (request.method, route) == ("PUT", "device/bulkUpdate"):
            return self._bulk_update(request, tenant)
        return json_response(404, dict(NOT_FOUND))

    # ------------------------------------------------------------ SCM tokens
    def _token(self, request: SimRequest) -> SimResponse:
        """POST <token path>: OAuth 2.0 client credentials (RFC 6749 section 4.4), the client authenticated with
        HTTP Basic (the SCM docs) or with client_id / client_secret in the form (pan-scm-sdk), not both."""
        record: dict[str, Any] = {"path": request.path, "method": request.method,
                                  "content_type": request.header("Content-Type"), "client_auth": None,
                                  "client_id": None, "form": None, "raw_form": None, "status": None}
        self.token_requests.append(record)
        response = self._token_answer(request, record)
        record["status"] = response.status
        return response

    def _token_answer(self, request: SimRequest, record: dict[str, Any]) -> SimResponse:
        if request.method != "POST":
            return oauth_error(405, "invalid_request", "use POST")
        if (request.header("Content-Type") or "").split(";")[0].strip().lower() != FORM_TYPE:
            return oauth_error(400, "invalid_request", f"the body must be {FORM_TYPE}")
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return oauth_error(400, "invalid_request", "the body is not UTF-8")
        form = {name: values[0] for name, values in parse_qs(text, keep_blank_values=True).items()}
        record["form"] = {name: value for name, value in form.items() if name != "client_secret"}
        record["raw_form"] = None if "client_secret" in form else text
        basic = self._basic_credentials(request.header("Authorization"))
        in_form = "client_id" in form or "client_secret" in form
        if basic is not None and in_form:
            return oauth_error(400, "invalid_request", "more than one client authentication method")
        if basic is not None:
            record["client_auth"] = "basic"
            client_id, client_secret = basic
        elif in_form:
            record["client_auth"] = "body"
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        else:
            return oauth_error(401, "invalid_client", "client authentication failed")
        record["client_id"] = client_id
        if form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
        tenant = next((candidate for candidate in self.tenants.values() if candidate["client_id"]
                       and hmac.compare_digest(candidate["client_id"], client_id)
                       and hmac.compare_digest(candidate["client_secret"], client_secret)), None)
        if tenant is None:
            return oauth_error(401, "invalid_client", "client authentication failed")
        if form.get("scope") != f"tsg_id:{tenant['tsg_id']}":
            return oauth_error(400, "invalid_scope", "the scope must be tsg_id:<the TSG of the service account>")
        return self._issue(tenant)

    @staticmethod
    def _basic_credentials(header: str | None) -> tuple[str, str] | None:
        if not header or not header[:6].lower() == "basic ":
            return None
        try:
            client_id, separator, client_secret = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return (client_id, client_secret) if separator else None

    def _issue(self, tenant: dict[str, Any]) -> SimResponse:
        key = self.signing_key  # made on first use (about a second): the lifetime starts after it
        now = time.time()
        lifetime = self.settings.token_ttl_seconds
        reported = self.settings.token_expires_in
        expires_in = int(lifetime) if reported is None else reported
        scope = f"profile tsg_id:{tenant['tsg_id']} email"
        token = key.jwt({
            "sub": tenant["client_id"], "aud": tenant["client_id"], "scope": scope, "tsg_id": tenant["tsg_id"],
            "iat": int(now), "exp": int(now + lifetime), "jti": str(uuid.uuid4()),
        })
        self.tokens[token] = {"tenant": tenant["id"], "expires": now + lifetime}
        tenant["issued_tokens"] += 1
        return json_response(200, {"access_token": token, "scope": scope, "token_type": "Bearer", "expires_in": expires_in},
                             {"Cache-Control": "no-store"})

    def _bearer_tenant(self, request: SimRequest) -> dict[str, Any] | SimResponse:
        """The tenant of a valid Bearer token, or the refusal (status from the iot_scm_auth_status knob)."""
        header = request.header("Authorization") or ""
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        issued = self.tokens.get(token)
        if issued is not None and time.time() < issued["expires"]:
            return self.tenants[issued["tenant"]]
        if self.settings.scm_auth_status == 403:
            return json_response(403, dict(FORBIDDEN))
        message = "Key Expired" if issued is not None else "Not Authenticated"
        return json_response(401, {"_errors": [{"code": "E016", "message": message, "details": {}}],
                                   "_request_id": str(uuid.uuid4())})

    # ------------------------------------------------------------- the API
    def _throttle(self, key: str, rate: float | None, burst: float | None) -> SimResponse | None:
        """429 when the bucket `key` is empty; None when the request may proceed (or no rate is set)."""
        if rate is None:
            return None
        if self.limiter.allow(key, float(rate), float(rate if burst is None else burst)):
            return None
        headers = {}
        if self.settings.retry_after is not None:
            headers["Retry-After"] = str(self.settings.retry_after)
        return json_response(429, dict(TOO_MANY), headers)

    def _bulk_update(self, request: SimRequest, tenant: dict[str, Any]) -> SimResponse:
        source = request.query.get("updateSource")
        try:
            body = request.json()
            devicelist = body.get("devicelist")
        except (ValueError, AttributeError):
            body = devicelist = None
        if source not in UPDATE_SOURCES or not isinstance(devicelist, list) or not all(isinstance(item, dict) for item in devicelist):
            return json_response(400, dict(BAD_REQUEST))
        tenant["bulk_updates"] += 1
        tenant["last_bulk_update"] = {"update_source": source, "body": body}
        answer = {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK"}
        now = time.time()
        if source == "customAttribute":
            # CustomAttributeBulkUpdatePayloadSchema: {deviceid, tagType, tagValue} items; the answer counts attributes.
            updated = 0
            for item in devicelist:
                device = tenant["by_id"].get(str(item.get("deviceid") or "").lower())
                if device is not None and item.get("tagType"):
                    device["custom_attributes"][str(item["tagType"])] = item.get("tagValue")
                    device.update(last_update_source=source, last_update_time=now)
                    updated += 1
            return json_response(200, dict(answer, updatedAttributesNum=updated, errorCases={}))
        matched: dict[int, dict[str, Any]] = {}
        for item in devicelist:
            for key in MATCH_KEYS:
                if not item.get(key):
                    continue
                for device in tenant["by_ip"].get(address_key(str(item[key])), []):
                    device["attributes"].update({name: value for name, value in item.items() if name not in MATCH_KEYS})
                    device.update(last_update_source=source, last_update_time=now)
                    matched[id(device)] = device
        for device in matched.values():
            device["updates"] += 1
        return json_response(200, dict(answer, updatedDeviceNum=len(matched)))

    @staticmethod
    def _device_list(request: SimRequest, tenant: dict[str, Any]) -> SimResponse:
        """offset, pagelength (at most 1000, the default) and the stime filter of deviceList.yaml; the other
        parameters (detail, sortdirection, sortfield, trafficRestricted) are accepted and ignored."""
        offset, pagelength = request.query.get("offset", "0"), request.query.get("pagelength", str(MAX_PAGE_LENGTH))
        if not (offset.isdigit() and pagelength.isdigit() and 1 <= int(pagelength) <= MAX_PAGE_LENGTH):
            return json_response(400, dict(BAD_REQUEST))
        devices = tenant["devices"]
        if request.query.get("stime"):
            since = parse_time(request.query["stime"])
            if since is None:
                return json_response(400, dict(BAD_REQUEST))
            devices = [device for device in devices if device["last_activity"] and parse_time(device["last_activity"]) >= since]
        page = devices[int(offset):int(offset) + int(pagelength)]
        return json_response(200, {"total": len(devices), "devices": [listed(device) for device in page]})

    @staticmethod
    def _device_by_ip(request: SimRequest, tenant: dict[str, Any]) -> SimResponse:
        """deviceDetailPerIP.yaml: the one required parameter ip; the answer is the device object itself
        (DeviceDetailPerIPResponse). An address no device has gets 200 {} (undocumented: an assumption)."""
        address = request.query.get("ip", "").strip()
        if not address:
            return json_response(400, dict(BAD_REQUEST))
        matches = tenant["by_ip"].get(address_key(address), [])
        return json_response(200, listed(matches[0]) if matches else {})


def listed(device: dict[str, Any]) -> dict[str, Any]:
    """A device as device/list and device/ip show it: the DeviceDetails properties the seed knows."""
    return {key: device[key] for key in LIST_KEYS if device.get(key) is not None}


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 date-time (a trailing Z included) as an aware datetime (naive ones taken as UTC), or None."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
