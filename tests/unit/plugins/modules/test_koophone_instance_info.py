# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""koophone_instance_info end to end against the simulator over loopback HTTP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from unittest.mock import ANY
from urllib.parse import parse_qs

import pytest

from ansible_collections.fleetops.maintenance.plugins.modules import koophone_instance_info as module
from ansible_collections.fleetops.maintenance.plugins.modules import koophone_instance_reset
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

AKSK = CREDENTIALS.koophone_access_key
STATUS = ('POST', '/v1/instances/batch-query-status')
LIST = ('GET', '/v1/instances/batch-query')


@pytest.fixture
def ids(simulator):
    return list(simulator.state('koophone')['instances'])


@pytest.fixture
def args(koophone_connection):
    def build(**extra):
        base = dict(koophone_connection, retries=1, retry_backoff=0.01)
        base.update(extra)
        return base
    return build


def calls(simulator):
    return [(entry['method'], entry['path']) for entry in simulator.requests if entry['vendor'] == 'koophone']


def test_status_by_ids(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=[ids[0], 'nosuchid', ids[1], ids[0]]))
    assert not failed, result
    assert result['changed'] is False
    assert result['status_results'] == [
        dict(instance_id=ids[0], status=2, status_name='running'),
        dict(instance_id=ids[1], status=2, status_name='running')]
    assert result['unknown_instance_ids'] == ['nosuchid']
    assert 'instances' not in result
    assert calls(simulator) == [STATUS]


def test_status_in_batches_of_32(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=ids[:70]))
    assert not failed, result
    assert len(result['status_results']) == 70
    assert calls(simulator) == [STATUS] * 3


def test_status_enum_names_a_resetting_instance(simulator, run_module, args, ids):
    simulator.configure(koophone_job_seconds=30)
    result, failed = run_module(koophone_instance_reset, args(instance_ids=ids[:1]))
    assert not failed, result
    result, failed = run_module(module, args(instance_ids=ids[:2]))
    assert [(item['status'], item['status_name']) for item in result['status_results']] == [(4, 'starting'), (2, 'running')]
    result, failed = run_module(module, args(instance_ids=ids[:1], status_enum='2025'))
    assert result['status_results'][0]['status_name'] == 'backing up'


def test_list_all_instances_paged(simulator, run_module, args, ids):
    result, failed = run_module(module, args(page_size=30))
    assert not failed, result
    assert result['total_count'] == 80
    assert [item['instance_id'] for item in result['instances']] == ids
    frozen = result['instances'][7]
    assert frozen['frozen'] is True and frozen['frozen_status'] == 1
    assert result['instances'][0]['frozen'] is False
    assert result['instances'][0]['running_status_name'] == 'running'
    assert 'status_results' not in result
    assert calls(simulator) == [LIST] * 3
    queries = [parse_qs(entry['query']) for entry in simulator.requests]
    assert [(query['page_no'], query['page_size']) for query in queries] == [
        (['1'], ['30']), (['2'], ['30']), (['3'], ['30'])]
    assert all(query['x-request-id'] == [entry['request_id']] for query, entry in zip(queries, simulator.requests))


def test_listing_refusal_names_the_code_from_inside_data(simulator, run_module, args):
    """batch-query puts error_code inside data (SDK InstanceBatchQueryRspData), on a refusal too."""
    result, failed = run_module(module, args(page_size=101))
    assert failed
    assert (result['error']['status'], result['error']['vendor_code']) == (400, 'KOOPHONE.API.1000')
    assert 'KOOPHONE.API.1000 (bad request parameter)' in result['msg']


def test_list_filtered_by_name_and_status_together(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=[ids[3]], list_instances=True, instance_name='sim-phone-0003'))
    assert not failed, result
    assert [item['instance_id'] for item in result['instances']] == [ids[3]]
    assert result['total_count'] == 1
    assert result['status_results'][0]['instance_id'] == ids[3]
    assert calls(simulator) == [STATUS, LIST]
    assert 'instance_name=sim-phone-0003' in simulator.requests[1]['query']


def test_check_mode_reads_the_same(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=ids[:2]), check_mode=True)
    assert not failed, result
    assert result['changed'] is False
    assert len(result['status_results']) == 2
    assert calls(simulator) == [STATUS]


def test_in_200_vendor_error(simulator, run_module, args):
    simulator.inject(vendor='koophone', path_contains='batch-query', action='vendor_error',
                     error_code='KOOPHONE.API.0004', error_text='project missing')
    result, failed = run_module(module, args())
    assert failed
    assert result['error']['vendor_code'] == 'KOOPHONE.API.0004'
    assert 'KOOPHONE.API.0004 (project does not exist): project missing' in result['msg']


def test_read_retried_on_server_error(simulator, run_module, args, ids):
    simulator.inject(vendor='koophone', path_contains='batch-query-status', action='status', status=500)
    result, failed = run_module(module, args(instance_ids=ids[:1]))
    assert not failed, result
    assert calls(simulator) == [STATUS, STATUS]


def test_failure_in_second_status_batch(simulator, run_module, args, ids):
    simulator.inject(vendor='koophone', path_contains='batch-query-status', skip=1, count=5, action='status', status=500)
    result, failed = run_module(module, args(instance_ids=ids[:40], concurrency=1))
    assert failed
    assert result['failed_batch'] == 2
    assert result['unprocessed'] == ids[32:40]


def test_bad_token(simulator, run_module, args):
    result, failed = run_module(module, args(auth_token='nope'))
    assert failed
    assert result['error']['kind'] == 'auth'
    assert 'Check auth_token' in result['msg']
    assert calls(simulator) == [LIST]


def test_iam_login_once_for_all_pages(simulator, run_module, koophone_iam_connection):
    result, failed = run_module(module, dict(koophone_iam_connection, page_size=40))
    assert not failed, result
    assert calls(simulator) == [('POST', '/v3/auth/tokens'), LIST, LIST]


def test_aksk_listing_and_status_without_iam(simulator, run_module, args, ids):
    result, failed = run_module(module, args(auth_token=None, instance_ids=ids[:2], list_instances=True, page_size=50, **AKSK))
    assert not failed, result
    assert result['total_count'] == 80 and len(result['instances']) == 80
    assert [item['status_name'] for item in result['status_results']] == ['running', 'running']
    assert calls(simulator) == [STATUS, LIST, LIST]
    assert AKSK['secret_key'] not in json.dumps(result)


@pytest.mark.parametrize('env, works', [
    (dict(HUAWEICLOUD_SDK_AK=AKSK['access_key'], HUAWEICLOUD_SDK_SK=AKSK['secret_key'],
          HUAWEICLOUD_SDK_PROJECT_ID=AKSK['project_id']), True),
    (dict(KOOPHONE_ACCESS_KEY=AKSK['access_key'], KOOPHONE_SECRET_KEY=AKSK['secret_key'],
          KOOPHONE_PROJECT_ID=AKSK['project_id']), True),
    # the collection's own variables win over the SDK's
    (dict(KOOPHONE_SECRET_KEY=AKSK['secret_key'], HUAWEICLOUD_SDK_SK='wrong-secret-key',
          HUAWEICLOUD_SDK_AK=AKSK['access_key']), True),
    (dict(KOOPHONE_SECRET_KEY='wrong-secret-key', HUAWEICLOUD_SDK_SK=AKSK['secret_key'],
          HUAWEICLOUD_SDK_AK=AKSK['access_key']), False),
])
def test_aksk_from_the_environment(simulator, run_module, monkeypatch, env, works):
    monkeypatch.setenv('KOOPHONE_API_URL', simulator.url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result, failed = run_module(module, dict(page_size=100, retries=0))
    assert failed is not works, result
    if not works:
        assert result['error']['vendor_code'] == 'APIGW.0301' and 'Check access_key, secret_key' in result['msg']
    assert 'wrong-secret-key' not in json.dumps(result) and AKSK['secret_key'] not in json.dumps(result)


def test_aksk_wrong_project_id(simulator, run_module, args):
    result, failed = run_module(module, args(auth_token=None, **dict(AKSK, project_id='f' * 32)))
    assert failed
    assert result['error']['vendor_code'] == 'KOOPHONE.API.0004'


def test_token_and_aksk_from_the_environment_are_refused_before_any_call(simulator, run_module, args, monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', AKSK['access_key'])
    monkeypatch.setenv('HUAWEICLOUD_SDK_SK', AKSK['secret_key'])
    result, failed = run_module(module, args())
    assert failed
    assert result['msg'].startswith('Credentials of more than one kind were given (auth_token, AK/SK signing)')
    assert simulator.requests == []


@pytest.mark.parametrize('extra, message', [
    (dict(instance_ids=['y' * 33]), 'instance_ids item 1'),
    (dict(instance_ids=[]), 'instance_ids must hold at least one instance id'),
    (dict(page_size=0), 'page_size must be at least 1'),
    (dict(status_enum='2023'), 'status_enum'),
    (dict(auth_token=None), 'No credentials'),
])
def test_bad_input_fails_before_any_call(simulator, run_module, args, extra, message):
    result, failed = run_module(module, args(**extra))
    assert failed
    assert message in result['msg']
    assert simulator.requests == []


def test_wire_status_of_instances(simulator, run_module, args, ids):
    result, failed = run_module(module, args(instance_ids=ids[:2]))
    assert not failed, result
    assert_calls(simulator, [Call('POST', '/v1/instances/batch-query-status', body={'instance_ids': ids[:2]})])


def test_wire_listing_page_by_page(simulator, run_module, args):
    """batch-query takes its x-request-id in the query (a fresh one per call)."""
    result, failed = run_module(module, args(list_instances=True, page_size=50))
    assert not failed, result
    assert_calls(simulator, [
        Call('GET', '/v1/instances/batch-query', query={'page_no': '1', 'page_size': '50', 'x-request-id': ANY}),
        Call('GET', '/v1/instances/batch-query', query={'page_no': '2', 'page_size': '50', 'x-request-id': ANY}),
    ])
