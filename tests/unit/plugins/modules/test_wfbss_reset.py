# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wfbss_reset end to end against the simulator over loopback HTTP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import wfbss_reset
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

RESET = '/SMPI/v2.8/service/wfbss/api/commands/reset'


@pytest.fixture
def args(wfbss_connection):
    def build(**extra):
        return dict(wfbss_connection, **extra)
    return build


def writes(simulator):
    return [entry for entry in simulator.requests if entry['vendor'] == 'wfbss' and entry['method'] != 'GET']


def test_23_customers_in_3_batches(simulator, run_module, args, customers):
    ids = customers[:23]
    result, failed = run_module(wfbss_reset, args(customer_ids=ids, type='counter'))
    assert not failed, result
    assert result['changed'] is True
    assert [task['customer_ids'] for task in result['tasks']] == [ids[:10], ids[10:20], ids[20:]]
    assert all(task['status'] == 'PENDING' and task['id'] for task in result['tasks'])
    sent = writes(simulator)
    assert [(entry['method'], entry['path'], entry['status']) for entry in sent] == [
        ('POST', '/SMPI/v2.8/service/wfbss/api/commands/reset', 200)] * 3
    assert sorted(entry['query'] for entry in sent) == sorted(  # batches in flight at once arrive in any order
        'type=counter&cids=' + ','.join(batch) for batch in (ids[:10], ids[10:20], ids[20:]))
    state = simulator.state('wfbss')['customers']
    assert [len(state[cid]['resets']) for cid in ids] == [1] * 23
    assert state[ids[0]]['resets'][0]['task_id'] == result['tasks'][0]['id']
    assert state[customers[23]]['resets'] == []


def test_livestatus_events_and_duplicates(simulator, run_module, args, customers):
    ids = [customers[0], customers[1].lower(), customers[0]]
    result, failed = run_module(wfbss_reset, args(customer_ids=ids, type='livestatus',
                                                  events=['virus_incidents', 'spyware_incidents', 'virus_incidents']))
    assert not failed, result
    assert result['tasks'][0]['customer_ids'] == [customers[0], customers[1].lower()]
    assert [entry['query'] for entry in writes(simulator)] == [
        'type=livestatus&events=virus_incidents,spyware_incidents&cids=%s,%s' % (customers[0], customers[1].lower())]
    reset = simulator.state('wfbss')['customers'][customers[1]]['resets'][0]
    assert reset['events'] == ['virus_incidents', 'spyware_incidents']


def test_check_mode_sends_nothing(simulator, run_module, args, customers):
    result, failed = run_module(wfbss_reset, args(customer_ids=customers[:12], type='counter'), check_mode=True)
    assert not failed
    assert result['changed'] is True
    assert result['tasks'] == [dict(id=None, status=None, customer_ids=customers[:10]),
                               dict(id=None, status=None, customer_ids=customers[10:12])]
    assert simulator.requests == []


@pytest.mark.parametrize('extra, message', [
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C', 'nope'], type='counter'),
     "customer_ids[1] (item 2) is not a customer ID"),
    (dict(customer_ids=[], type='counter'), 'customer_ids must hold at least one'),
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C'], type='counter', events=['virus_incidents']),
     'events can only be used with type=livestatus'),
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C'], type='livestatus', events=['bogus']),
     'events'),
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C'], type='everything'), 'type'),
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C'], type='counter', api_version='v2/x'), 'api_version'),
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C'], type='counter', api_url='ftp://x'), 'api_url'),
])
def test_bad_input_fails_before_sending(simulator, run_module, args, extra, message):
    result, failed = run_module(wfbss_reset, args(**extra))
    assert failed
    assert message in result['msg']
    assert simulator.requests == []


def test_missing_credentials(simulator, run_module, monkeypatch, wfbss_connection):
    monkeypatch.delenv('WFBSS_SECRET_KEY', raising=False)
    result, failed = run_module(wfbss_reset, dict(api_url=simulator.url, access_token=wfbss_connection['access_token'], customer_ids=[], type='counter'))
    assert failed and 'secret_key' in result['msg']
    assert simulator.requests == []


def test_credentials_from_environment(simulator, run_module, monkeypatch, customers, wfbss_connection):
    monkeypatch.setenv('WFBSS_API_URL', simulator.url)
    monkeypatch.setenv('WFBSS_ACCESS_TOKEN', wfbss_connection['access_token'])
    monkeypatch.setenv('WFBSS_SECRET_KEY', wfbss_connection['secret_key'])
    result, failed = run_module(wfbss_reset, dict(customer_ids=customers[:1], type='counter'))
    assert not failed, result
    assert len(writes(simulator)) == 1


def test_wrong_secret_is_an_auth_error(simulator, run_module, args, customers):
    result, failed = run_module(wfbss_reset, args(customer_ids=customers[:3], type='counter', secret_key='wrong'))
    assert failed
    assert result['error']['status'] == 401 and result['error']['kind'] == 'auth'
    assert 'access_token' in result['msg'] and 'clock' in result['msg']
    assert 'wrong' not in result['msg']
    assert result['tasks'] == [] and result['changed'] is False
    assert len(simulator.requests) == 1  # a 401 is not retried


def test_unknown_outcome_is_not_replayed_and_keeps_earlier_tasks(simulator, run_module, args, customers):
    simulator.inject(vendor='wfbss', method='POST', path_contains='commands/reset', skip=1, action='status', status=504)
    result, failed = run_module(wfbss_reset, args(customer_ids=customers[:25], type='counter', retries=3, concurrency=1))
    assert failed
    assert result['changed'] is True
    assert [task['customer_ids'] for task in result['tasks']] == [customers[:10]]
    assert result['failed_batch'] == 2
    assert result['outcome_unknown_items'] == customers[10:20]  # may have been reset: not safe to blindly resend
    assert result['unprocessed'] == customers[20:25]
    assert result['error']['outcome_unknown'] is True
    assert 'outcome is unknown' in result['msg']
    assert [entry['status'] for entry in writes(simulator)] == [200, 504]  # the 504 was not replayed


def test_429_is_waited_out_and_sent_again(simulator, run_module, args, customers):
    simulator.inject(vendor='wfbss', method='POST', path_contains='commands/reset', action='status', status=429, retry_after=0)
    result, failed = run_module(wfbss_reset, args(customer_ids=customers[:2], type='counter'))
    assert not failed, result
    sent = writes(simulator)
    assert [entry['status'] for entry in sent] == [429, 200]
    assert sent[0]['request_id'] != sent[1]['request_id']  # a fresh trace id (and signature) per attempt


def test_vendor_error_inside_200(simulator, run_module, args, customers):
    simulator.inject(vendor='wfbss', method='POST', action='vendor_error', error_code='E1', error_text='busy')
    result, failed = run_module(wfbss_reset, args(customer_ids=customers[:2], type='counter'))
    assert failed
    assert result['error']['vendor_code'] == 'E1' and result['error']['vendor_message'] == 'busy'
    assert result['tasks'] == []


def test_missing_credentials_name_the_environment_variables_too(simulator, run_module, customers):
    result, failed = run_module(wfbss_reset, dict(api_url=simulator.url, customer_ids=customers[:1], type='counter'))
    assert failed
    assert result['msg'] == ('missing required arguments: access_token (or WFBSS_ACCESS_TOKEN), '
                             'secret_key (or WFBSS_SECRET_KEY)')
    assert simulator.requests == []


def test_wire_livestatus_reset_in_batches_of_10(simulator, run_module, args, customers):
    """commands/reset: type, events and at most 10 cids in the query, no body."""
    result, failed = run_module(wfbss_reset, args(customer_ids=customers[:12], type='livestatus', concurrency=1,
                                                  events=['virus_incidents', 'wtp_incidents']))  # in order
    assert not failed, result
    events = 'virus_incidents,wtp_incidents'
    assert_calls(simulator, [
        Call('POST', RESET, query=dict(type='livestatus', events=events, cids=','.join(customers[:10]))),
        Call('POST', RESET, query=dict(type='livestatus', events=events, cids=','.join(customers[10:12]))),
    ])
