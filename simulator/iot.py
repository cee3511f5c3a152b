"""Palo Alto Networks IoT Security, legacy public API v4.0: device/bulkUpdate and device/list."""
from __future__ import annotations

import copy
import hmac
import ipaddress
import time
from typing import Any

from .base import SimRequest, SimResponse, VendorApp, json_response

UPDATE_SOURCES = ("cellular", "cisco_wlc", "aruba_wlc", "snmp", "sccm", "crowdstrike_falcon", "customAttribute")
MAX_PAGE_LENGTH = 1000
MATCH_KEYS = ("ipAddress", "ipv6Address")
# The DeviceDetails properties of a device/list item the seed knows (components/schemas.yaml); strings all.
LIST_KEYS = ("deviceid", "hostname", "category", "profile", "ip_address", "mac_address")
BAD_REQUEST = {"code": 400, "msg": "Bad Request. This occurs when an HTTP request contains an invalid query string."}
FORBIDDEN = {"code": 403, "msg": "Forbidden access. Either the provided API key is invalid or it does not have the required RBAC permissions to run this API."}
TOO_MANY = {"code": 429, "msg": "Too many requests. The number of requests for device details for a single device exceeded "
                                "the rate limit of 180 queries per minute per tenant."}
NOT_FOUND = {"code": 404, "msg": "Not found."}


def address_key(text: str) -> str:
    """How devices are matched: by address value, so any notation of one IPv6 address matches (an assumption)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


class IotApp(VendorApp):
    """Tenants (customerid + key pair) with devices; per-tenant token buckets."""

    name = "iot"
    prefixes = ("/pub/v4.0/",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.tenants: dict[str, dict[str, Any]] = {}

    def load(self, section: dict[str, Any]) -> None:
        self.tenants = {}
        for tenant in section["tenants"]:
            devices = [dict(device, attributes={}, custom_attributes={}, last_update_source=None, last_update_time=None)
                       for device in tenant["devices"]]
            by_ip: dict[str, list[dict[str, Any]]] = {}
            by_id: dict[str, dict[str, Any]] = {}
            for device in devices:
                by_id[device["deviceid"].lower()] = device
                for address in (device["ip_address"], device["ipv6_address"]):
                    if address:
                        by_ip.setdefault(address_key(address), []).append(device)
            self.tenants[tenant["customer_id"]] = dict(tenant, devices=devices, by_ip=by_ip, by_id=by_id, bulk_updates=0,
                                                       last_bulk_update=None)

    def state(self) -> dict[str, Any]:
        return {"tenants": {cid: {"customer_id": cid, "bulk_updates": tenant["bulk_updates"],
                                  "last_bulk_update": copy.deepcopy(tenant["last_bulk_update"]),
                                  "devices": copy.deepcopy(tenant["devices"])}
                            for cid, tenant in self.tenants.items()}}

    def vendor_error(self, code: Any, text: str) -> Any:
        return {"code": code or 500, "msg": text}

    def handle(self, request: SimRequest) -> SimResponse:
        tenant = self.tenants.get(request.query.get("customerid", ""))
        key_id, access_key = request.header("X-Key-Id"), request.header("X-Access-Key")
        if (tenant is None or not key_id or not access_key
                or not hmac.compare_digest(key_id, tenant["key_id"]) or not hmac.compare_digest(access_key, tenant["access_key"])):
            return json_response(403, dict(FORBIDDEN))
        route = request.path[len("/pub/v4.0/"):].rstrip("/")
        if (request.method, route) == ("GET", "device/list"):
            limited = self._throttle(tenant["customer_id"] + "/list", "iot_list_rate_limit_per_minute", "iot_list_rate_burst")
            return limited or self._device_list(request, tenant)
        limited = self._throttle(tenant["customer_id"], "iot_rate_limit_per_minute", "iot_rate_burst")
        if limited:
            return limited
        if (request.method, route) == ("PUT", "device/bulkUpdate"):
            return self._bulk_update(request, tenant)
        return json_response(404, dict(NOT_FOUND))

    def _throttle(self, key: str, rate_knob: str, burst_knob: str) -> SimResponse | None:
        """429 when the tenant's token bucket is empty; None when the request may proceed."""
        rate = self.knobs[rate_knob]
        if rate is None:
            return None
        burst = self.knobs[burst_knob] if self.knobs[burst_knob] is not None else rate
        if self.limiter.allow(key, float(rate), float(burst)):
            return None
        headers = {}
        if self.knobs["iot_retry_after"] is not None:
            headers["Retry-After"] = str(self.knobs["iot_retry_after"])
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
        return json_response(200, dict(answer, updatedDeviceNum=len(matched)))

    @staticmethod
    def _device_list(request: SimRequest, tenant: dict[str, Any]) -> SimResponse:
        offset, pagelength = request.query.get("offset", "0"), request.query.get("pagelength", str(MAX_PAGE_LENGTH))
        if not (offset.isdigit() and pagelength.isdigit() and 1 <= int(pagelength) <= MAX_PAGE_LENGTH):
            return json_response(400, dict(BAD_REQUEST))
        page = tenant["devices"][int(offset):int(offset) + int(pagelength)]
        devices = [{key: device[key] for key in LIST_KEYS if device[key] is not None} for device in page]
        return json_response(200, {"total": len(tenant["devices"]), "devices": devices})
