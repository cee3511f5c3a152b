# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""resource_counters_info end to end against the simulator over loopback HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import resource_counters, resource_counters_info
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

GET = '/api/v1.1/resources/get_counters'


@pytest.fixture
def args(simulator, altcraft_connection):
    simulator.configure(altcraft_task_seconds=0.1)
    return dict(altcraft_connection, resource_id=2, list_id=2, retry_backoff=0)


def test_reads_the_documented_channel_list(simulator, run_module, args):
    """databases/segments get_counters (guides.altcraft.com): data = [{channel, status}], no count time."""
    result, failed = run_module(resource_counters_info, args)
    assert failed is False, result
    assert sorted(result['counters']) == ['email', 'push', 'sms']
    assert result['counters']['sms']['all'] == 1000 + 37 * 2 + 11 * 2
    assert result['updated'] is None and result['last_count_time'] is None and result['age_seconds'] is None
    assert [(r['method'], r['path'], r['kind']) for r in simulator.requests] == [('POST', GET, 'read')]


def test_reads_counters_without_refreshing(simulator, run_module, args):
    simulator.configure(altcraft_get_counters_shape='task_result')
    result, failed = run_module(resource_counters_info, args)
    assert failed is False, result
    assert result['changed'] is False
    assert sorted(result['counters']) == ['email', 'push', 'sms']
    total = 1000 + 37 * 2 + 11 * 2  # the simulator's seed for resource 2, list 2
    assert result['counters']['sms']['all'] == total
    assert result['counters']['email']['hardbounced'] == total // 3
    assert result['in_progress'] is False
    assert 86000 < result['age_seconds'] < 87000  # the seed was counted a day ago
    assert result['updated'].endswith('Z') and result['last_count_time'].startswith('counted at ')
    assert [(r['method'], r['path'], r['query'], r['kind']) for r in simulator.requests] == [('POST', GET, '', 'read')]
    assert simulator.state('altcraft')['resources']['2']['refreshes'] == 0


def test_check_mode_reads_the_same(simulator, run_module, args):
    normal, failed = run_module(resource_counters_info, args)
    assert failed is False
    checked, failed = run_module(resource_counters_info, args, check_mode=True)
    assert failed is False
    assert checked['counters'] == normal['counters'] and checked['changed'] is False
    assert [r['path'] for r in simulator.requests] == [GET, GET]


def test_sees_the_counters_of_a_refresh(simulator, run_module, args):
    simulator.configure(altcraft_get_counters_shape='task_result')
    refreshed, failed = run_module(resource_counters, dict(args, poll_interval=0.05))
    assert failed is False, refreshed
    simulator.clear_log()
    result, failed = run_module(resource_counters_info, args)
    assert failed is False
    assert result['updated'] == refreshed['updated']
    assert result['age_seconds'] < 60
    assert [r['path'] for r in simulator.requests] == [GET]


def test_unknown_database_fails_with_the_vendor_text(simulator, run_module, args):
    result, failed = run_module(resource_counters_info, dict(args, list_id=7))
    assert failed is True
    assert 'database 7 is not attached to resource 2' in result['msg']
    assert result['error']['vendor_code'] == 400 and result['error']['kind'] == 'api'


def test_wrong_token_is_an_auth_failure(simulator, run_module, args):
    result, failed = run_module(resource_counters_info, dict(args, api_token='nope-nope'))
    assert failed is True
    assert result['error']['kind'] == 'auth' and 'api_token' in result['msg']
    assert 'nope-nope' not in repr(result)


def test_read_is_retried_after_a_500(simulator, run_module, args):
    simulator.inject(vendor='altcraft', path_contains='get_counters', action='status', status=500)
    result, failed = run_module(resource_counters_info, args)
    assert failed is False, result
    assert [r['status'] for r in simulator.requests] == [500, 200]


def test_malformed_answer_fails_clearly(simulator, run_module, args):
    simulator.inject(vendor='altcraft', path_contains='get_counters', action='malformed')
    result, failed = run_module(resource_counters_info, args)
    assert failed is True
    assert result['error']['kind'] == 'malformed' and 'not JSON' in result['msg']


@pytest.mark.parametrize('bad, words', [
    (dict(resource_id=-4), 'resource_id must be a positive integer'),
    (dict(list_id=0), 'list_id must be a positive integer'),
    (dict(api_url='altcraft.example.com'), 'api_url must be an http:// or https:// URL'),
    (dict(retries=-1), 'retries must be 0 or more'),
])
def test_bad_input_fails_before_anything_is_sent(simulator, run_module, args, bad, words):
    result, failed = run_module(resource_counters_info, dict(args, **bad))
    assert failed is True
    assert words in result['msg']
    assert simulator.requests == []


def test_missing_connection_options_name_their_environment_variables(simulator, run_module):
    result, failed = run_module(resource_counters_info, dict(resource_id=1, list_id=1))
    assert failed
    assert result['msg'] == ('missing required arguments: api_url (or ALTCRAFT_API_URL), '
                             'api_token (or ALTCRAFT_API_TOKEN)')


def test_wire_one_read(simulator, run_module, args):
    result, failed = run_module(resource_counters_info, args)
    assert not failed, result
    assert_calls(simulator, [Call('POST', GET, body={'token': '***', 'id': 2, 'list_id': 2})])


def test_ids_given_as_strings_of_digits_are_sent_as_numbers(simulator, run_module, args):
    result, failed = run_module(resource_counters_info, dict(args, resource_id='2', list_id=' +2 '))
    assert not failed, result
    assert_calls(simulator, [Call('POST', GET, body={'token': '***', 'id': 2, 'list_id': 2})])
