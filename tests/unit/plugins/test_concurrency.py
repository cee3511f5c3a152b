# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Batches in parallel (the concurrency option), module by module against the simulator: the same results as one
after the other, and a failure while other batches are in flight reported exactly (completed, outcome unknown,
not processed), with nothing new sent after it."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient, RetryPolicy
from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter
from ansible_collections.fleetops.maintenance.plugins.modules import (
    iot_device_bulk,
    koophone_instance_info,
    koophone_instance_reset,
    wfbss_report,
    wfbss_report_info,
    wfbss_reset,
)
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

WFBSS = dict(CREDENTIALS.wfbss)
KOOPHONE = dict(auth_token=CREDENTIALS.koophone_token)
IOT = dict(CREDENTIALS.iot)
REPORT = dict(name='weekly report', schedule='weekly', weekday='monday', time='08:00', contents=['virus_summary'])
IN_FLIGHT = 0.4  # seconds the other batches take to answer


def customers(simulator, count):
    return simulator.state('wfbss')['accounts'][0]['customers'][:count]


def instances(simulator, count):
    """Instance IDs of the default seed, without the frozen one (index 7), whose reset the vendor refuses."""
    ids = list(simulator.state('koophone')['instances'])
    return (ids[:7] + ids[8:])[:count]


def devices(count):
    return [dict(ip_address='10.20.%d.%d' % (number // 250, number % 250 + 1)) for number in range(count)]


# name -> (module, vendor, method and path of its batched call, batch size, the items, the module's arguments)
SPECS = {
    'wfbss_reset': (wfbss_reset, 'wfbss', 'POST', 'commands/reset', 10,
                    lambda sim: customers(sim, 25), lambda sim, ids: dict(WFBSS, customer_ids=ids, type='counter')),
    'wfbss_report': (wfbss_report, 'wfbss', 'POST', '/report', 10,
                     lambda sim: customers(sim, 25), lambda sim, ids: dict(WFBSS, customer_ids=ids, **REPORT)),
    'wfbss_report_info': (wfbss_report_info, 'wfbss', 'GET', '/report', 10,
                          lambda sim: customers(sim, 25), lambda sim, ids: dict(WFBSS, customer_ids=ids)),
    'koophone_instance_reset': (koophone_instance_reset, 'koophone', 'POST', 'batch-reset', 32,
                                lambda sim: instances(sim, 79), lambda sim, ids: dict(KOOPHONE, instance_ids=ids)),
    'koophone_instance_info': (koophone_instance_info, 'koophone', 'POST', 'batch-query-status', 32,
                               lambda sim: instances(sim, 79), lambda sim, ids: dict(KOOPHONE, instance_ids=ids)),
    'iot_device_bulk': (iot_device_bulk, 'iot', 'PUT', 'bulkUpdate', 2,
                        lambda sim: devices(6), lambda sim, items: dict(IOT, devices=items, batch_size=2)),
}


def run(run_module, simulator, name, items=None, **extra):
    module, vendor, method, path, size, make_items, make_args = SPECS[name]
    items = make_items(simulator) if items is None else items
    args = dict(make_args(simulator, items), api_url=simulator.url, retries=0, retry_backoff=0)
    args.update(extra)
    return run_module(module, args)


def batched_calls(simulator, name):
    module, vendor, method, path, size, make_items, make_args = SPECS[name]
    return [entry for entry in simulator.requests
            if entry['vendor'] == vendor and entry['method'] == method and path in entry['path']]


def comparable(result):
    """A result without what differs from run to run by design (fresh task and job ids)."""
    for key in ('tasks', 'task_ids', 'results', 'invocation'):
        result.pop(key, None)
    return result


# the modules whose second run does not depend on the first one's writes (the others: the next test)
@pytest.mark.parametrize('name', ['iot_device_bulk', 'koophone_instance_info', 'wfbss_report_info', 'wfbss_reset'])
def test_concurrent_results_equal_the_sequential_ones(name, simulator, run_module):
    sequential, failed = run(run_module, simulator, name, concurrency=1)
    assert not failed, sequential['msg']
    simulator.reset()
    parallel, failed = run(run_module, simulator, name, concurrency=8)
    assert not failed, parallel['msg']
    assert comparable(parallel) == comparable(sequential)


@pytest.mark.parametrize('name', ['wfbss_report', 'koophone_instance_reset', 'wfbss_reset'])
def test_concurrent_writes_apply_every_batch_once(name, simulator, run_module):
    items = SPECS[name][5](simulator)
    result, failed = run(run_module, simulator, name, concurrency=8)
    assert not failed, result['msg']
    calls = batched_calls(simulator, name)
    assert len(calls) == -(-len(items) // SPECS[name][4])  # ceil: one call a batch, none repeated
    if name == 'koophone_instance_reset':
        assert result['reset_instance_ids'] == items and [item['batch'] for item in result['results']] == \
            [1] * 32 + [2] * 32 + [3] * 15
        assert all(simulator.state('koophone')['instances'][iid]['resets'] == 1 for iid in items)
    if name == 'wfbss_reset':
        assert [task['customer_ids'] for task in result['tasks']] == [items[:10], items[10:20], items[20:]]


def failing_items(simulator, name):
    """At least three batches of each module's size (customers padded with IDs the account does not have)."""
    if name.startswith('wfbss'):
        return customers(simulator, 25)  # batches of 10, 10, 5
    if name.startswith('koophone'):
        return instances(simulator, 79)  # batches of 32, 32, 15
    return devices(10)


@pytest.mark.parametrize('name', sorted(SPECS))
def test_a_failure_while_another_batch_is_in_flight(name, simulator, run_module):
    """Two batches at a time: the second to arrive is refused at once while the first is still being answered.
    The first finishes and is reported as completed; no further batch is sent; the rest is not processed."""
    module, vendor, method, path, size, make_items, make_args = SPECS[name]
    items = failing_items(simulator, name)
    total = -(-len(items) // size)
    simulator.inject(vendor=vendor, method=method, path_contains=path, action='status', status=400, skip=1, count=1)
    simulator.inject(vendor=vendor, method=method, path_contains=path, action='delay', delay=IN_FLIGHT, count=-1)
    result, failed = run(run_module, simulator, name, items=items, concurrency=2)
    assert failed
    assert len(batched_calls(simulator, name)) == 2, 'a batch was sent after the failure'
    assert ' of %d failed (1 batch completed' % total in result['msg'], result['msg']
    assert len(result['unprocessed']) == len(items) - size  # one full batch completed, whichever it was
    assert 'outcome_unknown_items' not in result  # a refusal was not applied
    if name in ('wfbss_reset', 'koophone_instance_reset', 'iot_device_bulk'):
        assert result['changed'] is True


def test_a_lost_answer_while_others_are_in_flight_is_an_unknown_outcome(simulator, run_module):
    ids = customers(simulator, 25)
    simulator.inject(vendor='wfbss', method='POST', path_contains='commands/reset', action='status', status=504,
                     skip=1, count=1)
    simulator.inject(vendor='wfbss', method='POST', path_contains='commands/reset', action='delay', delay=IN_FLIGHT,
                     count=-1)
    result, failed = run(run_module, simulator, 'wfbss_reset', items=ids, concurrency=3)
    assert failed and 'outcome is unknown' in result['msg']
    unknown, done = result['outcome_unknown_items'], [cid for task in result['tasks'] for cid in task['customer_ids']]
    assert len(unknown) in (10, 5) and len(done) == 25 - len(unknown)  # the other two batches completed
    assert result['unprocessed'] == []
    assert sorted(unknown + done) == sorted(ids)
    applied = [cid for cid, customer in simulator.state('wfbss')['customers'].items() if customer['resets']]
    assert sorted(applied) == sorted(done)  # what the result calls done is what the vendor applied


def test_the_rate_limit_is_one_limiter_shared_by_every_worker():
    """10 calls a second with no burst: 21 calls from 4 threads take about 2 seconds, not half a second."""
    limiter = RateLimiter(600, burst=1)
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [limiter.acquire() for dummy in range(5)]) for dummy in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limiter.acquire()
    assert time.monotonic() - started >= 1.9


def test_a_429_pauses_every_worker_of_the_client(httpserver):
    answers = iter([(429, {'Retry-After': '1'}), (200, {}), (200, {})])

    def handler(request):
        from werkzeug.wrappers import Response
        status, headers = next(answers)
        return Response('{}', status=status, headers=headers, content_type='application/json')
    httpserver.expect_request('/thing').respond_with_handler(handler)
    sleeps = {}

    def sleep(seconds):
        sleeps.setdefault(threading.current_thread().name, []).append(seconds)
    client = ApiClient(httpserver.url_for('/'), sleep=sleep, policy=RetryPolicy(retries=0))
    first = threading.Thread(target=client.request, args=('GET', '/thing'), name='refused')
    first.start()
    first.join()
    other = threading.Thread(target=client.request, args=('GET', '/thing'), name='other')
    other.start()
    other.join()
    assert sleeps['refused'] == [1.0]
    assert len(sleeps['other']) == 1 and 0.5 < sleeps['other'][0] <= 1.0  # it waited out the same pause
    assert len(httpserver.log) == 3


def test_each_worker_keeps_its_own_keep_alive_connection(simulator):
    """Three threads, ten calls each: three sessions, each opening one connection and keeping it alive."""
    client = ApiClient(simulator.url + '/_sim', policy=RetryPolicy(retries=0))
    sessions = []

    def work():
        for dummy in range(10):
            client.request('GET', '/health')
        sessions.append(client.session)
    threads = [threading.Thread(target=work) for dummy in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.calls == 30 and len(set(id(session) for session in sessions)) == 3
    managers = [session.get_adapter(simulator.url).poolmanager for session in sessions]
    opened = [sum(manager.pools[key].num_connections for key in manager.pools.keys()) for manager in managers]
    assert opened == [1, 1, 1]
    client.close()
