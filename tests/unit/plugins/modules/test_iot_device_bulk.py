# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iot_device_bulk end to end against the simulator over loopback HTTP."""

from __future__ import annotations

import json

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot
from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter
from ansible_collections.fleetops.maintenance.plugins.modules import iot_device_bulk
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls, received_calls

TENANT = CREDENTIALS.iot['customer_id']
PATH = '/pub/v4.0/device/bulkUpdate'
QUERY = 'customerid=%s&updateSource=cellular' % TENANT


def sim_ip(index):
    """The IPv4 address of the simulator's device number ``index`` (from 0)."""
    return '10.20.%d.%d' % (index // 250, index % 250 + 1)


def fleet(count, start=0):
    return [dict(ip_address=sim_ip(start + n), imsi='3101501234%05d' % (start + n)) for n in range(count)]


@pytest.fixture
def conn(iot_connection):
    return dict(iot_connection, retry_backoff=0.01)


def run(run_module, conn, check_mode=False, **args):
    return run_module(iot_device_bulk, dict(conn, **args), check_mode=check_mode)


def writes(simulator):
    return [(r['method'], r['path'], r['query'], r['status']) for r in simulator.requests if r['kind'] == 'write']


def attributes(simulator, index):
    return simulator.state('iot')['tenants'][TENANT]['devices'][index]['attributes']


def test_sends_batches_and_counts_unmatched(simulator, run_module, conn):
    devices = fleet(4) + [dict(ip_address='10.99.0.1', imei='356938035643809')]
    result, failed = run(run_module, conn, devices=devices, batch_size=2)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert result['batches'] == [dict(index=1, sent=2, updated=2), dict(index=2, sent=2, updated=2),
                                 dict(index=3, sent=1, updated=0)]
    assert (result['device_count'], result['batch_count'], result['sent_device_count']) == (5, 3, 5)
    assert (result['updated_device_count'], result['unmatched_device_count']) == (4, 1)
    assert writes(simulator) == [('PUT', PATH, QUERY, 200)] * 3
    assert attributes(simulator, 3) == {'imsi': '310150123400003'}
    assert attributes(simulator, 4) == {}


def last_body(simulator):
    return simulator.state('iot')['tenants'][TENANT]['last_bulk_update']['body']


def test_ipv6_is_sent_in_the_notation_given(simulator, run_module, conn):
    # The simulator knows device 3 as fd00:20::4; the vendor does not document how it compares notations.
    result, failed = run(run_module, conn, devices=[dict(ipv6_address='FD00:0020:0000:0000:0000:0000:0000:0004',
                                                         apn='iot.example')])
    assert not failed and result['updated_device_count'] == 1
    assert last_body(simulator) == {'devicelist': [{'ipv6Address': 'FD00:0020:0000:0000:0000:0000:0000:0004',
                                                    'apn': 'iot.example'}]}
    assert attributes(simulator, 3) == {'apn': 'iot.example'}


def test_session_fields_are_sent(simulator, run_module, conn):
    result, failed = run(run_module, conn, devices=[dict(ip_address='10.20.0.1', session_start='2022-01-05T14:48:00Z',
                                                         session_end="ISODate('2022-01-10T14:48:00.000Z')")])
    assert not failed and result['updated_device_count'] == 1
    assert last_body(simulator) == {'devicelist': [{'ipAddress': '10.20.0.1', 'sessionStart': '2022-01-05T14:48:00Z',
                                                    'sessionEnd': "ISODate('2022-01-10T14:48:00.000Z')"}]}


@pytest.mark.parametrize('source', ['customAttribute', 'snmp', 'Cellular'])
def test_only_the_cellular_update_source_is_accepted(simulator, run_module, conn, source):
    # Other sources take other bodies and answers (customAttribute: deviceid/tagType/tagValue, updatedAttributesNum).
    result, failed = run(run_module, conn, devices=fleet(1), update_source=source)
    assert failed and 'value of update_source must be one of: cellular, got: %s' % source in result['msg']
    assert simulator.requests == []


def test_check_mode_sends_nothing(simulator, run_module, conn):
    result, failed = run(run_module, conn, check_mode=True, devices=fleet(5), batch_size=2)
    assert not failed and result['changed'] is True
    assert result['batches'] == [dict(index=1, sent=2, updated=None), dict(index=2, sent=2, updated=None),
                                 dict(index=3, sent=1, updated=None)]
    assert result['batch_count'] == 3 and result['sent_device_count'] == 5
    assert result['updated_device_count'] is None and result['unmatched_device_count'] is None
    assert simulator.requests == []


def test_no_devices_is_no_change(simulator, run_module, conn):
    result, failed = run(run_module, conn, devices=[])
    assert not failed and result['changed'] is False and result['batches'] == []
    assert result['sent_device_count'] == 0 and result['unmatched_device_count'] == 0
    assert simulator.requests == []


def test_second_run_sends_again_and_reports_changed(simulator, run_module, conn):
    # The vendor documents no read-back of these attributes: the module cannot compare, and says so.
    for dummy in range(2):
        result, failed = run(run_module, conn, devices=fleet(2))
        assert not failed and result['changed'] is True
    assert len(writes(simulator)) == 2


def test_failure_in_batch_k_reports_completed_batches(simulator, run_module, conn):
    simulator.inject(vendor='iot', method='PUT', skip=2, count=-1, action='status', status=400)
    result, failed = run(run_module, conn, devices=fleet(7), batch_size=2, concurrency=1)
    assert failed
    assert result['msg'].startswith('batch 3 of 4 failed (2 batches completed before it; 3 items not processed)')
    assert result['changed'] is True
    assert result['failed_batch'] == 3
    assert result['batches'] == [dict(index=1, sent=2, updated=2), dict(index=2, sent=2, updated=2)]
    assert (result['sent_device_count'], result['updated_device_count']) == (4, 4)
    assert result['unprocessed'] == [dict(position=p, address=sim_ip(p - 1)) for p in (5, 6, 7)]
    assert result['error']['status'] == 400
    assert [w[3] for w in writes(simulator)] == [200, 200, 400]  # a 400 is not retried, nothing after it is sent


def test_a_batch_applied_with_a_garbled_answer_is_not_reported_unprocessed(simulator, run_module, conn):
    """Batch 2 was applied and its answer arrived truncated: its devices may have been updated, so they are in
    outcome_unknown_items, not in unprocessed (only batches 3 and 4, never sent, are)."""
    simulator.inject(vendor='iot', method='PUT', skip=1, count=1, action='malformed', applied=True)
    result, failed = run(run_module, conn, devices=fleet(7), batch_size=2, concurrency=1)
    assert failed and result['error']['outcome_unknown'] is True
    assert [item['ipAddress'] for item in result['outcome_unknown_items']] == [sim_ip(2), sim_ip(3)]
    assert result['unprocessed'] == [dict(position=p, address=sim_ip(p - 1)) for p in (5, 6, 7)]
    assert result['batches'] == [dict(index=1, sent=2, updated=2)]


def test_error_inside_a_200_fails_the_batch(simulator, run_module, conn):
    simulator.inject(vendor='iot', action='vendor_error', error_code='0', error_text='tenant locked')
    result, failed = run(run_module, conn, devices=fleet(3))
    assert failed and result['changed'] is False and result['batches'] == []
    assert 'HTTP 200, 0 tenant locked' in result['msg']
    assert result['error']['vendor_message'] == 'tenant locked'
    assert len(result['unprocessed']) == 3


def test_bad_key_is_a_clear_auth_failure(simulator, run_module, conn):
    result, failed = run(run_module, dict(conn, access_key='not-the-key'), devices=fleet(1))
    assert failed and result['error']['kind'] == 'auth' and result['error']['status'] == 403
    assert 'Check key_id and access_key, and that the key has RBAC rights on customer_id' in result['msg']
    assert 'not-the-key' not in json.dumps(result)
    assert [r['status'] for r in simulator.requests] == [403]


def test_server_errors_are_retried_because_the_put_is_idempotent(simulator, run_module, conn):
    simulator.inject(vendor='iot', method='PUT', count=1, action='status', status=500)
    result, failed = run(run_module, conn, devices=fleet(2))
    assert not failed and result['updated_device_count'] == 2
    assert [w[3] for w in writes(simulator)] == [500, 200]


def test_rate_limited_requests_are_waited_out(simulator, run_module, conn):
    simulator.configure(iot_rate_limit_per_minute=600, iot_rate_burst=1, iot_retry_after=0.05)
    result, failed = run(run_module, conn, devices=fleet(3), batch_size=1)
    assert not failed and result['sent_device_count'] == 3 and result['updated_device_count'] == 3
    statuses = [w[3] for w in writes(simulator)]
    assert statuses.count(200) == 3 and 429 in statuses


def test_requests_per_minute_paces_the_calls(simulator, run_module, conn, monkeypatch):
    waits = []
    monkeypatch.setattr(iot, 'RateLimiter', lambda per_minute: RateLimiter(per_minute, sleep=waits.append))
    result, failed = run(run_module, conn, devices=fleet(4), batch_size=1, requests_per_minute=2)
    assert not failed and len(writes(simulator)) == 4
    # The bucket starts one short of its burst of 2: the 1st call goes at once, then one every 30 s
    # (the recorded sleeps do not move the clock, so each later call also waits for those before it).
    assert [round(wait) for wait in waits] == [30, 60, 90]


def test_csv_devices_file(simulator, run_module, conn, tmp_path):
    path = tmp_path / 'fleet.csv'
    path.write_text('ip_address,ipv6_address,imei,session_event_type\n'
                    '10.20.0.2,,356938035643809,sessionStart\n,fd00:20::4,,\n')
    result, failed = run(run_module, conn, devices_file=str(path))
    assert not failed and result['device_count'] == 2 and result['updated_device_count'] == 2
    assert attributes(simulator, 1) == {'imei': '356938035643809', 'SessionEvtType': 'sessionStart'}
    assert len(writes(simulator)) == 1


def test_json_devices_file(simulator, run_module, conn, tmp_path):
    path = tmp_path / 'fleet.json'
    path.write_text(json.dumps(fleet(3)))
    result, failed = run(run_module, conn, devices_file=str(path), batch_size=2)
    assert not failed and [b['sent'] for b in result['batches']] == [2, 1]


def test_invalid_file_line_is_named_and_nothing_sent(simulator, run_module, conn, tmp_path):
    path = tmp_path / 'fleet.csv'
    path.write_text('ip_address,iccid\n10.20.0.1,8944500102198304826\n10.20.0.300,8944500102198304826\n')
    result, failed = run(run_module, conn, devices_file=str(path))
    assert failed and simulator.requests == []
    assert result['msg'] == ("1 invalid device, nothing was sent: devices_file %s line 3 (device 2): "
                             "ip_address '10.20.0.300' is not a valid IPv4 address" % path)


@pytest.mark.parametrize('args, message', [
    (dict(devices=[dict(ip_address='10.20.0.1'), dict(imei='356938035643809')]),
     'devices item 2: needs ip_address or ipv6_address'),
    (dict(devices=[dict(ip_address='10.20.0.1', imei='12345')]), "devices item 1: imei '12345' must be exactly 15 digits"),
    (dict(devices=[dict(ip_address='10.20.0.1', iccid='89')]), "devices item 1: iccid '89' must be 18 to 22 digits"),
    (dict(devices=[dict(ip_address='10.20.0.1', imsi='x')]), "devices item 1: imsi 'x' must be 6 to 15 digits"),
    (dict(devices=[dict(ip_address='10.20.0.1', mac='02:00')]), 'devices item 1: unknown field mac'),
    (dict(devices=[dict(ipv6_address='fd00::zz')]), "devices item 1: ipv6_address 'fd00::zz' is not a valid IPv6 address"),
    (dict(devices=fleet(1), devices_file='/tmp/x.csv'), 'parameters are mutually exclusive: devices|devices_file'),
    (dict(), 'one of the following is required: devices, devices_file'),
    (dict(devices=fleet(1), batch_size=0), 'batch_size must be at least 1, got 0'),
    (dict(devices=fleet(1), requests_per_minute=0), 'requests_per_minute must be at least 1, got 0'),
    (dict(devices=fleet(1), update_source=' '), 'value of update_source must be one of: cellular'),
    (dict(devices=fleet(1), api_url='ftp://example.com'), "api_url must be an http:// or https:// URL, got 'ftp://example.com'"),
    (dict(devices_file='/nonexistent/fleet.csv'), 'devices_file /nonexistent/fleet.csv cannot be read'),
])
def test_bad_input_fails_clearly_before_any_call(simulator, run_module, conn, args, message):
    result, failed = run(run_module, conn, **args)
    assert failed and message in result['msg']
    assert simulator.requests == []


def test_credentials_from_the_environment(simulator, run_module, monkeypatch):
    monkeypatch.setenv('PANW_IOT_API_URL', simulator.url)
    monkeypatch.setenv('PANW_IOT_CUSTOMER_ID', TENANT)
    monkeypatch.setenv('PANW_IOT_KEY_ID', CREDENTIALS.iot['key_id'])
    monkeypatch.setenv('PANW_IOT_ACCESS_KEY', CREDENTIALS.iot['access_key'])
    result, failed = run_module(iot_device_bulk, dict(devices=fleet(1)))
    assert not failed and result['updated_device_count'] == 1
    assert writes(simulator) == [('PUT', PATH, QUERY, 200)]


# ---------------------------------------------------------------------------------------------------
# Strata Cloud Manager

SCM_TENANT = CREDENTIALS.iot_scm['tsg_id']
SCM_PATH = '/iot/pub/v1/device/bulkUpdate'
CLIENT_SECRET = CREDENTIALS.iot_scm['client_secret']


@pytest.fixture
def scm(iot_scm_connection):
    return dict(iot_scm_connection, retry_backoff=0.01)


def scm_log(simulator):
    return [(r['kind'], r['method'], r['path'], r['query'], r['status']) for r in simulator.requests]


def scm_devices(simulator):
    return simulator.state('iot')['tenants'][SCM_TENANT]['devices']


TOKEN = ('auth', 'POST', '/oauth2/access_token', '', 200)


def scm_put(status=200):
    return ('write', 'PUT', SCM_PATH, 'updateSource=cellular', status)


def test_scm_sends_batches_with_one_token(simulator, run_module, scm):
    result, failed = run(run_module, scm, devices=fleet(4) + [dict(ip_address='10.99.0.1')], batch_size=2)
    assert not failed, result['msg']
    assert result['api_generation'] == 'scm' and result['changed'] is True
    assert [b['updated'] for b in result['batches']] == [2, 2, 0]
    assert (result['updated_device_count'], result['unmatched_device_count']) == (4, 1)
    assert scm_log(simulator) == [TOKEN, scm_put(), scm_put(), scm_put()]
    assert [device['updates'] for device in scm_devices(simulator)[:5]] == [1, 1, 1, 1, 0]
    assert attributes(simulator, 0) == {}  # the legacy tenant is untouched
    assert CLIENT_SECRET not in json.dumps(result)


def test_scm_token_expiring_mid_run_sends_no_device_twice(simulator, run_module, scm):
    """The token dies 2 s after it was issued although it announced 899 s; each PUT takes 0.8 s to answer.

    Batch 3 arrives after 2.4 s and is refused (401): the token is renewed and batch 3 alone is repeated.
    Every device is applied once.
    """
    simulator.configure(iot_token_ttl_seconds=2.0, iot_token_expires_in=899)
    simulator.inject(vendor='iot', method='PUT', action='delay', delay=0.8, count=-1)
    result, failed = run(run_module, scm, devices=fleet(6), batch_size=2, concurrency=1)
    assert not failed, result['msg']
    assert [b['updated'] for b in result['batches']] == [2, 2, 2]
    assert scm_log(simulator) == [TOKEN, scm_put(), scm_put(), scm_put(401), TOKEN, scm_put()]
    assert [device['updates'] for device in scm_devices(simulator)[:7]] == [1, 1, 1, 1, 1, 1, 0]


def test_scm_refused_client_fails_clearly_and_sends_no_device(simulator, run_module, scm):
    result, failed = run(run_module, dict(scm, client_secret='CANARY-not-the-secret'), devices=fleet(3))
    assert failed and result['changed'] is False and result['batches'] == []
    assert 'Strata Cloud Manager authentication failed' in result['msg']
    assert 'check client_id / client_secret / tsg_id' in result['msg']
    assert result['error']['kind'] == 'auth' and result['error']['status'] == 401
    assert len(result['unprocessed']) == 3
    assert 'CANARY' not in json.dumps(result) and 'Traceback' not in result['msg']
    assert [entry[0] for entry in scm_log(simulator)] == ['auth']


def test_scm_check_mode_sends_nothing_not_even_a_token_request(simulator, run_module, scm):
    result, failed = run(run_module, scm, check_mode=True, devices=fleet(3))
    assert not failed and result['api_generation'] == 'scm' and result['batch_count'] == 1
    assert simulator.requests == []


def test_scm_rate_limited_calls_are_waited_out(simulator, run_module, scm):
    simulator.configure(iot_rate_limit_per_minute=600, iot_rate_burst=1, iot_retry_after=0.05)
    result, failed = run(run_module, scm, devices=fleet(3), batch_size=1)
    assert not failed and result['updated_device_count'] == 3
    statuses = [entry[4] for entry in scm_log(simulator) if entry[0] == 'write']
    assert 429 in statuses and statuses.count(200) == 3
    assert [entry[0] for entry in scm_log(simulator)].count('auth') == 1


def test_scm_failure_in_batch_k_reports_completed_batches(simulator, run_module, scm):
    simulator.inject(vendor='iot', method='PUT', skip=2, count=-1, action='status', status=400)
    result, failed = run(run_module, scm, devices=fleet(4), batch_size=1, concurrency=1)
    assert failed and result['failed_batch'] == 3 and len(result['batches']) == 2 and result['changed'] is True
    assert [u['position'] for u in result['unprocessed']] == [3, 4]
    assert scm_log(simulator) == [TOKEN, scm_put(), scm_put(), scm_put(400)]


def test_scm_credentials_from_the_environment(simulator, run_module, monkeypatch):
    monkeypatch.setenv('PANW_IOT_API_URL', simulator.url)
    monkeypatch.setenv('PANW_IOT_AUTH_URL', simulator.url + '/am/oauth2/access_token')
    monkeypatch.setenv('PANW_IOT_CLIENT_ID', CREDENTIALS.iot_scm['client_id'])
    monkeypatch.setenv('PANW_IOT_CLIENT_SECRET', CLIENT_SECRET)
    monkeypatch.setenv('PANW_IOT_TSG_ID', SCM_TENANT)
    monkeypatch.setenv('PANW_IOT_CUSTOMER_ID', '')  # an empty input of an AWX credential: not given
    result, failed = run_module(iot_device_bulk, dict(devices=fleet(1)))
    assert not failed, result['msg']
    assert scm_log(simulator) == [('auth', 'POST', '/am/oauth2/access_token', '', 200), scm_put()]


@pytest.mark.parametrize('args, message', [
    (dict(key_id=CREDENTIALS.iot['key_id']),
     'Give either Strata Cloud Manager credentials (client_id, client_secret, tsg_id) or a legacy API key (customer_id, key_id, '
     'access_key), not both'),
    (dict(tsg_id=None), 'Strata Cloud Manager credentials need client_id, client_secret and tsg_id; missing: tsg_id'),
    (dict(tsg_id='157 email'), "tsg_id must be the numeric ID of the tenant service group, got '157 email'"),
    (dict(auth_url='ftp://auth.example/token'), "auth_url must be an http:// or https:// URL"),
    (dict(api_url='https://t.iot.paloaltonetworks.com'), 'is an address of the legacy API, but the credentials are for '
                                                         'the Strata Cloud Manager API'),
])
def test_scm_bad_credentials_fail_before_any_call(simulator, run_module, scm, args, message):
    result, failed = run(run_module, dict(scm, **args), devices=fleet(1))
    assert failed and message in result['msg'], result['msg']
    assert simulator.requests == []
    assert CLIENT_SECRET not in result['msg']


def test_both_kinds_from_the_environment_are_refused(simulator, run_module, scm, monkeypatch):
    monkeypatch.setenv('PANW_IOT_ACCESS_KEY', CREDENTIALS.iot['access_key'])
    result, failed = run(run_module, scm, devices=fleet(1))
    assert failed and 'not both: got client_id, client_secret, tsg_id and access_key' in result['msg']


def test_no_credentials_at_all(simulator, run_module):
    result, failed = run_module(iot_device_bulk, dict(devices=fleet(1)))
    assert failed and result['msg'].startswith('No IoT Security credentials: give client_id, client_secret and tsg_id')
    assert simulator.requests == []


def test_legacy_key_without_api_url(simulator, run_module, conn):
    result, failed = run(run_module, dict(conn, api_url=None), devices=fleet(1))
    assert failed and 'The legacy API key needs api_url (the tenant URL)' in result['msg']


WIRE_DEVICES = [dict(ip_address='10.20.0.1', imei='356938035643809', apn='iot.example'),
                dict(ip_address='10.20.0.2', imsi='310150123456789')]
WIRE_DEVICELIST = {'devicelist': [{'ipAddress': '10.20.0.1', 'imei': '356938035643809', 'apn': 'iot.example'},
                                  {'ipAddress': '10.20.0.2', 'imsi': '310150123456789'}]}


def test_wire_legacy_bulk_update(simulator, run_module, conn):
    result, failed = run(run_module, conn, devices=WIRE_DEVICES)
    assert not failed, result['msg']
    assert_calls(simulator, [Call('PUT', PATH, query=dict(customerid=TENANT, updateSource='cellular'), body=WIRE_DEVICELIST)])


def test_wire_scm_token_then_bulk_update(simulator, run_module, scm):
    """The client authenticates with HTTP Basic (not in the form); the API call carries no customerid."""
    result, failed = run(run_module, scm, devices=WIRE_DEVICES)
    assert not failed, result['msg']
    assert_calls(simulator, [
        Call('POST', '/oauth2/access_token', body={'grant_type': 'client_credentials', 'scope': 'tsg_id:' + SCM_TENANT}),
        Call('PUT', SCM_PATH, query=dict(updateSource='cellular'), body=WIRE_DEVICELIST),
    ])


# ------------------------------------------------------------------------------------------------
# reconcile: which devices the tenant knows, read before anything is sent

LIST = '/pub/v4.0/device/list'
IP = '/pub/v4.0/device/ip'
SCM_LIST = '/iot/pub/v1/device/list'
SCM_IP = '/iot/pub/v1/device/ip'
BIG = 2500  # devices of each tenant: three pages of 1,000


def big_tenants(simulator):
    simulator.load_seed({'iot': {'tenants': [dict(CREDENTIALS.iot, devices=BIG), dict(CREDENTIALS.iot_scm, devices=BIG)]}})
    simulator.configure(log_bodies=True)


def legacy_page(offset):
    return Call('GET', LIST, dict(customerid=TENANT, offset=str(offset), pagelength='1000'))


def legacy_ip(address):
    return Call('GET', IP, dict(customerid=TENANT, ip=address))


def legacy_put(devices):
    return Call('PUT', PATH, dict(customerid=TENANT, updateSource='cellular'),
                {'devicelist': [{'ipAddress': d['ip_address'], 'imsi': d['imsi']} for d in devices]})


UNKNOWN = [dict(ip_address='10.99.0.%d' % n, imsi='31015099900000%d' % n) for n in range(1, 4)]


def unmatched(positions_and_devices):
    return [dict(position=position, ip_address=device.get('ip_address'), ipv6_address=device.get('ipv6_address'))
            for position, device in positions_and_devices]


def updates(simulator, tenant=TENANT):
    return [device['updates'] for device in simulator.state('iot')['tenants'][tenant]['devices']]


def test_reconcile_reads_the_pages_and_sends_only_the_known(simulator, run_module, conn):
    big_tenants(simulator)
    # after the first page, 2 devices beyond it and 1 unknown: 2 more pages cost fewer calls than 3 lookups
    known = fleet(2, start=10) + fleet(2, start=2200)
    devices = known[:1] + [UNKNOWN[0]] + known[1:]
    result, failed = run(run_module, conn, devices=devices, reconcile=True, batch_size=500)
    assert not failed, result['msg']
    assert result['reconciliation'] == dict(method='list', tenant_total=BIG, list_pages=3, ip_lookups=0, known=4, unknown=1)
    assert result['unmatched_devices'] == unmatched([(2, UNKNOWN[0])])
    assert (result['device_count'], result['sent_device_count'], result['updated_device_count']) == (5, 4, 4)
    assert result['unmatched_device_count'] == 0 and result['batch_count'] == 1
    assert_calls(simulator, [legacy_page(0), legacy_page(1000), legacy_page(2000), legacy_put(known)])
    assert sum(updates(simulator)) == 4


def test_reconcile_prefers_lookups_when_they_cost_fewer_calls(simulator, run_module, conn):
    big_tenants(simulator)
    # the first page settles device 10; one address beyond it and one unknown: 2 lookups, as many as the 2 pages
    # left, and a tie goes to the lookups
    devices = fleet(1, start=10) + fleet(1, start=2400) + UNKNOWN[:1]
    result, failed = run(run_module, conn, devices=devices, reconcile=True)
    assert not failed, result['msg']
    assert result['reconciliation'] == dict(method='lookup', tenant_total=BIG, list_pages=1, ip_lookups=2, known=2, unknown=1)
    assert result['unmatched_devices'] == unmatched([(3, UNKNOWN[0])])
    assert_calls(simulator, [legacy_page(0), legacy_ip(sim_ip(2400)), legacy_ip('10.99.0.1'), legacy_put(devices[:2])])


def test_reconcile_lists_when_the_pages_cost_fewer_calls(simulator, run_module, conn):
    big_tenants(simulator)
    devices = fleet(BIG) + UNKNOWN  # every device of the tenant and 3 it does not know: 2 pages < 1,503 lookups
    result, failed = run(run_module, conn, devices=devices, reconcile=True, batch_size=1000)
    assert not failed, result['msg']
    assert result['reconciliation']['method'] == 'list' and result['reconciliation']['list_pages'] == 3
    assert result['unmatched_devices'] == unmatched([(BIG + n, device) for n, device in enumerate(UNKNOWN, 1)])
    assert result['updated_device_count'] == BIG == result['sent_device_count']
    assert [b['sent'] for b in result['batches']] == [1000, 1000, 500]
    assert updates(simulator) == [1] * BIG  # every known device updated once
    gets = [call for call in simulator.requests if call['method'] == 'GET']
    assert [call['path'] for call in gets] == [LIST] * 3


def test_reconcile_looks_up_devices_the_listing_cannot_match_by_their_ipv6_address(simulator, run_module, conn):
    big_tenants(simulator)
    # device 3 is fd00:20::4; the listing shows no IPv6 address
    devices = fleet(BIG - 1) + [dict(ipv6_address='FD00:20::4', apn='a'), dict(ipv6_address='fd00:99::1', apn='b')]
    result, failed = run(run_module, conn, check_mode=True, devices=devices, reconcile=True, batch_size=1000)
    assert not failed, result['msg']
    assert result['reconciliation'] == dict(method='list', tenant_total=BIG, list_pages=3, ip_lookups=2, known=BIG, unknown=1)
    assert result['unmatched_devices'] == [dict(position=BIG + 1, ip_address=None, ipv6_address='fd00:99::1')]
    assert [call.path for call in received_calls(simulator)][-2:] == [IP, IP]


def test_reconcile_in_check_mode_only_reads_and_names_the_unknown(simulator, run_module, conn):
    big_tenants(simulator)
    devices = fleet(3, start=1500) + UNKNOWN + fleet(2, start=5)
    result, failed = run(run_module, conn, check_mode=True, devices=devices, reconcile=True, batch_size=2)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert result['unmatched_devices'] == unmatched([(4, UNKNOWN[0]), (5, UNKNOWN[1]), (6, UNKNOWN[2])])
    assert result['batches'] == [dict(index=1, sent=2, updated=None), dict(index=2, sent=2, updated=None),
                                 dict(index=3, sent=1, updated=None)]
    assert result['sent_device_count'] == 5 and result['updated_device_count'] is None
    assert all(call['kind'] == 'read' for call in simulator.requests) and simulator.requests
    assert sum(updates(simulator)) == 0


def test_reconcile_of_only_unknown_devices_sends_nothing(simulator, run_module, conn):
    result, failed = run(run_module, conn, devices=UNKNOWN, reconcile=True)
    assert not failed and result['changed'] is False and result['batches'] == []
    assert len(result['unmatched_devices']) == 3 and writes(simulator) == []


def test_reconcile_read_failure_sends_nothing(simulator, run_module, conn):
    simulator.inject(vendor='iot', method='GET', action='status', status=403)
    result, failed = run(run_module, conn, devices=fleet(3), reconcile=True)
    assert failed and 'HTTP 403' in result['msg'] and result['error']['path'] == '/device/list'
    assert writes(simulator) == []


def test_scm_reconcile_reads_and_writes_with_one_token(simulator, run_module, scm):
    big_tenants(simulator)
    devices = fleet(1, start=2100) + fleet(1, start=3) + UNKNOWN[:1]
    result, failed = run(run_module, scm, devices=devices, reconcile=True)
    assert not failed, result['msg']
    assert result['unmatched_devices'] == unmatched([(3, UNKNOWN[0])]) and result['updated_device_count'] == 2
    assert result['reconciliation']['method'] == 'lookup'
    assert [call[:3] for call in scm_log(simulator)] == [
        ('auth', 'POST', '/oauth2/access_token'), ('read', 'GET', SCM_LIST), ('read', 'GET', SCM_IP),
        ('read', 'GET', SCM_IP), ('write', 'PUT', SCM_PATH)]
    assert simulator.state('iot')['tenants'][SCM_TENANT]['issued_tokens'] == 1


def test_scm_reconcile_in_check_mode_reads_only(simulator, run_module, scm):
    result, failed = run(run_module, scm, check_mode=True, devices=fleet(2) + UNKNOWN[:1], reconcile=True)
    assert not failed and result['unmatched_devices'] == unmatched([(3, UNKNOWN[0])])
    assert [entry['kind'] for entry in simulator.requests] == ['auth', 'read']  # 300 devices: one page tells all


# ------------------------------------------------------------------------------------------------
# devices_file read as a stream: validated whole first, sent a window of batches at a time

def write_csv(path, count, start=0):
    lines = ['ip_address,imsi'] + ['%s,%s' % (sim_ip(start + n), '3101501234%05d' % (start + n)) for n in range(count)]
    path.write_text('\n'.join(lines) + '\n')


def test_a_bad_line_at_the_end_of_a_big_file_fails_before_anything_is_sent(simulator, run_module, conn, tmp_path):
    path = tmp_path / 'fleet.csv'
    write_csv(path, 2000)
    with path.open('a') as handle:
        handle.write('10.20.0.1,12\n')
    result, failed = run(run_module, conn, devices_file=str(path), batch_size=10)
    assert failed and 'line 2002 (device 2001): imsi' in result['msg']
    assert simulator.requests == []


def test_file_streamed_over_several_windows_sends_every_device_once(simulator, run_module, conn, tmp_path):
    path = tmp_path / 'fleet.csv'
    write_csv(path, 250)
    # windows of 4 batches per worker: 10 devices a batch, 2 workers -> 80 devices a window, 4 windows
    result, failed = run(run_module, conn, devices_file=str(path), batch_size=10, concurrency=2)
    assert not failed, result['msg']
    assert [b['index'] for b in result['batches']] == list(range(1, 26))
    assert result['sent_device_count'] == result['updated_device_count'] == 250
    assert updates(simulator)[:250] == [1] * 250 and updates(simulator)[250:] == [0] * 50


def test_failure_in_a_later_window_numbers_batches_over_the_whole_run(simulator, run_module, conn, tmp_path):
    path = tmp_path / 'fleet.csv'
    write_csv(path, 30)
    simulator.inject(vendor='iot', method='PUT', skip=5, count=-1, action='status', status=400)
    # windows of 4 batches of 2: batch 6 is the second of the second window
    result, failed = run(run_module, conn, devices_file=str(path), batch_size=2, concurrency=1)
    assert failed
    assert result['msg'].startswith('batch 6 of 15 failed (5 batches completed before it; 20 items not processed)')
    assert result['failed_batch'] == 6 and [b['index'] for b in result['batches']] == [1, 2, 3, 4, 5]
    assert result['unprocessed'] == [dict(position=p, address=sim_ip(p - 1)) for p in range(11, 31)]
    assert result['sent_device_count'] == 10 and result['changed'] is True
