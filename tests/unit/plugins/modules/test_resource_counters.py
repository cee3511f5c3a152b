# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""resource_counters end to end against the simulator over loopback HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import resource_counters
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

REFRESH = '/api/v1.1/resources/refresh_counters'
STATUS = '/api/v1.1/tasks/status'
GET = '/api/v1.1/resources/get_counters'
COUNTER_NAMES = {'all', 'complained', 'hardbounced', 'invalid', 'subscribed', 'subscribed_sendable',
                 'suspended', 'unconfirmed', 'unconfirmed_sendable', 'unsubscribed'}


@pytest.fixture
def args(simulator, altcraft_connection):
    """Connection options for the simulator, fast polling and no retry waits."""
    simulator.configure(altcraft_task_seconds=0.2)
    return dict(altcraft_connection, resource_id=1, list_id=1, poll_interval=0.05, retry_backoff=0)


def calls(simulator):
    """(method, path, query) of every request the simulator saw."""
    return [(r['method'], r['path'], r['query']) for r in simulator.requests]


def paths(simulator):
    return [r['path'] for r in simulator.requests]


@pytest.fixture
def timed_counters(simulator):
    """A server whose get_counters also says when the counters were counted (the refresh task's result shape)."""
    simulator.configure(altcraft_get_counters_shape='task_result')


def refreshes(simulator, resource_id=1):
    """How many refreshes of a resource the simulator has applied."""
    return simulator.state('altcraft')['resources'][str(resource_id)]['refreshes']


def test_refresh_waits_for_completion_and_returns_counters(simulator, run_module, args):
    result, failed = run_module(resource_counters, args)
    assert failed is False, result
    assert result['changed'] is True and result['would_refresh'] is True
    assert result['status'] == 'completed' and result['progress'] == 100
    assert sorted(result['counters']) == ['email', 'push', 'sms']
    assert set(result['counters']['email']) == COUNTER_NAMES
    assert result['counters']['email']['all'] == 1000 + 37 + 11  # the simulator's seed for resource 1, list 1
    assert result['last_count_time'].startswith('counted at ')
    assert 0 <= result['age_seconds'] < 60
    log = calls(simulator)
    assert log[0] == ('POST', REFRESH, '')
    assert len(log) >= 2 and all(call == ('POST', STATUS, '') for call in log[1:])
    assert simulator.requests[-1]['path'] == STATUS
    task = simulator.state('altcraft')['tasks'][result['task_id']]
    assert (task['resource_id'], task['list_id'], task['status']) == (1, 1, 'completed')
    assert refreshes(simulator) == 1


def test_wait_false_returns_the_task_without_polling(simulator, run_module, args):
    simulator.configure(altcraft_task_seconds=30)
    result, failed = run_module(resource_counters, dict(args, wait=False, resource_id=3, list_id=2))
    assert failed is False, result
    assert result['changed'] is True
    assert result['status'] == 'queued'
    assert result['task_id'] in simulator.state('altcraft')['tasks']
    assert result['counters'] == {}
    assert calls(simulator) == [('POST', REFRESH, '')]


def test_feedback_url_and_type_are_sent(simulator, run_module, args):
    simulator.configure(altcraft_task_seconds=30)
    result, failed = run_module(resource_counters, dict(args, wait=False, feedback_url='http://127.0.0.1:9/receiver'))
    assert failed is False, result
    assert simulator.state('altcraft')['tasks'][result['task_id']]['feedback_url'] == 'http://127.0.0.1:9/receiver'


def test_max_age_fresh_counters_are_not_refreshed(simulator, run_module, args, timed_counters):
    first, failed = run_module(resource_counters, dict(args, max_age='1h'))
    assert failed is False and first['changed'] is True  # the seed's counters are a day old
    assert paths(simulator)[:2] == [GET, REFRESH]
    simulator.clear_log()

    second, failed = run_module(resource_counters, dict(args, max_age='1h'))
    assert failed is False, second
    assert second['changed'] is False and second['would_refresh'] is False
    assert second['task_id'] is None and second['status'] is None
    assert second['counters'] == first['counters']
    assert second['updated'] == first['updated']
    assert calls(simulator) == [('POST', GET, '')]
    assert refreshes(simulator) == 1


@pytest.mark.parametrize('max_age', ['12h', 3600, '3600', '23h59m'])
def test_max_age_stale_counters_are_refreshed(simulator, run_module, args, max_age, timed_counters):
    result, failed = run_module(resource_counters, dict(args, max_age=max_age))
    assert failed is False, result
    assert result['changed'] is True and result['status'] == 'completed'
    assert paths(simulator)[:2] == [GET, REFRESH]
    assert result['age_seconds'] < 60


def test_max_age_longer_than_the_seed_age_is_fresh(simulator, run_module, args, timed_counters):
    result, failed = run_module(resource_counters, dict(args, max_age='2d'))
    assert failed is False, result
    assert result['changed'] is False
    assert 86000 < result['age_seconds'] < 87000
    assert paths(simulator) == [GET]


def test_check_mode_with_stale_counters_predicts_a_refresh_without_writing(simulator, run_module, args, timed_counters):
    result, failed = run_module(resource_counters, dict(args, max_age='30m'), check_mode=True)
    assert failed is False, result
    assert result['changed'] is True and result['would_refresh'] is True
    assert result['task_id'] is None
    assert sorted(result['counters']) == ['email', 'push', 'sms']
    assert calls(simulator) == [('POST', GET, '')]
    assert all(r['kind'] == 'read' for r in simulator.requests)
    assert refreshes(simulator) == 0


def test_check_mode_with_fresh_counters_is_unchanged(simulator, run_module, args, timed_counters):
    result, failed = run_module(resource_counters, dict(args, max_age='7d'), check_mode=True)
    assert failed is False and result['changed'] is False and result['would_refresh'] is False
    assert paths(simulator) == [GET]


def test_max_age_with_the_documented_answer_refreshes_and_says_the_age_is_unknown(simulator, run_module, args):
    """The documented get_counters answer has no count time: max_age must not pretend the counters are fresh."""
    result, failed = run_module(resource_counters, dict(args, max_age='7d'))
    assert failed is False, result
    assert result['changed'] is True and result['would_refresh'] is True and result['status'] == 'completed'
    assert paths(simulator)[:2] == [GET, REFRESH]
    assert any('cannot tell their age' in warning and 'are refreshed' in warning for warning in result['warnings'])
    assert refreshes(simulator) == 1


def test_check_mode_with_the_documented_answer_predicts_a_refresh(simulator, run_module, args):
    result, failed = run_module(resource_counters, dict(args, max_age='7d'), check_mode=True)
    assert failed is False, result
    assert result['changed'] is True and result['would_refresh'] is True
    assert sorted(result['counters']) == ['email', 'push', 'sms'] and result['age_seconds'] is None
    assert any('would be refreshed' in warning for warning in result['warnings'])
    assert paths(simulator) == [GET]


def test_check_mode_without_max_age_sends_nothing(simulator, run_module, args):
    result, failed = run_module(resource_counters, args, check_mode=True)
    assert failed is False and result['changed'] is True and result['would_refresh'] is True
    assert simulator.requests == []


def test_failed_task_reports_task_id_and_last_state(simulator, run_module, args):
    simulator.configure(altcraft_task_fail=True, altcraft_task_seconds=0.1)
    result, failed = run_module(resource_counters, args)
    assert failed is True
    assert result['changed'] is True  # the refresh was sent
    assert result['task_id'] in simulator.state('altcraft')['tasks']
    assert result['task_id'] in result['msg'] and "'error'" in result['msg']
    assert result['last_state']['status'] == 'error'
    assert result['status'] == 'error'


def test_timeout_reports_the_task_still_running(simulator, run_module, args):
    simulator.configure(altcraft_task_seconds=30)
    result, failed = run_module(resource_counters, dict(args, wait_timeout=0.3, poll_interval=0.1))
    assert failed is True
    assert 'did not complete within 0.3 seconds' in result['msg']
    assert result['last_state']['status'] in ('queued', 'processing')
    assert result['task_id'] and result['changed'] is True
    assert paths(simulator).count(REFRESH) == 1


def test_vendor_error_in_a_200_fails_naming_error_text(simulator, run_module, args):
    simulator.inject(vendor='altcraft', path_contains='refresh_counters', action='vendor_error',
                     error_code=402, error_text='Tariff limit reached')
    result, failed = run_module(resource_counters, args)
    assert failed is True
    assert '402' in result['msg'] and 'Tariff limit reached' in result['msg']
    assert result['error']['status'] == 200 and result['error']['vendor_code'] == 402
    assert result['error']['kind'] == 'api'
    assert result['changed'] is False
    assert paths(simulator) == [REFRESH]


def test_vendor_error_while_polling_keeps_the_task_id(simulator, run_module, args):
    simulator.inject(vendor='altcraft', path_contains='tasks/status', action='vendor_error',
                     error_code=403, error_text='No access rights')
    result, failed = run_module(resource_counters, args)
    assert failed is True
    assert result['changed'] is True and result['task_id']
    assert result['error']['kind'] == 'auth' and 'api_token' in result['msg']


@pytest.mark.parametrize('http_status', [200, 'match'])
def test_wrong_token_is_an_auth_failure_without_the_secret(simulator, run_module, args, http_status):
    simulator.configure(altcraft_error_http_status=http_status)
    result, failed = run_module(resource_counters, dict(args, api_token='not-the-token-123'))
    assert failed is True
    assert result['error']['kind'] == 'auth' and result['error']['vendor_code'] == 401
    assert result['error']['status'] == (200 if http_status == 200 else 401)
    assert 'API token required' in result['msg'] and 'api_token' in result['msg']
    assert 'not-the-token-123' not in repr(result)
    assert paths(simulator) == [REFRESH]


def test_unknown_resource_fails_with_the_vendor_text(simulator, run_module, args):
    result, failed = run_module(resource_counters, dict(args, resource_id=99))
    assert failed is True
    assert '400' in result['msg'] and 'resource 99 not found' in result['msg']
    assert paths(simulator) == [REFRESH]


def test_lost_refresh_answer_is_not_replayed(simulator, run_module, args):
    simulator.inject(vendor='altcraft', path_contains='refresh_counters', action='status', status=504)
    result, failed = run_module(resource_counters, args)
    assert failed is True
    assert result['error']['outcome_unknown'] is True and 'outcome is unknown' in result['msg']
    assert paths(simulator) == [REFRESH]


def test_status_poll_survives_a_503(simulator, run_module, args):
    simulator.inject(vendor='altcraft', path_contains='tasks/status', action='status', status=503)
    result, failed = run_module(resource_counters, args)
    assert failed is False, result
    assert result['status'] == 'completed'
    assert [r['status'] for r in simulator.requests][:3] == [200, 503, 200]


def test_connection_options_from_the_environment(simulator, run_module, args, monkeypatch, timed_counters, credentials):
    monkeypatch.setenv('ALTCRAFT_API_URL', simulator.url)
    monkeypatch.setenv('ALTCRAFT_API_TOKEN', credentials.altcraft_token)
    params = dict(args)
    del params['api_url'], params['api_token']
    result, failed = run_module(resource_counters, dict(params, max_age='3d'))
    assert failed is False and result['changed'] is False
    assert paths(simulator) == [GET]


@pytest.mark.parametrize('bad, words', [
    (dict(resource_id=0), 'resource_id must be a positive integer'),
    (dict(list_id=-1), 'list_id must be a positive integer'),
    (dict(resource_id='one'), 'resource_id'),
    (dict(feedback_url='ftp://example.com/x'), 'feedback_url must be an http:// or https:// URL'),
    (dict(feedback_url='receiver'), 'feedback_url must be an http:// or https:// URL'),
    (dict(feedback_url='http://h/x', feedback_type=' '), 'feedback_type must not be empty'),
    (dict(max_age='soon'), 'max_age must be a positive number'),
    (dict(max_age='0'), 'max_age must be a positive number'),
    (dict(max_age=-30), 'max_age must be a positive number'),
    (dict(wait_timeout=0), 'wait_timeout must be greater than 0'),
    (dict(poll_interval=-1), 'poll_interval must be greater than 0'),
    (dict(api_url='ftp://altcraft.example.com'), 'api_url must be an http:// or https:// URL'),
    (dict(api_url='https://user:pw@altcraft.example.com'), 'api_url must not contain credentials'),
    (dict(timeout=0), 'timeout must be greater than 0'),
    (dict(api_token=None), 'api_token'),
])
def test_bad_input_fails_before_anything_is_sent(simulator, run_module, args, monkeypatch, bad, words):
    monkeypatch.delenv('ALTCRAFT_API_TOKEN', raising=False)
    params = dict(args, **bad)
    params = {key: value for key, value in params.items() if value is not None}
    result, failed = run_module(resource_counters, params)
    assert failed is True
    assert words in result['msg']
    assert simulator.requests == []


def target(list_id=1, **fields):
    """The body of a call about resource 1's database `list_id` (the token travels in the body)."""
    return dict(token='***', id=1, list_id=list_id, **fields)


def test_wire_max_age_with_counters_young_enough_only_reads(simulator, run_module, args):
    simulator.configure(altcraft_get_counters_shape='task_result')  # an answer with a count time
    result, failed = run_module(resource_counters, dict(args, max_age='7d'))
    assert failed is False and result['changed'] is False, result
    assert_calls(simulator, [Call('POST', GET, body=target())])


def test_wire_max_age_with_older_counters_refreshes_and_waits(simulator, run_module, args):
    simulator.configure(altcraft_get_counters_shape='task_result', altcraft_task_seconds=0)
    result, failed = run_module(resource_counters, dict(args, max_age='1h'))
    assert failed is False and result['changed'] is True, result
    assert_calls(simulator, [
        Call('POST', GET, body=target()),
        Call('POST', REFRESH, body=target()),
        Call('POST', STATUS, body={'token': '***', 'task_id': result['task_id']}),
    ])


def test_wire_refresh_without_wait(simulator, run_module, args):
    result, failed = run_module(resource_counters, dict(args, wait=False))
    assert failed is False and result['changed'] is True, result
    assert_calls(simulator, [Call('POST', REFRESH, body=target())])
