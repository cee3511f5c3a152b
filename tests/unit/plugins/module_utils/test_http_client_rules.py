# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP client's retry and rate-limit arithmetic and its request bytes, value by value (what the mutation run
showed the loopback tests leave open): Retry-After parsing, the policy's defaults and jitter, the 429 budget's
boundary, the timeout error, the JSON and form bodies."""

from __future__ import annotations

import email.utils
import threading

import pytest
import requests

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient, ApiError, RetryPolicy, parse_retry_after


@pytest.mark.parametrize('value, seconds', [('5', 5.0), ('0.5', 0.5), ('-3', 0.0), (' 7 ', 7.0), ('', None), (None, None),
                                            ('soon', None)])
def test_parse_retry_after_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date():
    now = 1700000000
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    later = parse_retry_after(email.utils.formatdate(4102444800, usegmt=True))  # 2100: against the real clock
    assert later > 10 ** 9


def test_policy_defaults_and_jitter():
    policy = RetryPolicy()
    assert (policy.retries, policy.backoff, policy.rate_limit_timeout) == (3, 1.0, 300.0)
    assert RetryPolicy(backoff=2.0, rand=lambda: 0.0).backoff_delay(3) == 4.0  # half of 2 * 2^2
    assert RetryPolicy(backoff=2.0, rand=lambda: 1.0).backoff_delay(3) == 8.0


class Answer(object):
    def __init__(self, status, content=b'{}', headers=None):
        self.status_code = status
        self.content = content
        self.headers = dict({'Content-Type': 'application/json'}, **(headers or {}))


class Session(object):
    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def request(self, method, url, data=None, headers=None, **kwargs):  # pylint: disable=unused-argument
        self.sent.append(dict(data=data, headers=headers))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        pass


def client(session, sleeps, **policy):
    return ApiClient('https://api.example', session=session, sleep=sleeps.append, timeout=2,
                     policy=RetryPolicy(**dict(dict(retries=0, backoff=1.0, rate_limit_timeout=10, rand=lambda: 1.0),
                                               **policy)))


def test_the_rate_limit_budget_allows_waits_up_to_it_exactly():
    sleeps = []
    session = Session(Answer(429, headers={'Retry-After': '4'}), Answer(429, headers={'Retry-After': '6'}), Answer(200))
    client(session, sleeps).request('GET', '/x')
    assert sleeps == [4.0, 6.0]


def test_beyond_the_rate_limit_budget_the_error_says_so():
    sleeps = []
    session = Session(Answer(429, headers={'Retry-After': '4'}), Answer(429, headers={'Retry-After': '7'}))
    with pytest.raises(ApiError) as caught:
        client(session, sleeps).request('GET', '/x')
    assert sleeps == [4.0]
    error = caught.value
    assert (error.status, error.kind) == (429, 'rate_limit')
    assert error.reason == 'rate limited (HTTP 429) for longer than rate_limit_timeout=10s'


def test_a_429_without_retry_after_backs_off_more_each_time_up_to_the_sixth():
    sleeps = []
    session = Session(*([Answer(429)] * 8 + [Answer(200)]))
    client(session, sleeps, backoff=0.125, rate_limit_timeout=1000).request('GET', '/x')
    assert sleeps == [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize('method, unknown', [('POST', True), ('GET', False)])
def test_a_timeout_names_the_timeout_and_whether_the_outcome_is_unknown(method, unknown):
    with pytest.raises(ApiError) as caught:
        client(Session(requests.exceptions.ReadTimeout('slow')), []).request(method, '/x')
    error = caught.value
    assert (error.kind, error.outcome_unknown) == ('timeout', unknown)
    assert error.reason == 'no answer within 2 seconds (timeout)'


def test_the_json_and_form_bodies_are_sent_as_the_vendors_read_them():
    session = Session(Answer(200), Answer(200))
    api = client(session, [])
    api.request('POST', '/x', json_body={'name': 'Rapport \u00e9', 'ids': [1, 2]})
    api.request('POST', '/token', form_body=[('grant_type', 'client_credentials'), ('scope', 'tsg_id:1 a/b')])
    assert session.sent[0]['data'] == '{"name":"Rapport \u00e9","ids":[1,2]}'.encode('utf-8')
    assert session.sent[1]['data'] == b'grant_type=client_credentials&scope=tsg_id:1+a%2Fb'
    assert session.sent[1]['headers']['Content-Type'] == 'application/x-www-form-urlencoded'


@pytest.mark.parametrize('answers, succeeds', [([429, 503, 200], True), ([429, 503, 503, 200], False)])
def test_a_429_does_not_use_up_a_retry(answers, succeeds):
    """retries=1: after a 429 the call still has its one retry, and no more."""
    session = Session(*[Answer(status, headers={'Retry-After': '1'}) for status in answers])
    api = client(session, [], retries=1)
    if succeeds:
        assert api.request('GET', '/x').status == 200
    else:
        with pytest.raises(ApiError) as caught:
            api.request('GET', '/x')
        assert caught.value.status == 503


def test_a_429_pauses_the_other_workers_until_it_is_over():
    """Worker A is told to wait 5 s at t=100: a worker starting at 100 waits the 5 s, one at 104.5 the last 0.5 s,
    one at 105 not at all; A itself does not wait twice."""
    now = [100.0]
    sleeps = []
    session = Session(Answer(429, headers={'Retry-After': '5'}), *[Answer(200)] * 5)
    failures = []
    api = ApiClient('https://api.example', session=session, sleep=sleeps.append, clock=lambda: now[0],
                    policy=RetryPolicy(retries=0, rate_limit_timeout=10, rand=lambda: 1.0))

    def request():
        try:
            api.request('GET', '/x')
        except Exception as exc:  # pylint: disable=broad-exception-caught
            failures.append(exc)

    def worker(at):
        now[0] = at
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()

    api.request('GET', '/x')  # worker A: 429, waits 5, then 200
    api.request('GET', '/x')  # A again: no second wait
    for at in (100.0, 104.5, 105.0):
        worker(at)
    assert failures == [] and sleeps == [5.0, 5.0, 0.5]
