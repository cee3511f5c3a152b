"""The built-in default seed and loading/normalising seed files.

A seed is a JSON object with up to four sections (``wfbss``, ``koophone``, ``iot``, ``altcraft``).
A section that is present replaces the default of that vendor; an absent one keeps the default.
Wherever a list of things is expected, a count may be given instead and deterministic items are
generated (see simulator/README.md for the format).
"""
from __future__ import annotations

import copy
import json
import random
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

# Fixed namespace for the deterministic WFBS customer ids: uuid5(WFBSS_NAMESPACE, "wfbss-customer-N").
WFBSS_NAMESPACE = uuid.UUID("6f1c2a3e-9b0d-4c57-8e21-5a4f3b2c1d00")
COUNTER_NAMES = (
    "all", "complained", "hardbounced", "invalid", "subscribed", "subscribed_sendable",
    "suspended", "unconfirmed", "unconfirmed_sendable", "unsubscribed",
)
CHANNELS = ("sms", "push", "email")
# An IoT tenant has a legacy key pair, Strata Cloud Manager client credentials, or both.
IOT_LEGACY_KEYS = ("customer_id", "key_id", "access_key")
IOT_SCM_KEYS = ("tsg_id", "client_id", "client_secret")


@dataclass(frozen=True)
class Credentials:  # pylint: disable=too-many-instance-attributes
    """Credentials of the default seed, by vendor; each mapping's keys are the collection's option names."""

    wfbss: Mapping[str, str]  # access_token, secret_key
    koophone_token: str  # a static X-Auth-Token
    koophone_user: Mapping[str, str]  # an IAM user: domain_name, username, password, project_name
    koophone_access_key: Mapping[str, str]  # an AK/SK pair: access_key, secret_key, project_id
    iot: Mapping[str, str]  # the legacy tenant: customer_id, key_id, access_key
    iot_scm: Mapping[str, str]  # the Strata Cloud Manager tenant: tsg_id, client_id, client_secret
    altcraft_token: str


# What tests and examples log in with (read-only: copy a mapping to change it).
CREDENTIALS = Credentials(
    wfbss=MappingProxyType({"access_token": "5f0c8a52-3b7e-4d1a-9c2e-7a1b2c3d4e5f", "secret_key": "sim-wfbss-secret"}),
    koophone_token="sim-koophone-token",
    koophone_user=MappingProxyType({"domain_name": "sim-domain", "username": "sim-user", "password": "sim-password",
                                    "project_name": "cn-south-1"}),
    koophone_access_key=MappingProxyType({"access_key": "SIMKOOPHONEAK0000001", "secret_key": "sim-koophone-secret-key",
                                          "project_id": "0b5e4c8d2f6a4e1b9c3d7a5f1e2b4c6d"}),
    iot=MappingProxyType({"customer_id": "sim-tenant", "key_id": "sim-key-id", "access_key": "sim-access-key"}),
    # A tenant onboarded on Strata Cloud Manager: client credentials only, no legacy key.
    iot_scm=MappingProxyType({"tsg_id": "1570000001", "client_id": "sim-client@1570000001.iam.panserviceaccount.com",
                              "client_secret": "sim-client-secret"}),
    altcraft_token="sim-altcraft-token",
)

DEFAULT_SEED: dict[str, Any] = {
    "wfbss": {"accounts": [dict(CREDENTIALS.wfbss, customers=25)]},
    "koophone": {
        "tokens": [CREDENTIALS.koophone_token],
        "users": [dict(CREDENTIALS.koophone_user)],
        "access_keys": [dict(CREDENTIALS.koophone_access_key)],
        "instances": 80,
        "frozen": [7],
    },
    "iot": {"tenants": [dict(CREDENTIALS.iot, devices=300), dict(CREDENTIALS.iot_scm, devices=300)]},
    "altcraft": {"tokens": [CREDENTIALS.altcraft_token], "resources": 5},
}


def wfbss_customer_id(number: int) -> str:
    """The deterministic upper-case GUID of generated customer number N (1-based)."""
    return str(uuid.uuid5(WFBSS_NAMESPACE, f"wfbss-customer-{number}")).upper()


def koophone_instance_ids(count: int) -> list[str]:
    """`count` unique 8-character lower-case alphanumeric ids from a seeded RNG."""
    rng = random.Random("koophone-instances")
    alphabet = string.ascii_lowercase + string.digits
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < count:
        candidate = "".join(rng.choice(alphabet) for _index in range(8))
        if candidate not in seen:
            seen.add(candidate)
            ids.append(candidate)
    return ids


def _wfbss(section: dict[str, Any]) -> dict[str, Any]:
    accounts = []
    number = 0  # generated customers are numbered across all accounts, so ids never collide
    for account in section.get("accounts", []):
        customers = []
        spec = account.get("customers", 0)
        if isinstance(spec, int):
            for _index in range(spec):
                number += 1
                customers.append({"id": wfbss_customer_id(number), "name": f"Sim Customer {number:03d}"})
        else:
            for item in spec:
                item = {"id": item} if isinstance(item, str) else dict(item)
                customers.append({"id": item["id"].upper(), "name": item.get("name", item["id"])})
        accounts.append({"access_token": account["access_token"], "secret_key": account["secret_key"], "customers": customers})
    return {"accounts": accounts}


def _koophone(section: dict[str, Any]) -> dict[str, Any]:
    spec = section.get("instances", 0)
    frozen_indexes = set(section.get("frozen", []))
    items = [{"instance_id": iid} for iid in koophone_instance_ids(spec)] if isinstance(spec, int) else list(spec)
    instances = []
    for index, item in enumerate(items):
        item = {"instance_id": item} if isinstance(item, str) else dict(item)
        instances.append({
            "instance_id": item["instance_id"],
            "instance_name": item.get("instance_name", f"sim-phone-{index:04d}"),
            "region": item.get("region", "cn-south-1"),
            "instance_sku": item.get("instance_sku", "kp.arm.standard"),
            "frozen_status": int(item.get("frozen_status", 1 if index in frozen_indexes else 0)),
        })
    return {"tokens": list(section.get("tokens", [])), "users": [dict(user) for user in section.get("users", [])],
            "access_keys": [dict(pair) for pair in section.get("access_keys", [])], "instances": instances}


def iot_device_ipv4(index: int) -> str:
    """The IPv4 address of generated device number ``index``: 250 a /24, 62,500 a /16 from 10.20.0.0 on."""
    return f"10.{20 + index // 62500}.{index // 250 % 250}.{index % 250 + 1}"


def _iot_device(index: int) -> dict[str, Any]:
    mac = f"02:20:00:{index >> 16 & 0xFF:02x}:{index >> 8 & 0xFF:02x}:{index & 0xFF:02x}"
    return {
        "deviceid": mac,
        "hostname": f"sim-device-{index:05d}",
        "category": "Cellular Gateway" if index % 2 else "IP Camera",
        "profile": "Sim Cellular Router" if index % 2 else "Sim Camera",
        "ip_address": iot_device_ipv4(index),
        "ipv6_address": f"fd00:20::{index + 1:x}" if index % 3 == 0 else None,
        "mac_address": mac,
    }


def _iot(section: dict[str, Any]) -> dict[str, Any]:
    tenants = []
    for tenant in section.get("tenants", []):
        spec = tenant.get("devices", 0)
        if isinstance(spec, int):
            devices = [_iot_device(index) for index in range(spec)]
        else:
            devices = []
            for index, item in enumerate(spec):
                generated = _iot_device(index)
                mac = item.get("mac_address", item.get("mac", generated["mac_address"]))
                devices.append({
                    "deviceid": item.get("deviceid", mac),
                    "hostname": item.get("hostname", generated["hostname"]),
                    "category": item.get("category", generated["category"]),
                    "profile": item.get("profile", generated["profile"]),
                    "ip_address": item.get("ip_address", item.get("ipAddress")),
                    "ipv6_address": item.get("ipv6_address", item.get("ipv6Address")),
                    "mac_address": mac,
                })
        legacy = {name: tenant.get(name) for name in IOT_LEGACY_KEYS}
        scm = {name: None if tenant.get(name) is None else str(tenant[name]) for name in IOT_SCM_KEYS}
        if not all(legacy.values()) and not all(scm.values()):
            raise ValueError(f"invalid seed: an iot tenant needs {', '.join(IOT_LEGACY_KEYS)} or {', '.join(IOT_SCM_KEYS)}")
        tenants.append(dict(legacy, **scm, devices=devices))
    return {"tenants": tenants}


def _altcraft_counters(resource_id: int, list_id: int) -> dict[str, dict[str, int]]:
    total = 1000 + 37 * resource_id + 11 * list_id
    hardbounced, unsubscribed = total // 3, total // 20
    email = dict.fromkeys(COUNTER_NAMES, 0)
    email.update(all=total, hardbounced=hardbounced, unsubscribed=unsubscribed,
                 subscribed=total - hardbounced - unsubscribed, subscribed_sendable=total - hardbounced - unsubscribed)
    counters = {channel: dict(dict.fromkeys(COUNTER_NAMES, 0), all=total) for channel in CHANNELS}
    counters["email"] = email
    return counters


def _altcraft(section: dict[str, Any]) -> dict[str, Any]:
    spec = section.get("resources", 0)
    items = [{"id": rid} for rid in range(1, spec + 1)] if isinstance(spec, int) else list(spec)
    resources = []
    for item in items:
        item = {"id": item} if isinstance(item, int) else dict(item)
        lists = []
        for list_item in item.get("lists", [1, 2]):
            list_item = {"id": list_item} if isinstance(list_item, int) else dict(list_item)
            counters = list_item.get("counters") or _altcraft_counters(item["id"], list_item["id"])
            lists.append({"id": list_item["id"], "counters": copy.deepcopy(counters)})
        resources.append({"id": item["id"], "name": item.get("name", f"Sim resource {item['id']}"), "lists": lists})
    return {"tokens": list(section.get("tokens", [])), "resources": resources}


NORMALISERS = {"wfbss": _wfbss, "koophone": _koophone, "iot": _iot, "altcraft": _altcraft}


def normalise(seed: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Merge a (partial) seed over the defaults and expand counts into explicit items."""
    seed = seed or {}
    unknown = set(seed) - set(NORMALISERS)
    if unknown:
        raise ValueError(f"unknown seed sections: {', '.join(sorted(unknown))}")
    return {vendor: build(copy.deepcopy(seed.get(vendor, DEFAULT_SEED[vendor]))) for vendor, build in NORMALISERS.items()}


def load_seed_file(path: str | Path) -> dict[str, Any]:
    """Read a JSON seed file (not yet normalised)."""
    with open(path, encoding="utf-8") as handle:
        seed = json.load(handle)
    if not isinstance(seed, dict):
        raise ValueError("a seed file must hold a JSON object")
    return seed
