# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fault matrix: every module, end to end over loopback HTTP, against every fault the simulator injects.

Each cell runs one module in-process against the simulator with one fault (``simulator.inject``) or
knob (``simulator.configure``) and asserts the documented outcome: retried and succeeded, or a clear
failure that names the status / vendor code / credential / task, never a traceback, and no result lost.
Writes that may have been applied are never replayed (the simulator's log counts the calls and its
state shows whether the write landed).

Cells: GENERIC_FAULTS x MODULES, plus the per-module batch, async-task, credential and TLS cells below.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import (
    iot_device_bulk,
    iot_device_info,
    koophone_instance_info,
    koophone_instance_reset,
    resource_counters,
    resource_counters_info,
    wfbss_report,
    wfbss_report_info,
    wfbss_reset,
)
from ansible_collections.fleetops.maintenance.simulator import Simulator
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS, wfbss_customer_id

KOOPHONE_TOKEN = CREDENTIALS.koophone_token
ALTCRAFT_TOKEN = CREDENTIALS.altcraft_token
IOT_TENANT = CREDENTIALS.iot['customer_id']
RETRIES = 2  # every cell runs with retries=2: "after 3 attempts" when the budget is used up
SLOW_TIMEOUT = 0.5  # the module's timeout in the slow-server cells ...
SLOW_DELAY = 1.0  # ... and the simulator's delay


@pytest.fixture(autouse=True)
def no_ca_bundle_from_the_environment(monkeypatch):
    """The TLS cells must see only what the module options say."""
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)


def koophone_ids(sim):
    """Instance ids in seed order without the frozen one (index 7)."""
    ids = list(sim.state('koophone')['instances'])
    return ids[:7] + ids[8:]


def connection(**extra):
    base = dict(retries=RETRIES, retry_backoff=0.01, timeout=5, rate_limit_timeout=10)
    base.update(extra)
    return base


# --------------------------------------------------------------------------------------------------------
# What each module is, how it is called, which of its calls the faults hit, and how success looks.

class Spec(object):
    """One module of the matrix.

    ``target`` is (vendor, method, path fragment) of the call the generic faults hit;
    ``idempotent`` says whether the client may repeat it; ``applied(sim)`` counts the writes that
    landed (None for read-only modules); ``check(result, sim)`` asserts a full success.
    """

    def __init__(self, name, module, args, target, idempotent, check, applied=None):
        self.name = name
        self.module = module
        self.args = args
        self.target = target
        self.idempotent = idempotent
        self.check = check
        self.applied = applied

    def fault(self, **fields):
        vendor, method, path = self.target
        return dict(vendor=vendor, method=method, path_contains=path, **fields)

    def calls(self, sim):
        vendor, method, path = self.target
        return [entry for entry in sim.requests
                if entry['vendor'] == vendor and entry['method'] == method and path in entry['path']]


def koophone_reset_args(sim):
    return connection(api_url=sim.url, auth_token=KOOPHONE_TOKEN, instance_ids=koophone_ids(sim)[:2])


def koophone_reset_check(result, sim):
    assert result['reset_instance_ids'] == koophone_ids(sim)[:2]
    assert len(result['task_ids']) == 1
    assert [item['status'] for item in result['results']] == ['requested', 'requested']


def koophone_resets(sim):
    """How many times the batch landed (each landing resets the first instance once)."""
    return sim.state('koophone')['instances'][koophone_ids(sim)[0]]['resets']


def koophone_info_args(sim):
    return connection(api_url=sim.url, auth_token=KOOPHONE_TOKEN, instance_ids=koophone_ids(sim)[:2])


def koophone_info_check(result, sim):
    assert [item['instance_id'] for item in result['status_results']] == koophone_ids(sim)[:2]
    assert result['unknown_instance_ids'] == []


IOT_DEVICES = [
    dict(ip_address='10.20.0.1', imei='356938035643809', apn='iot.example.com'),
    dict(ip_address='10.20.0.2', imsi='310150123456789'),
]


def iot_args(sim):
    return connection(api_url=sim.url, devices=[dict(device) for device in IOT_DEVICES], **CREDENTIALS.iot)


def iot_check(result, sim):
    assert result['sent_device_count'] == 2
    assert result['updated_device_count'] == 2
    assert result['unmatched_device_count'] == 0


def iot_updates(sim):
    return sim.state('iot')['tenants'][IOT_TENANT]['bulk_updates']


def iot_info_args(sim):
    return connection(api_url=sim.url, **CREDENTIALS.iot)


def iot_info_check(result, sim):
    assert result['total'] == 300 and len(result['devices']) == 300 and result['calls'] == 1


# The simulator's default Strata Cloud Manager tenant.
SCM_TSG = CREDENTIALS.iot_scm['tsg_id']
SCM_CLIENT = CREDENTIALS.iot_scm


def iot_scm_args(sim):
    # The session's simulator made its token-signing key before any test (tests/unit/conftest.py).
    return connection(api_url=sim.url, auth_url=sim.url + '/oauth2/access_token', devices=[dict(d) for d in IOT_DEVICES],
                      **SCM_CLIENT)


def iot_scm_updates(sim):
    return sim.state('iot')['tenants'][SCM_TSG]['bulk_updates']


def counters_args(sim):
    return connection(api_url=sim.url, api_token=ALTCRAFT_TOKEN, resource_id=1, list_id=1, poll_interval=0.05,
                      wait_timeout=10)


def counters_check(result, sim):
    assert result['status'] == 'completed'
    assert result['task_id']
    assert set(result['counters']) == set(['sms', 'push', 'email'])


def altcraft_tasks(sim):
    return len(sim.state('altcraft')['tasks'])


def counters_info_args(sim):
    return connection(api_url=sim.url, api_token=ALTCRAFT_TOKEN, resource_id=1, list_id=1)


def counters_info_check(result, sim):
    assert set(result['counters']) == set(['sms', 'push', 'email'])
    assert all(result['counters'][channel]['all'] > 0 for channel in result['counters'])


CIDS = [wfbss_customer_id(number) for number in range(1, 26)]


def wfbss_args(sim, **extra):
    return connection(api_url=sim.url, **dict(CREDENTIALS.wfbss, **extra))


def wfbss_reset_args(sim):
    return wfbss_args(sim, customer_ids=CIDS[:2], type='counter')


def wfbss_reset_check(result, sim):
    assert [task['customer_ids'] for task in result['tasks']] == [CIDS[:2]]
    assert result['tasks'][0]['id']


def wfbss_resets(sim):
    """How many times the reset landed (each landing records one reset on the first customer)."""
    return len(sim.state('wfbss')['customers'][CIDS[0]]['resets'])


REPORT = dict(name='weekly report', schedule='weekly', weekday='monday', time='08:00', contents=['virus_summary'])


def wfbss_report_args(sim):
    return wfbss_args(sim, customer_ids=CIDS[:1], **REPORT)


def wfbss_report_check(result, sim):
    assert [(entry['id'], entry['result'], entry['action']) for entry in result['customers']] == [
        (CIDS[0], 'Done', 'created')]
    assert result['changed'] is True


def wfbss_reports(sim):
    return len(sim.state('wfbss')['customers'][CIDS[0]]['reports'])


def wfbss_report_info_args(sim):
    return wfbss_args(sim, customer_ids=CIDS[:2])


def wfbss_report_info_check(result, sim):
    assert [(entry['id'], entry['found']) for entry in result['customers']] == [(CIDS[0], True), (CIDS[1], True)]


MODULES = [
    Spec('koophone_instance_reset', koophone_instance_reset, koophone_reset_args,
         ('koophone', 'POST', '/batch-reset'), False, koophone_reset_check, koophone_resets),
    Spec('koophone_instance_info', koophone_instance_info, koophone_info_args,
         ('koophone', 'POST', '/batch-query-status'), True, koophone_info_check),
    Spec('iot_device_bulk', iot_device_bulk, iot_args, ('iot', 'PUT', '/pub/v4.0/device/bulkUpdate'), True, iot_check,
         iot_updates),
    Spec('iot_device_bulk_scm', iot_device_bulk, iot_scm_args, ('iot', 'PUT', '/iot/pub/v1/device/bulkUpdate'), True,
         iot_check, iot_scm_updates),
    Spec('iot_device_info', iot_device_info, iot_info_args, ('iot', 'GET', '/pub/v4.0/device/list'), True, iot_info_check),
    Spec('resource_counters', resource_counters, counters_args, ('altcraft', 'POST', '/refresh_counters'), False,
         counters_check, altcraft_tasks),
    Spec('resource_counters_info', resource_counters_info, counters_info_args, ('altcraft', 'POST', '/get_counters'),
         True, counters_info_check),
    Spec('wfbss_reset', wfbss_reset, wfbss_reset_args, ('wfbss', 'POST', '/commands/reset'), False, wfbss_reset_check,
         wfbss_resets),
    Spec('wfbss_report', wfbss_report, wfbss_report_args, ('wfbss', 'POST', '/report'), False, wfbss_report_check,
         wfbss_reports),
    Spec('wfbss_report_info', wfbss_report_info, wfbss_report_info_args, ('wfbss', 'GET', '/report'), True,
         wfbss_report_info_check),
]
BY_NAME = dict((spec.name, spec) for spec in MODULES)
VENDOR_CODES = dict(koophone='KOOPHONE.API.2003', iot=4242, altcraft=402, wfbss='E-SIM-4711')


@pytest.fixture
def fast_tasks(simulator):
    """Async jobs and tasks that end quickly, so waiting modules finish in a fraction of a second."""
    simulator.configure(koophone_job_seconds=0.1, altcraft_task_seconds=0.1)
    return simulator


def settle(sim, spec, expected, limit=5.0):
    """Wait until the server has logged ``expected`` target calls (a delayed one is logged when it ends)."""
    deadline = time.monotonic() + limit
    while len(spec.calls(sim)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return spec.calls(sim)


def no_traceback(result):
    assert 'exception' not in result, result
    assert 'Traceback' not in result['msg']


def assert_success(spec, sim, result, failed):
    assert not failed, result['msg'] if 'msg' in result else result
    spec.check(result, sim)


# --------------------------------------------------------------------------------------------------------
# The generic faults, for every module

def run(spec, sim, run_module, **extra):
    args = spec.args(sim)
    args.update(extra)
    return run_module(spec.module, args)


def assert_write_not_replayed(spec, sim, result, failed, status):
    """A write answered by a 5xx: one call, a failure naming the status, its outcome unknown, nothing resent."""
    assert failed
    no_traceback(result)
    assert 'HTTP %d' % status in result['msg'] and 'attempts' not in result['msg']
    assert 'outcome is unknown' in result['msg']
    assert result['error']['outcome_unknown'] is True
    assert len(spec.calls(sim)) == 1, 'a write that may have been applied was replayed'


@pytest.mark.parametrize('status', [500, 502, 503, 504])
@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_5xx_on_first_tries_is_retried_only_when_idempotent(spec, status, fast_tasks, run_module):
    """5xx twice (within the retry budget): a read or idempotent write is retried and succeeds; a write fails with
    "outcome is unknown" after one call (a gateway's 502 or 503 may come after the service got the request)."""
    fast_tasks.inject(**spec.fault(action='status', status=status, count=RETRIES))
    result, failed = run(spec, fast_tasks, run_module)
    if not spec.idempotent:
        assert_write_not_replayed(spec, fast_tasks, result, failed, status)
        return
    assert_success(spec, fast_tasks, result, failed)
    calls = spec.calls(fast_tasks)
    assert [entry['status'] for entry in calls] == [status] * RETRIES + [calls[-1]['status']]
    assert calls[-1]['status'] < 300
    if spec.applied:
        assert spec.applied(fast_tasks) == 1


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_dropped_connection(spec, fast_tasks, run_module):
    """The server reads the request and hangs up: retried when idempotent, else "outcome is unknown", never replayed."""
    fast_tasks.inject(**spec.fault(action='drop', count=1))
    result, failed = run(spec, fast_tasks, run_module)
    if spec.idempotent:
        assert_success(spec, fast_tasks, result, failed)
        assert [entry['status'] for entry in spec.calls(fast_tasks)][0] is None
        return
    assert failed
    no_traceback(result)
    assert 'connection failed' in result['msg']
    assert 'outcome is unknown' in result['msg']
    assert result['error']['kind'] == 'connection'
    assert len(spec.calls(fast_tasks)) == 1
    assert spec.applied(fast_tasks) == 0


@pytest.mark.parametrize('status', [502, 503])
@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_retry_budget_exhausted_names_the_last_status(spec, status, simulator, run_module):
    """502/503 forever -> a clear failure naming the status and the attempts, after exactly retries + 1 calls
    (a write: after one call, its outcome unknown)."""
    simulator.inject(**spec.fault(action='status', status=status, count=-1))
    result, failed = run(spec, simulator, run_module)
    if not spec.idempotent:
        assert_write_not_replayed(spec, simulator, result, failed, status)
        return
    assert failed
    no_traceback(result)
    assert 'HTTP %d after %d attempts' % (status, RETRIES + 1) in result['msg']
    assert result['error']['status'] == status
    assert len(spec.calls(simulator)) == RETRIES + 1
    if spec.applied:
        assert spec.applied(simulator) == 0


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_html_proxy_page_once(spec, fast_tasks, run_module):
    """A proxy's HTML 502 page once -> retried and succeeded; a write: its outcome unknown, not resent."""
    fast_tasks.inject(**spec.fault(action='html', count=1))
    result, failed = run(spec, fast_tasks, run_module)
    if not spec.idempotent:
        assert_write_not_replayed(spec, fast_tasks, result, failed, 502)
        assert '<html' not in result['msg'].lower()
        return
    assert_success(spec, fast_tasks, result, failed)


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_html_proxy_page_forever(spec, simulator, run_module):
    """A proxy's HTML 502 page on every try -> HTTP 502 after the retry budget (a write: after one call); no HTML
    dumped into the message."""
    simulator.inject(**spec.fault(action='html', count=-1))
    result, failed = run(spec, simulator, run_module)
    if not spec.idempotent:
        assert_write_not_replayed(spec, simulator, result, failed, 502)
        assert '<html' not in result['msg'].lower()
        return
    assert failed
    no_traceback(result)
    assert 'HTTP 502 after %d attempts' % (RETRIES + 1) in result['msg']
    assert '<html' not in result['msg'].lower()


@pytest.mark.parametrize('action, words', [
    ('malformed', 'not JSON'),
    ('empty', 'empty body'),
])
@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_unusable_200_body_is_a_clear_failure(spec, action, words, simulator, run_module):
    """A truncated JSON body or an empty 200 -> a clear failure (kind malformed), not a traceback, not a success."""
    simulator.inject(**spec.fault(action=action, count=-1))
    result, failed = run(spec, simulator, run_module)
    assert failed
    no_traceback(result)
    assert words in result['msg']
    assert result['error']['kind'] == 'malformed'
    assert result['error']['status'] == 200


WRITES = [spec for spec in MODULES if not spec.idempotent]


@pytest.mark.parametrize('action', ['malformed', 'empty'])
@pytest.mark.parametrize('spec', WRITES, ids=lambda spec: spec.name)
def test_garbled_200_answer_to_a_write_has_an_unknown_outcome(spec, action, simulator, run_module):
    simulator.inject(**spec.fault(action=action, count=-1))
    result, failed = run(spec, simulator, run_module)
    assert failed
    assert len(spec.calls(simulator)) == 1, 'a write with a garbled answer must not be replayed'
    assert result['error']['outcome_unknown'] is True
    assert 'outcome is unknown' in result['msg']


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_vendor_error_inside_http_200(spec, simulator, run_module):
    """KooPhone error_code, Altcraft error, IoT code, WFBS error inside an HTTP 200 -> failure with the vendor's code."""
    code = VENDOR_CODES[spec.target[0]]
    simulator.inject(**spec.fault(action='vendor_error', error_code=code, error_text='simulated vendor error',
                                  count=-1))
    result, failed = run(spec, simulator, run_module)
    assert failed
    no_traceback(result)
    assert str(code) in result['msg']
    assert 'simulated vendor error' in result['msg']
    assert str(result['error']['vendor_code']) == str(code)
    assert result['error']['status'] == 200
    assert len(spec.calls(simulator)) == 1, 'an in-body vendor error is final, it is not retried'


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_429_with_retry_after_is_waited_out(spec, fast_tasks, run_module):
    """429 with Retry-After: 0.1, more times than the retry budget -> waited out each time (a 429 uses up no
    retry), then success."""
    fast_tasks.inject(**spec.fault(action='status', status=429, retry_after=0.1, count=RETRIES + 1))
    started = time.monotonic()
    result, failed = run(spec, fast_tasks, run_module, retry_backoff=5)
    elapsed = time.monotonic() - started
    assert_success(spec, fast_tasks, result, failed)
    assert 0.1 * (RETRIES + 1) <= elapsed < 5, 'Retry-After was not honoured (or backoff used instead)'
    assert [entry['status'] for entry in spec.calls(fast_tasks)][:RETRIES + 1] == [429] * (RETRIES + 1)


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_429_without_retry_after_backs_off_and_succeeds(spec, fast_tasks, run_module):
    fast_tasks.inject(**spec.fault(action='status', status=429, count=2))
    result, failed = run(spec, fast_tasks, run_module)
    assert_success(spec, fast_tasks, result, failed)
    assert len(spec.calls(fast_tasks)) == 3


@pytest.mark.parametrize('retry_after', [2, None], ids=['retry-after', 'no-header'])
@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_sustained_429_beyond_rate_limit_timeout(spec, retry_after, simulator, run_module):
    """429 forever -> a clear failure naming rate_limit_timeout once the waits would pass it; nothing applied."""
    simulator.inject(**spec.fault(action='status', status=429, retry_after=retry_after, count=-1))
    started = time.monotonic()
    result, failed = run(spec, simulator, run_module, rate_limit_timeout=0.3)
    assert failed
    no_traceback(result)
    assert time.monotonic() - started < 5
    assert 'rate limited (HTTP 429) for longer than rate_limit_timeout=0.3s' in result['msg']
    assert result['error']['kind'] == 'rate_limit'
    assert result['error']['status'] == 429
    if retry_after:
        assert len(spec.calls(simulator)) == 1, 'a Retry-After beyond the budget fails at once'
    if spec.applied:
        assert spec.applied(simulator) == 0


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_slow_server_once(spec, fast_tasks, run_module):
    """One answer slower than ``timeout``: a read is retried and succeeds; a write fails as "outcome is unknown",
    is not replayed, and the simulator shows it was in fact applied (so replaying it would have doubled it)."""
    fast_tasks.inject(**spec.fault(action='delay', delay=SLOW_DELAY, count=1))
    result, failed = run(spec, fast_tasks, run_module, timeout=SLOW_TIMEOUT)
    if spec.idempotent:
        assert_success(spec, fast_tasks, result, failed)
        settle(fast_tasks, spec, 2)
        return
    assert failed
    no_traceback(result)
    assert 'no answer within %s seconds (timeout)' % SLOW_TIMEOUT in result['msg']
    assert 'outcome is unknown' in result['msg']
    assert result['error']['kind'] == 'timeout'
    assert result['error']['outcome_unknown'] is True
    calls = settle(fast_tasks, spec, 1)
    time.sleep(0.1)
    assert len(spec.calls(fast_tasks)) == 1 and calls[0]['fault'] == 'delay', 'the write was replayed'
    assert spec.applied(fast_tasks) == 1


@pytest.mark.parametrize('spec', [spec for spec in MODULES if spec.idempotent], ids=lambda spec: spec.name)
def test_slow_server_forever_is_a_timeout_failure(spec, simulator, run_module):
    """Every answer slower than ``timeout`` -> a clear timeout failure after the retries (retries=1 to stay fast).
    A read's outcome is known (nothing to apply); an idempotent write's (IoT bulkUpdate, a PUT) is unknown: the slow
    server applied it, so its devices are not reported as not processed."""
    simulator.inject(**spec.fault(action='delay', delay=SLOW_DELAY, count=-1))
    result, failed = run(spec, simulator, run_module, timeout=SLOW_TIMEOUT, retries=1)
    assert failed
    no_traceback(result)
    assert 'no answer within %s seconds (timeout) after 2 attempts' % SLOW_TIMEOUT in result['msg']
    assert result['error']['kind'] == 'timeout'
    assert result['error']['outcome_unknown'] is (spec.applied is not None)
    settle(simulator, spec, 2)


def test_every_module_is_in_the_matrix():
    """A new module must be added to MODULES (and so to every generic fault).

    An action plugin's documentation stub is no module of its own: the action calls the modules of the matrix
    (koophone_reset_waves) or no API at all (fleet_run_report).
    """
    modules_dir = os.path.join(os.path.dirname(koophone_instance_reset.__file__))
    actions_dir = os.path.join(os.path.dirname(modules_dir), 'action')
    names = sorted(name[:-3] for name in os.listdir(modules_dir) if name.endswith('.py') and name != '__init__.py'
                   and not os.path.exists(os.path.join(actions_dir, name)))
    assert names == sorted(set(spec.module.__name__.rsplit('.', 1)[1] for spec in MODULES))


# --------------------------------------------------------------------------------------------------------
# A failure in batch k of n: the result lists the batches that completed and what is left

def test_batch_failure_koophone_instance_reset(simulator, run_module):
    ids = koophone_ids(simulator)  # 79 ids: batches of 32, 32, 15
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='vendor_error',
                     error_code='KOOPHONE.API.2003', skip=1, count=-1)
    result, failed = run_module(koophone_instance_reset, connection(api_url=simulator.url, auth_token=KOOPHONE_TOKEN,
                                                                    instance_ids=ids, concurrency=1))
    assert failed
    assert result['msg'].startswith('batch 2 of 3 failed (1 batch completed before it; 47 items not processed)')
    assert 'KOOPHONE.API.2003' in result['msg']
    assert result['failed_batch'] == 2
    assert result['reset_instance_ids'] == ids[:32]
    assert [item['instance_id'] for item in result['results']] == ids[:32]
    assert len(result['task_ids']) == 1
    assert result['unprocessed'] == ids[32:]
    assert result['changed'] is True
    instances = simulator.state('koophone')['instances']
    assert [instances[iid]['resets'] for iid in ids] == [1] * 32 + [0] * 47


def test_batch_failure_koophone_instance_info(simulator, run_module):
    ids = koophone_ids(simulator)
    simulator.inject(vendor='koophone', path_contains='batch-query-status', action='status', status=400,
                     skip=1, count=-1)
    result, failed = run_module(koophone_instance_info, connection(api_url=simulator.url, auth_token=KOOPHONE_TOKEN,
                                                                   instance_ids=ids, concurrency=1))
    assert failed
    assert result['msg'].startswith('batch 2 of 3 failed (1 batch completed before it; 47 items not processed)')
    assert result['failed_batch'] == 2
    assert result['unprocessed'] == ids[32:]


def test_batch_failure_iot_device_bulk(simulator, run_module):
    devices = [dict(ip_address='10.20.0.%d' % number, imsi='31015012345678%d' % number) for number in range(1, 6)]
    simulator.inject(vendor='iot', path_contains='bulkUpdate', action='status', status=400, skip=1, count=-1)
    result, failed = run_module(iot_device_bulk, connection(
        api_url=simulator.url, devices=devices, batch_size=2, concurrency=1, **CREDENTIALS.iot))
    assert failed
    assert result['msg'].startswith('batch 2 of 3 failed (1 batch completed before it; 3 items not processed)')
    assert result['batches'] == [dict(index=1, sent=2, updated=2)]
    assert result['sent_device_count'] == 2 and result['updated_device_count'] == 2
    assert result['failed_batch'] == 2
    assert result['unprocessed'] == [dict(position=number, address='10.20.0.%d' % number) for number in (3, 4, 5)]
    assert result['changed'] is True
    assert iot_updates(simulator) == 1


def test_batch_failure_wfbss_reset(simulator, run_module):
    simulator.inject(vendor='wfbss', path_contains='commands/reset', action='status', status=400, skip=1, count=-1)
    result, failed = run_module(wfbss_reset, wfbss_args(simulator, customer_ids=CIDS, type='counter', concurrency=1))
    assert failed
    assert result['msg'].startswith('batch 2 of 3 failed (1 batch completed before it; 15 items not processed)')
    assert [task['customer_ids'] for task in result['tasks']] == [CIDS[:10]]
    assert result['tasks'][0]['id']
    assert result['failed_batch'] == 2
    assert result['unprocessed'] == CIDS[10:]
    customers = simulator.state('wfbss')['customers']
    assert [len(customers[cid]['resets']) for cid in CIDS] == [1] * 10 + [0] * 15


def test_batch_failure_wfbss_report(simulator, run_module):
    simulator.inject(vendor='wfbss', method='POST', path_contains='/report', action='status', status=400,
                     skip=1, count=-1)
    result, failed = run_module(wfbss_report, wfbss_args(simulator, customer_ids=CIDS, concurrency=1, **REPORT))
    assert failed
    assert result['msg'].startswith('batch 2 of 3 failed (1 batch completed before it; 15 items not processed)')
    assert result['failed_batch'] == 2
    assert result['unprocessed'] == CIDS[10:]
    done = [entry for entry in result['customers'] if entry['result'] == 'Done']
    assert [entry['id'] for entry in done] == CIDS[:10]
    assert all(entry['rtid'] for entry in done)
    assert all(entry['result'] is None and entry['message'].startswith('not done')
               for entry in result['customers'][10:])
    customers = simulator.state('wfbss')['customers']
    assert [len(customers[cid]['reports']) for cid in CIDS] == [1] * 10 + [0] * 15


def test_batch_failure_wfbss_report_info(simulator, run_module):
    simulator.inject(vendor='wfbss', method='GET', path_contains='/report', action='status', status=400,
                     skip=1, count=-1)
    result, failed = run_module(wfbss_report_info, wfbss_args(simulator, customer_ids=CIDS, concurrency=1))
    assert failed
    assert result['msg'].startswith('batch 2 of 3 failed (1 batch completed before it; 15 items not processed)')
    assert result['failed_batch'] == 2
    assert result['unprocessed'] == CIDS[10:]


@pytest.mark.parametrize('name', ['koophone_instance_reset', 'wfbss_reset', 'wfbss_report'])
def test_batch_with_unknown_outcome_is_not_reported_as_unprocessed(name, simulator, run_module):
    spec = BY_NAME[name]
    if name == 'koophone_instance_reset':
        items = koophone_ids(simulator)[:70]
        size = 32
        args = connection(api_url=simulator.url, auth_token=KOOPHONE_TOKEN, instance_ids=items)
    else:
        items, size = CIDS, 10
        args = spec.args(simulator)
        args['customer_ids'] = items
    args.update(timeout=SLOW_TIMEOUT, concurrency=1)
    simulator.inject(**spec.fault(action='delay', delay=SLOW_DELAY, skip=1, count=1))
    result, failed = run_module(spec.module, args)
    settle(simulator, spec, 2)
    assert failed and 'outcome is unknown' in result['msg']
    assert result['failed_batch'] == 2
    uncertain = items[size:2 * size]
    assert not set(uncertain) & set(result['unprocessed']), 'items that may have been applied are listed as not done'
    assert '%d items not processed' % (len(items) - 2 * size) in result['msg']


# --------------------------------------------------------------------------------------------------------
# Async tasks that fail, are revoked or never finish: the task id and its last state

def reset_wait_args(sim, **extra):
    return connection(api_url=sim.url, auth_token=KOOPHONE_TOKEN, instance_ids=koophone_ids(sim)[:2], wait=True,
                      poll_interval=0.05, **extra)


def test_koophone_reset_job_fails(simulator, run_module):
    ids = koophone_ids(simulator)[:2]
    simulator.configure(koophone_job_seconds=0.1, koophone_job_fail_ids=[ids[1]])
    result, failed = run_module(koophone_instance_reset, reset_wait_args(simulator))
    assert failed
    assert result['failed_instance_ids'] == [ids[1]]
    assert ids[1] in result['msg'] and 'KOOPHONE.API.9999' in result['msg']
    assert [item['status'] for item in result['results']] == ['succeeded', 'failed']
    assert len(result['task_ids']) == 1


def test_koophone_reset_task_never_finishes(simulator, run_module):
    simulator.configure(koophone_job_seconds=60)
    result, failed = run_module(koophone_instance_reset, reset_wait_args(simulator, wait_timeout=0.3))
    assert failed
    no_traceback(result)
    task_id = result['task_ids'][0]
    assert result['task_id'] == task_id
    assert 'task %s did not finish within' % task_id in result['msg']
    assert [job['status'] for job in result['last_state']] == [1, 1]
    assert result['reset_instance_ids'] == koophone_ids(simulator)[:2]


def test_koophone_reset_task_revoked(simulator, run_module):
    """The task disappears (404) while being polled: failure naming the task; the accepted resets are kept."""
    simulator.configure(koophone_job_seconds=60)
    simulator.inject(vendor='koophone', path_contains='/tasks/', action='status', status=404, count=-1)
    result, failed = run_module(koophone_instance_reset, reset_wait_args(simulator))
    assert failed
    no_traceback(result)
    task_id = result['task_ids'][0]
    assert task_id in result['msg'] and 'HTTP 404' in result['msg']
    assert result['reset_instance_ids'] == koophone_ids(simulator)[:2]
    assert result['waited'] is True


def test_altcraft_task_fails(simulator, run_module):
    simulator.configure(altcraft_task_seconds=0.1, altcraft_task_fail=True)
    result, failed = run_module(resource_counters, counters_args(simulator))
    assert failed
    no_traceback(result)
    task_id = result['task_id']
    assert task_id and 'task %s failed' % task_id in result['msg']
    assert result['last_state']['status'] == 'error'
    assert result['status'] == 'error'


def test_altcraft_task_revoked(simulator, run_module, monkeypatch):
    """A task the server reports as cancelled (revoked) -> failure with its id and last state."""
    app = next(app for app in simulator.apps if app.name == 'altcraft')
    monkeypatch.setattr(app, '_progress', lambda task: ('cancelled', 40))
    result, failed = run_module(resource_counters, counters_args(simulator))
    assert failed
    task_id = result['task_id']
    assert "task %s failed (last status 'cancelled', progress 40)" % task_id in result['msg']
    assert result['last_state']['status'] == 'cancelled'


def test_altcraft_task_never_finishes(simulator, run_module):
    simulator.configure(altcraft_task_seconds=60)
    args = counters_args(simulator)
    args['wait_timeout'] = 0.3
    result, failed = run_module(resource_counters, args)
    assert failed
    task_id = result['task_id']
    assert 'task %s did not complete within 0.3 seconds' % task_id in result['msg']
    assert result['last_state']['status'] in ('queued', 'processing')


# --------------------------------------------------------------------------------------------------------
# Expired or wrong credentials: a clear auth failure naming the credential to check; nothing applied

@pytest.mark.parametrize('name', ['wfbss_reset', 'wfbss_report', 'wfbss_report_info'])
def test_wfbss_wrong_secret_key(name, simulator, run_module):
    spec = BY_NAME[name]
    result, failed = run(spec, simulator, run_module, secret_key='not-the-secret')
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'auth'
    assert 'invalid signature' in result['msg']
    assert 'Check access_token and secret_key' in result['msg']
    assert 'not-the-secret' not in result['msg']
    assert len(simulator.requests) == 1, 'an auth failure is not retried'


@pytest.mark.parametrize('name', ['wfbss_reset', 'wfbss_report', 'wfbss_report_info'])
def test_wfbss_clock_skew(name, simulator, run_module):
    """The server refuses the request's x-posix-time: the message points at the host's clock."""
    simulator.configure(wfbss_clock_skew_seconds=-1)  # any time is outside the window
    result, failed = run(BY_NAME[name], simulator, run_module)
    assert failed
    assert result['error']['kind'] == 'auth'
    assert 'time window' in result['msg'] and 'clock' in result['msg']


@pytest.mark.parametrize('name', ['koophone_instance_reset', 'koophone_instance_info'])
def test_koophone_wrong_static_token(name, simulator, run_module):
    result, failed = run(BY_NAME[name], simulator, run_module, auth_token='not-the-token')
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'auth' and result['error']['status'] == 401
    assert 'APIGW.0301' in result['msg'] and 'Check auth_token' in result['msg']
    assert 'not-the-token' not in result['msg']
    assert koophone_resets(simulator) == 0


def iam(sim, spec, **extra):
    args = spec.args(sim)
    args.pop('auth_token')
    user = CREDENTIALS.koophone_user
    args.update(iam_url=sim.url, username=user['username'], password=user['password'], domain_name=user['domain_name'])
    args.update(extra)
    return args


def auth_calls(sim):
    return [entry for entry in sim.requests if entry['kind'] == 'auth']


@pytest.mark.parametrize('name', ['koophone_instance_reset', 'koophone_instance_info'])
def test_koophone_wrong_iam_password(name, simulator, run_module):
    spec = BY_NAME[name]
    result, failed = run_module(spec.module, iam(simulator, spec, password='not-the-password'))
    assert failed
    assert result['error']['kind'] == 'auth' and result['error']['path'] == '/v3/auth/tokens'
    assert 'username/password/domain_name/project_name' in result['msg']
    assert 'not-the-password' not in result['msg']
    assert len(auth_calls(simulator)) == 1 and len(spec.calls(simulator)) == 0


@pytest.mark.parametrize('name', ['koophone_instance_reset', 'koophone_instance_info'])
def test_koophone_expired_iam_token_is_renewed_once(name, simulator, run_module):
    """The token is refused (401) once mid-run -> one new IAM login, the call repeated, success."""
    spec = BY_NAME[name]
    simulator.inject(**spec.fault(action='status', status=401, count=1))
    result, failed = run_module(spec.module, iam(simulator, spec))
    assert_success(spec, simulator, result, failed)
    assert len(auth_calls(simulator)) == 2
    assert [entry['status'] for entry in spec.calls(simulator)][0] == 401
    if spec.applied:
        assert spec.applied(simulator) == 1


def test_koophone_iam_token_expiring_in_flight(simulator, run_module):
    """Tokens that live 0 s: the module renews once, then fails clearly instead of looping."""
    simulator.configure(koophone_token_ttl_seconds=0)
    spec = BY_NAME['koophone_instance_info']
    result, failed = run_module(spec.module, iam(simulator, spec))
    assert failed
    assert result['error']['kind'] == 'auth' and result['error']['status'] == 401
    assert 'Check username/password/domain_name/project_name' in result['msg']
    assert len(auth_calls(simulator)) == 2


def test_koophone_token_expiry_while_waiting(simulator, run_module):
    """A real expiry while polling a reset task: renewed, the wait goes on, every job is reported."""
    simulator.configure(koophone_token_ttl_seconds=0.4, koophone_job_seconds=1.0)
    spec = BY_NAME['koophone_instance_reset']
    result, failed = run_module(spec.module, iam(simulator, spec, wait=True, poll_interval=0.1))
    assert not failed, result['msg']
    assert [item['status'] for item in result['results']] == ['succeeded', 'succeeded']
    refused = [entry for entry in simulator.requests if entry['status'] == 401]
    assert refused and len(auth_calls(simulator)) == 1 + len(refused)


def test_iot_wrong_access_key(simulator, run_module):
    result, failed = run(BY_NAME['iot_device_bulk'], simulator, run_module, access_key='not-the-key')
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'auth' and result['error']['status'] == 403
    assert 'Check key_id and access_key' in result['msg']
    assert 'not-the-key' not in result['msg']
    assert iot_updates(simulator) == 0
    assert len(simulator.requests) == 1


def scm_token_calls(sim):
    return [entry for entry in sim.requests if entry['path'] == '/oauth2/access_token']


def test_iot_scm_wrong_client_secret(simulator, run_module):
    result, failed = run(BY_NAME['iot_device_bulk_scm'], simulator, run_module, client_secret='not-the-secret')
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'auth' and result['error']['status'] == 401
    assert 'Strata Cloud Manager authentication failed' in result['msg']
    assert 'check client_id / client_secret / tsg_id' in result['msg'] and 'not-the-secret' not in result['msg']
    assert iot_scm_updates(simulator) == 0
    assert len(simulator.requests) == 1


@pytest.mark.parametrize('status', [401, 403])
def test_iot_scm_token_refused_in_flight(status, simulator, run_module):
    """Tokens that live 0 s: the refused call is repeated once with a new token, then a clear failure, not a loop."""
    simulator.configure(iot_token_ttl_seconds=0, iot_scm_auth_status=status)
    result, failed = run(BY_NAME['iot_device_bulk_scm'], simulator, run_module)
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'auth' and result['error']['status'] == status
    assert 'Check client_id, client_secret and tsg_id' in result['msg']
    assert len(scm_token_calls(simulator)) == 2 and len(BY_NAME['iot_device_bulk_scm'].calls(simulator)) == 2
    assert iot_scm_updates(simulator) == 0


@pytest.mark.parametrize('fault', [
    dict(action='status', status=502, count=RETRIES),
    dict(action='status', status=500, count=1),
    dict(action='status', status=504, count=1),
    dict(action='drop', count=1),
    dict(action='html', count=1),
    dict(action='status', status=429, retry_after=0.1, count=RETRIES + 1),
], ids=lambda fault: '%s-%s' % (fault['action'], fault.get('status', '')))
def test_iot_scm_token_request_is_retried_like_a_read(fault, simulator, run_module):
    """The token POST has no side effect: every transient failure of the token endpoint is retried."""
    simulator.inject(vendor='iot', path_contains='/oauth2/access_token', **fault)
    result, failed = run(BY_NAME['iot_device_bulk_scm'], simulator, run_module)
    assert not failed, result['msg']
    assert scm_token_calls(simulator)[-1]['status'] == 200 and iot_scm_updates(simulator) == 1


@pytest.mark.parametrize('fault, words', [
    (dict(action='status', status=503, count=-1), 'HTTP 503 after %d attempts' % (RETRIES + 1)),
    (dict(action='malformed', count=-1), 'not JSON'),
    (dict(action='empty', count=-1), 'empty body'),
])
def test_iot_scm_token_endpoint_failing_is_a_clear_failure_with_nothing_sent(fault, words, simulator, run_module):
    simulator.inject(vendor='iot', path_contains='/oauth2/access_token', **fault)
    result, failed = run(BY_NAME['iot_device_bulk_scm'], simulator, run_module)
    assert failed
    no_traceback(result)
    assert 'no Strata Cloud Manager access token' in result['msg'] and words in result['msg']
    assert result['error']['outcome_unknown'] is False and result['batches'] == []
    assert BY_NAME['iot_device_bulk_scm'].calls(simulator) == [] and iot_scm_updates(simulator) == 0


@pytest.mark.parametrize('http_status', [200, 401])
@pytest.mark.parametrize('name', ['resource_counters', 'resource_counters_info'])
def test_altcraft_wrong_token(name, http_status, simulator, run_module):
    simulator.configure(altcraft_error_http_status=http_status)
    result, failed = run(BY_NAME[name], simulator, run_module, api_token='not-the-token')
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'auth' and str(result['error']['vendor_code']) == '401'
    assert 'Check api_token' in result['msg']
    assert 'not-the-token' not in result['msg']
    assert altcraft_tasks(simulator) == 0
    assert len(simulator.requests) == 1


# --------------------------------------------------------------------------------------------------------
# TLS: a self-signed simulator is refused with validate_certs on, accepted with ca_path

@pytest.fixture(scope='module')
def tls_simulator(tmp_path_factory):
    sim = Simulator(tls=True, cert_dir=str(tmp_path_factory.mktemp('tls'))).start()
    yield sim
    sim.stop()


@pytest.fixture
def tls_sim(tls_simulator):
    tls_simulator.reset()
    tls_simulator.configure(koophone_job_seconds=0.1, altcraft_task_seconds=0.1)
    return tls_simulator


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_tls_self_signed_refused(spec, tls_sim, run_module):
    assert tls_sim.url.startswith('https://')
    result, failed = run(spec, tls_sim, run_module)
    assert failed
    no_traceback(result)
    assert result['error']['kind'] == 'tls'
    # the cause near the start, whatever the request URL: the URL (and its query of IDs) is not echoed
    assert 'certificate verify failed: self-signed certificate' in result['msg'][:220], result['msg']
    assert 'ca_path' in result['msg'] and '?' not in result['msg']
    assert tls_sim.requests == []
    if spec.applied:
        assert spec.applied(tls_sim) == 0


@pytest.mark.parametrize('spec', MODULES, ids=lambda spec: spec.name)
def test_tls_self_signed_accepted_with_ca_path(spec, tls_sim, run_module):
    result, failed = run(spec, tls_sim, run_module, ca_path=tls_sim.ca_file)
    assert_success(spec, tls_sim, result, failed)
