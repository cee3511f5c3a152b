# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iot_device_info end to end against the simulator over loopback HTTP, call by call."""

from __future__ import annotations

import json

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot
from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter
from ansible_collections.fleetops.maintenance.plugins.modules import iot_device_info
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

TENANT = CREDENTIALS.iot['customer_id']
SCM_TENANT = CREDENTIALS.iot_scm['tsg_id']
LIST = '/pub/v4.0/device/list'
IP = '/pub/v4.0/device/ip'
SCM_LIST = '/iot/pub/v1/device/list'
SCM_IP = '/iot/pub/v1/device/ip'
TOKEN = Call('POST', '/oauth2/access_token', body={'grant_type': 'client_credentials', 'scope': 'tsg_id:' + SCM_TENANT})
BIG = 2500  # devices of the big tenants: several pages


def sim_ip(index):
    return '10.20.%d.%d' % (index // 250, index % 250 + 1)


def big_tenants(simulator):
    """Both tenants with BIG devices each."""
    simulator.load_seed({'iot': {'tenants': [dict(CREDENTIALS.iot, devices=BIG), dict(CREDENTIALS.iot_scm, devices=BIG)]}})
    simulator.configure(log_bodies=True)


@pytest.fixture
def conn(iot_connection):
    return dict(iot_connection, retry_backoff=0.01)


@pytest.fixture
def scm(iot_scm_connection):
    return dict(iot_scm_connection, retry_backoff=0.01)


def run(run_module, conn, check_mode=False, **args):
    return run_module(iot_device_info, dict(conn, **args), check_mode=check_mode)


def page(offset, size, **extra):
    return dict(customerid=TENANT, offset=str(offset), pagelength=str(size), **extra)


def scm_page(offset, size):
    return dict(offset=str(offset), pagelength=str(size))


def test_lists_every_device_once_page_by_page(simulator, run_module, conn):
    big_tenants(simulator)
    result, failed = run(run_module, conn, page_size=1000)
    assert not failed, result['msg']
    assert result['changed'] is False and result['api_generation'] == 'legacy'
    assert result['total'] == BIG and result['calls'] == 3 and result['not_found'] == []
    assert [device['ip_address'] for device in result['devices']] == [sim_ip(index) for index in range(BIG)]
    assert result['devices'][3] == {'deviceid': '02:20:00:00:00:03', 'hostname': 'sim-device-00003', 'category': 'Cellular Gateway',
                                    'profile': 'Sim Cellular Router', 'ip_address': '10.20.0.4', 'mac_address': '02:20:00:00:00:03',
                                    'last_activity': '2026-11-04T08:00:00.000Z'}
    assert_calls(simulator, [Call('GET', LIST, page(0, 1000)), Call('GET', LIST, page(1000, 1000)),
                             Call('GET', LIST, page(2000, 1000))])


def test_scm_lists_every_device_with_one_token(simulator, run_module, scm):
    big_tenants(simulator)
    result, failed = run(run_module, scm, page_size=600)
    assert not failed, result['msg']
    assert result['api_generation'] == 'scm' and result['total'] == BIG and len(result['devices']) == BIG
    assert len(set(device['deviceid'] for device in result['devices'])) == BIG
    assert_calls(simulator, [TOKEN] + [Call('GET', SCM_LIST, scm_page(offset, 600)) for offset in range(0, BIG, 600)])
    assert CREDENTIALS.iot_scm['client_secret'] not in json.dumps(result)


def test_a_page_size_that_divides_the_total_reads_no_empty_page(simulator, run_module, conn):
    result, failed = run(run_module, conn, page_size=100)
    assert not failed and result['total'] == 300 and result['calls'] == 3
    assert_calls(simulator, [Call('GET', LIST, page(offset, 100)) for offset in (0, 100, 200)])


def test_filters_are_the_specs_query_parameters(simulator, run_module, conn):
    result, failed = run(run_module, conn, stime='2026-11-28T00:00:00Z', detail=True, traffic_restricted='no')
    assert not failed, result['msg']
    # device i was last active on day i % 28 + 1
    assert result['total'] == len([index for index in range(300) if index % 28 == 27]) == len(result['devices'])
    query = page(0, 1000, stime='2026-11-28T00:00:00Z', detail='true', trafficRestricted='no')
    assert_calls(simulator, [Call('GET', LIST, query)])


def test_check_mode_runs_the_reads(simulator, run_module, conn):
    result, failed = run(run_module, conn, check_mode=True, page_size=1000)
    assert not failed and result['changed'] is False and result['total'] == 300 and len(result['devices']) == 300
    assert_calls(simulator, [Call('GET', LIST, page(0, 1000))])


def test_ip_addresses_are_looked_up_one_by_one(simulator, run_module, conn):
    addresses = ['10.20.0.1', '10.99.0.1', 'FD00:20::4', ' 10.20.0.1 ', 'fd00:20:0:0:0:0:0:4']
    result, failed = run(run_module, conn, ip_addresses=addresses)
    assert not failed, result['msg']
    assert [device['deviceid'] for device in result['devices']] == ['02:20:00:00:00:00', '02:20:00:00:00:03']
    assert result['not_found'] == ['10.99.0.1'] and result['total'] == 2 and result['calls'] == 3
    assert_calls(simulator, [Call('GET', IP, dict(customerid=TENANT, ip=address)) for address in ('10.20.0.1', '10.99.0.1', 'FD00:20::4')])


def test_scm_ip_lookups_share_one_token(simulator, run_module, scm):
    result, failed = run(run_module, scm, ip_addresses=['10.20.0.2', '10.20.0.3'])
    assert not failed and result['total'] == 2
    assert_calls(simulator, [TOKEN, Call('GET', SCM_IP, dict(ip='10.20.0.2')), Call('GET', SCM_IP, dict(ip='10.20.0.3'))])


def test_reads_are_paced_under_reads_per_minute(simulator, run_module, conn, monkeypatch):
    waits = []
    monkeypatch.setattr(iot, 'RateLimiter', lambda per_minute: RateLimiter(per_minute, sleep=waits.append))
    result, failed = run(run_module, conn, ip_addresses=[sim_ip(index) for index in range(4)], reads_per_minute=2)
    assert not failed and result['calls'] == 4
    # the reads' bucket of 2 starts one short: the 1st read goes at once, then one every 30 s
    assert [round(wait) for wait in waits] == [30, 60, 90]


def test_the_default_pace_is_the_vendors_60_a_minute(simulator, run_module, conn, monkeypatch):
    rates = []

    def recording(per_minute):
        rates.append(per_minute)
        return RateLimiter(per_minute)
    monkeypatch.setattr(iot, 'RateLimiter', recording)
    result, failed = run(run_module, conn, ip_addresses=['10.20.0.1'])
    assert not failed
    assert rates == [180, 60]  # the writes' pacer, then the reads'


def test_rate_limited_reads_are_waited_out(simulator, run_module, conn):
    simulator.configure(iot_list_rate_limit_per_minute=600, iot_list_rate_burst=1, iot_retry_after=0.05)
    result, failed = run(run_module, conn, page_size=100)
    assert not failed and result['total'] == 300 and len(result['devices']) == 300
    statuses = [entry['status'] for entry in simulator.requests]
    assert statuses.count(200) == 3 and 429 in statuses


def test_a_refused_key_fails_clearly(simulator, run_module, conn):
    result, failed = run(run_module, dict(conn, access_key='wrong'))
    assert failed and 'HTTP 403' in result['msg'] and result['error']['status'] == 403
    assert 'wrong' not in json.dumps(result)


@pytest.mark.parametrize('args, message', [
    (dict(page_size=1001), 'page_size must be at most 1000'),
    (dict(page_size=0), 'page_size must be at least 1'),
    (dict(ip_addresses=['10.20.0.1', ' ']), 'ip_addresses item 2 is empty'),
    (dict(ip_addresses=['10.20.0.1'], stime='2026-11-01T00:00:00Z'), 'cannot be used with ip_addresses'),
    (dict(stime=' '), 'stime must be an ISO 8601 date-time'),
    (dict(stime='last week'), "stime must be an ISO 8601 date-time such as 2026-11-01T00:00:00Z, got 'last week'"),
    (dict(ip_addresses=['10.20.0.300']), "ip_addresses item 1: '10.20.0.300' is not an IPv4 or IPv6 address"),
    (dict(traffic_restricted='maybe'), 'value of traffic_restricted must be one of: yes, no'),
    (dict(reads_per_minute=0), 'reads_per_minute must be at least 1'),
])
def test_bad_input_fails_clearly_before_any_call(simulator, run_module, conn, args, message):
    result, failed = run(run_module, conn, **args)
    assert failed and message in result['msg']
    assert simulator.requests == []
