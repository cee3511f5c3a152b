"""Helpers for the simulator tests: signed WFBS calls, KooPhone/Altcraft calls, polling."""
# pylint: disable=too-many-arguments
from __future__ import annotations

import time
import uuid

import requests

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.simulator.wfbss import sign

WFBSS_BASE = "/SMPI/v2.8/service/wfbss/api"
# The default legacy IoT tenant's key, as request headers.
IOT_HEADERS = {"X-Key-Id": CREDENTIALS.iot["key_id"], "X-Access-Key": CREDENTIALS.iot["access_key"]}


def wfbss_call(sim, method, uri, body=b"", *, token=CREDENTIALS.wfbss["access_token"], secret=CREDENTIALS.wfbss["secret_key"],
               time_offset=0, signature=None):
    """Send a signed SMPI request; `uri` is the already URL-encoded path+query after /api."""
    request_uri = WFBSS_BASE + uri
    posix_time = str(int(time.time()) + time_offset)
    headers = {
        "x-access-token": token,
        "x-posix-time": posix_time,
        "x-signature": signature or sign(secret, posix_time, method, request_uri, body),
        "x-traceid": str(uuid.uuid4()),
        "content-type": "application/json; charset=utf-8",
    }
    return requests.request(method, sim.url + request_uri, data=body or None, headers=headers, timeout=10)


def koophone_call(sim, method, path, body=None, *, token=CREDENTIALS.koophone_token, request_id=True, **kwargs):
    headers = {"X-Auth-Token": token} if token else {}
    if request_id:
        headers["x-request-id"] = str(uuid.uuid4())
    return requests.request(method, sim.url + path, json=body, headers=headers, timeout=10, **kwargs)


def altcraft_call(sim, method, body, **kwargs):
    return requests.post(f"{sim.url}/api/v1.1/{method}", json=body, timeout=10, **kwargs)


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
