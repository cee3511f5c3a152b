# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What is waited for and sent again: a pause another worker's 429 started is waited out once per worker (its next
requests go at once), and a write whose connection timed out is resent, as requests documents ConnectTimeout
("Requests that produced this error are safe to retry"), whatever the exception wraps."""

from __future__ import annotations

import threading

import pytest
import requests

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient, ApiError, RetryPolicy
from ansible_collections.fleetops.maintenance.tests.unit.plugins.module_utils.test_http_client_rules import Answer, Session


def test_a_worker_waits_out_another_workers_pause_once():
    now = [100.0]
    sleeps, statuses, failures = [], [], []
    session = Session(Answer(429, headers={'Retry-After': '5'}), Answer(200), Answer(200), Answer(200))
    api = ApiClient('https://api.example', session=session, sleep=sleeps.append, clock=lambda: now[0],
                    policy=RetryPolicy(retries=0, rate_limit_timeout=10, rand=lambda: 1.0))

    def other_worker():
        try:
            statuses.extend(api.request('GET', '/x').status for dummy in range(2))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            failures.append(exc)

    api.request('GET', '/x')  # this worker: 429 at t=100, waits 5 s, then 200
    now[0] = 101.0  # the clock as the other worker sees it: the pause has 4 s to run
    thread = threading.Thread(target=other_worker)
    thread.start()
    thread.join()
    assert failures == [] and statuses == [200, 200]
    assert sleeps == [5.0, 4.0]  # the other worker's second request was not held back again


def test_a_write_whose_connection_timed_out_is_sent_again():
    session = Session(requests.exceptions.ConnectTimeout('connect timeout'), Answer(200))
    api = ApiClient('https://api.example', session=session, sleep=lambda seconds: None,
                    policy=RetryPolicy(retries=1, rand=lambda: 1.0))
    assert api.request('POST', '/reset', json_body={'id': 1}).status == 200
    assert len(session.sent) == 2


def test_a_write_whose_connection_timed_out_was_not_applied():
    api = ApiClient('https://api.example', session=Session(requests.exceptions.ConnectTimeout('connect timeout')),
                    sleep=lambda seconds: None, policy=RetryPolicy(retries=0, rand=lambda: 1.0))
    with pytest.raises(ApiError) as caught:
        api.request('POST', '/reset', json_body={'id': 1})
    assert (caught.value.kind, caught.value.outcome_unknown) == ('timeout', False)
