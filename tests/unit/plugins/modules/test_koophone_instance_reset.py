# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""koophone_instance_reset end to end against the simulator over loopback HTTP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import koophone_instance_reset as module
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

AKSK = CREDENTIALS.koophone_access_key
RESET = ('POST', '/v1/instances/batch-reset')
STATUS = ('POST', '/v1/instances/batch-query-status')
FROZEN_INDEX = 7


@pytest.fixture
def ids(simulator):
    """The simulator's instance ids in seed order (index 7 is frozen)."""
    return list(simulator.state('koophone')['instances'])


@pytest.fixture
def args(koophone_connection):
    def build(**extra):
        base = dict(koophone_connection, retries=1, retry_backoff=0.01, poll_interval=0.05)
        base.update(extra)
        return base
    return build


@pytest.fixture
def iam_args(koophone_iam_connection):
    def build(**extra):
        base = dict(koophone_iam_connection, retries=1, retry_backoff=0.01, poll_interval=0.05)
        base.update(extra)
        return base
    return build


def calls(simulator, kind=None):
    return [(entry['method'], entry['path']) for entry in simulator.requests
            if entry['vendor'] == 'koophone' and (kind is None or entry['kind'] == kind)]


def resets(simulator, instance_ids):
    state = simulator.state('koophone')['instances']
    return [state[iid]['resets'] for iid in instance_ids]


def test_reset_without_wait(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=[ids[0], ids[1], ids[0]]))
    assert not failed, result
    assert result['changed'] is True
    assert result['instance_ids'] == [ids[0], ids[1]]
    assert result['reset_instance_ids'] == [ids[0], ids[1]]
    assert result['waited'] is False
    assert len(result['task_ids']) == 1
    assert [(item['instance_id'], item['batch'], item['status']) for item in result['results']] == [
        (ids[0], 1, 'requested'), (ids[1], 1, 'requested')]
    assert all(item['job_id'] for item in result['results'])
    assert calls(simulator) == [RESET]
    assert resets(simulator, ids[:3]) == [1, 1, 0]
    request_ids = [entry['request_id'] for entry in simulator.requests]
    assert request_ids[0] and len(request_ids[0]) == 36


def test_40_instances_in_two_batches_and_wait(simulator, run_module, args, ids):
    simulator.configure(koophone_job_seconds=0.2)
    wanted = ids[8:48]
    result, failed = run_module(module, args(instance_ids=wanted, wait=True, wait_timeout=30))
    assert not failed, result
    assert result['waited'] is True
    assert len(result['task_ids']) == 2
    assert [item['status'] for item in result['results']] == ['succeeded'] * 40
    assert [item['batch'] for item in result['results']] == [1] * 32 + [2] * 8
    assert result['failed_instance_ids'] == []
    assert 'all reset jobs succeeded' in result['msg']
    sent = calls(simulator)
    assert sent[:2] == [RESET, RESET]
    assert calls(simulator, 'write') == [RESET, RESET]
    polls = [path for method, path in sent[2:]]
    assert set(polls) == set('/v1/instances/tasks/%s' % task for task in result['task_ids'])
    assert resets(simulator, wanted) == [1] * 40


def test_wait_without_task_id_says_nothing_to_wait_on(simulator, run_module, args, ids):
    simulator.configure(koophone_response_shape='2024')
    result, failed = run_module(module, args(instance_ids=ids[:2], wait=True))
    assert not failed, result
    assert result['waited'] is False
    assert result['task_ids'] == []
    assert 'nothing to wait on' in result['msg']
    assert [item['status'] for item in result['results']] == ['requested', 'requested']
    assert calls(simulator) == [RESET]


def test_failed_job_fails_the_task_with_per_instance_results(simulator, run_module, args, ids):
    simulator.configure(koophone_job_seconds=0.1, koophone_job_fail_ids=[ids[1]])
    result, failed = run_module(module, args(instance_ids=ids[:3], wait=True))
    assert failed
    assert result['changed'] is True
    assert result['failed_instance_ids'] == [ids[1]]
    bad = result['results'][1]
    assert bad['status'] == 'failed' and bad['error_code'] == 'KOOPHONE.API.9999' and bad['error_msg']
    assert [item['status'] for item in result['results']] == ['succeeded', 'failed', 'succeeded']
    assert ids[1] in result['msg'] and 'KOOPHONE.API.9999' in result['msg']


def test_wait_maps_each_job_to_its_instance_through_cmd_jobs(simulator, run_module, args, ids):
    """Jobs from tasks/{task_id} name no instance (SDK JobDetail); batch-reset's cmd_jobs is the only map."""
    simulator.configure(koophone_job_seconds=0.1, koophone_job_fail_ids=[ids[2]])
    result, failed = run_module(module, args(instance_ids=ids[:4], wait=True, fail_on_job_error=False))
    assert not failed, result
    task = simulator.state('koophone')['tasks'][result['task_ids'][0]]
    job_of = {job['instance_id']: job['job_id'] for job in task['jobs']}  # the simulator's own record
    assert [(item['instance_id'], item['job_id']) for item in result['results']] == [(iid, job_of[iid]) for iid in ids[:4]]
    assert [item['status'] for item in result['results']] == ['succeeded', 'succeeded', 'failed', 'succeeded']
    assert result['failed_instance_ids'] == [ids[2]]


def test_failed_job_reported_without_failing(simulator, run_module, args, ids):
    simulator.configure(koophone_job_seconds=0.1, koophone_job_fail_ids=[ids[1]])
    result, failed = run_module(module, args(instance_ids=ids[:3], wait=True, fail_on_job_error=False))
    assert not failed, result
    assert result['changed'] is True
    assert result['failed_instance_ids'] == [ids[1]]


def test_wait_timeout_returns_running_jobs(simulator, run_module, args, ids):
    simulator.configure(koophone_job_seconds=30)
    result, failed = run_module(module, args(instance_ids=ids[:2], wait=True, wait_timeout=0.3))
    assert failed
    assert 'did not finish within' in result['msg']
    assert result['changed'] is True
    assert result['reset_instance_ids'] == ids[:2]
    assert result['task_id'] == result['task_ids'][0]
    assert [item['status'] for item in result['results']] == ['running', 'running']
    assert calls(simulator, 'write') == [RESET]


def test_check_mode_reads_status_and_writes_nothing(simulator, run_module, args, ids):
    wanted = ids[:40] + ['nosuchid', 'x' * 32]
    result, failed = run_module(module, args(instance_ids=wanted), check_mode=True)
    assert not failed, result
    assert result['changed'] is True
    assert result['would_reset'] == ids[:40]
    assert result['unknown_instance_ids'] == ['nosuchid', 'x' * 32]
    assert calls(simulator) == [STATUS, STATUS]
    assert calls(simulator, 'write') == []
    assert resets(simulator, ids[:40]) == [0] * 40
    assert 'results' not in result


def test_check_mode_all_unknown_is_unchanged(simulator, run_module, args):
    result, failed = run_module(module, args(instance_ids=['nosuchid']), check_mode=True)
    assert not failed, result
    assert result['changed'] is False
    assert result['would_reset'] == []
    assert result['unknown_instance_ids'] == ['nosuchid']


def test_frozen_instance_in_second_batch_returns_partial_results(simulator, run_module, args, ids):
    first = ids[8:40]
    second = [ids[FROZEN_INDEX]] + ids[40:45]
    result, failed = run_module(module, args(instance_ids=first + second, concurrency=1))
    assert failed
    assert result['failed_batch'] == 2
    assert result['changed'] is True
    assert result['reset_instance_ids'] == first
    assert result['unprocessed'] == second
    assert result['error']['vendor_code'] == 'KOOPHONE.API.2004'
    assert result['error']['status'] == 200
    assert 'KOOPHONE.API.2004 (instance frozen)' in result['msg']
    assert ids[FROZEN_INDEX] in result['msg']
    assert calls(simulator) == [RESET, RESET]
    assert resets(simulator, first + second) == [1] * 32 + [0] * 6


def test_in_200_vendor_error_in_first_batch(simulator, run_module, args, ids):
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='vendor_error',
                     error_code='KOOPHONE.API.1004', error_text='not subscribed')
    result, failed = run_module(module, args(instance_ids=ids[:2]))
    assert failed
    assert result['changed'] is False
    assert result['reset_instance_ids'] == []
    assert result['unprocessed'] == ids[:2]
    assert 'KOOPHONE.API.1004 (service not subscribed): not subscribed' in result['msg']
    assert calls(simulator) == [RESET]


def test_server_error_on_reset_is_outcome_unknown_and_not_replayed(simulator, run_module, args, ids):
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='status', status=500)
    result, failed = run_module(module, args(instance_ids=ids[:2], retries=3))
    assert failed
    assert result['error']['outcome_unknown'] is True
    assert 'outcome is unknown' in result['msg']
    assert calls(simulator) == [RESET]


@pytest.mark.parametrize('status', [502, 503])
def test_gateway_502_503_on_reset_is_an_unknown_outcome(simulator, run_module, args, ids, status):
    """A gateway's 502 or 503 may come after the reset reached the service: never resent, its outcome unknown."""
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='status', status=status)
    result, failed = run_module(module, args(instance_ids=ids[:2]))
    assert failed
    assert result['error']['outcome_unknown'] is True and result['outcome_unknown_items'] == ids[:2]
    assert 'outcome is unknown' in result['msg']
    assert calls(simulator) == [RESET]


def test_foreign_instance_401(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=[ids[0], 'nosuchid']))
    assert failed
    assert result['error']['status'] == 401
    assert result['error']['vendor_code'] == 'KOOPHONE.API.1001'
    assert 'no permission on the instance' in result['msg']
    assert calls(simulator) == [RESET]


def test_iam_login_once_for_all_calls(simulator, run_module, iam_args, ids):
    simulator.configure(koophone_job_seconds=0.1)
    result, failed = run_module(module, iam_args(instance_ids=ids[8:48], wait=True))
    assert not failed, result
    assert calls(simulator, 'auth') == [('POST', '/v3/auth/tokens')]
    assert calls(simulator, 'write') == [RESET, RESET]
    assert CREDENTIALS.koophone_user['password'] not in json.dumps(result)


def test_iam_token_renewed_once_after_401(simulator, run_module, iam_args, ids):
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='status', status=401)
    result, failed = run_module(module, iam_args(instance_ids=ids[:2]))
    assert not failed, result
    assert calls(simulator) == [('POST', '/v3/auth/tokens'), RESET, ('POST', '/v3/auth/tokens'), RESET]
    assert resets(simulator, ids[:2]) == [1, 1]


def test_wrong_iam_password(simulator, run_module, iam_args, ids):
    result, failed = run_module(module, iam_args(instance_ids=ids[:2], password='wrong-password'))
    assert failed
    assert result['error']['kind'] == 'auth'
    assert 'username/password/domain_name/project_name' in result['msg']
    assert 'wrong-password' not in json.dumps(result)
    assert calls(simulator) == [('POST', '/v3/auth/tokens')]


def test_bad_static_token(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=ids[:2], auth_token='nope'))
    assert failed
    assert result['error']['kind'] == 'auth'
    assert result['error']['vendor_code'] == 'APIGW.0301'
    assert 'Check auth_token' in result['msg']
    assert 'nope' not in result['msg']
    assert calls(simulator) == [RESET]


def test_aksk_reset_and_wait(simulator, run_module, args, ids):
    simulator.configure(koophone_job_seconds=0.1)
    result, failed = run_module(module, args(auth_token=None, instance_ids=ids[8:48], wait=True, **AKSK))
    assert not failed, result
    assert [item['status'] for item in result['results']] == ['succeeded'] * 40
    assert calls(simulator, 'auth') == []
    assert calls(simulator, 'write') == [RESET, RESET]
    assert AKSK['secret_key'] not in json.dumps(result)


def test_aksk_retried_reset_is_signed_again_and_accepted(simulator, run_module, args, ids):
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='status', status=429, retry_after=0)
    result, failed = run_module(module, args(auth_token=None, instance_ids=ids[:2], **AKSK))
    assert not failed, result
    assert calls(simulator) == [RESET, RESET]
    assert resets(simulator, ids[:2]) == [1, 1]


def test_aksk_wrong_secret_key_is_an_auth_failure(simulator, run_module, args, ids):
    result, failed = run_module(module, args(auth_token=None, instance_ids=ids[:2], **dict(AKSK, secret_key='wrong-secret')))
    assert failed
    assert (result['error']['status'], result['error']['vendor_code'], result['error']['kind']) == (401, 'APIGW.0301', 'auth')
    assert 'verify aksk signature fail' in result['msg'] and 'Check access_key, secret_key and project_id' in result['msg']
    assert 'wrong-secret' not in json.dumps(result)
    assert result['reset_instance_ids'] == [] and resets(simulator, ids[:2]) == [0, 0]


def test_env_fallbacks(simulator, run_module, monkeypatch, ids):
    monkeypatch.setenv('KOOPHONE_API_URL', simulator.url)
    monkeypatch.setenv('KOOPHONE_AUTH_TOKEN', CREDENTIALS.koophone_token)
    result, failed = run_module(module, dict(instance_ids=ids[:1]))
    assert not failed, result
    assert calls(simulator) == [RESET]


def test_timeout_from_the_environment(simulator, run_module, monkeypatch, args, ids):
    """FLEETOPS_TIMEOUT sets the timeout when the task does not: a slow answer to a reset is then an unknown outcome."""
    monkeypatch.setenv('FLEETOPS_TIMEOUT', '0.3')
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='delay', delay=0.8)
    task = args(instance_ids=ids[:1])
    task.pop('timeout', None)
    result, failed = run_module(module, task)
    assert failed and 'no answer within 0.3 seconds (timeout)' in result['msg']


@pytest.mark.parametrize('extra, message', [
    (dict(instance_ids=[]), 'instance_ids must hold at least one instance id'),
    (dict(instance_ids=['abc', '']), 'instance_ids item 2 is empty'),
    (dict(instance_ids=['abc', 'y' * 33]), "instance_ids item 2 ('%s') is 33 characters long" % ('y' * 33)),
    (dict(instance_ids=['abc'], wait_timeout=0), 'wait_timeout and poll_interval must be greater than 0'),
    (dict(instance_ids=['abc'], auth_token=None), 'No credentials'),
    (dict(instance_ids=['abc'], username=CREDENTIALS.koophone_user['username']), 'Credentials of more than one kind were given (auth_token, IAM'),
    (dict(instance_ids=['abc'], access_key=AKSK['access_key'], secret_key=AKSK['secret_key']),
     'Credentials of more than one kind were given (auth_token, AK/SK signing)'),
    (dict(instance_ids=['abc'], auth_token=None, access_key=AKSK['access_key']), 'missing: secret_key'),
    (dict(instance_ids=['abc'], auth_token=None, username='u', password='p'), 'missing: domain_name'),
    (dict(instance_ids=['abc'], api_url='ftp://example'), 'api_url must be an http:// or https:// URL'),
    (dict(instance_ids=['abc'], timeout=0), 'timeout must be greater than 0'),
])
def test_bad_input_fails_before_any_call(simulator, run_module, args, extra, message):
    result, failed = run_module(module, args(**extra))
    assert failed
    assert message in result['msg']
    assert simulator.requests == []


def test_bad_iam_url_fails_before_any_call(simulator, run_module, iam_args):
    result, failed = run_module(module, iam_args(instance_ids=['abc'], iam_url='not a url'))
    assert failed
    assert 'iam_url must be an http:// or https:// URL' in result['msg']
    assert simulator.requests == []


def test_wire_reset_without_wait(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=ids[:2]))
    assert not failed, result
    assert_calls(simulator, [Call('POST', '/v1/instances/batch-reset', body={'instance_ids': ids[:2]})])


def test_wire_reset_and_wait_for_its_task(simulator, run_module, args, ids):
    """The wait polls the reset's task (here done at the first look)."""
    simulator.configure(koophone_job_seconds=0)
    result, failed = run_module(module, args(instance_ids=ids[:2], wait=True))
    assert not failed, result
    (task_id,) = result['task_ids']
    assert_calls(simulator, [
        Call('POST', '/v1/instances/batch-reset', body={'instance_ids': ids[:2]}),
        Call('GET', '/v1/instances/tasks/' + task_id),
    ])
