"""KooPhone request and answer fields against the vendor SDK's model classes.

Oracle: the Java SDK's models, ``huaweicloud/huaweicloud-sdk-java-v3`` at commit
23eb13dcd6cbb928c58eb323bf1df4ff2668f898, ``services/koophone/src/main/java/com/huaweicloud/sdk/koophone/v1/model/``:
``InstanceResetReq.java``, ``BatchResetInstanceResponse.java``, ``ResetDataResult.java``, ``CmdJob.java``,
``ExecuteJobResponse.java``, ``JobDetailWrapper.java``, ``JobDetail.java``, ``InstanceStatusReq.java``,
``BatchShowInstanceResponse.java``, ``StatusResultWrapper.java``, ``StatusResult.java``, ``ListInstancesRequest.java``,
``ListInstancesResponse.java``, ``InstanceBatchQueryRspData.java``, ``InstanceBatchQueryRspDataResult.java``
(each field's ``@JsonProperty`` name and Java type, pinned below; ``StatusEnum`` is an Integer enum).

Under test: what the collection's client sends (received by a plain HTTP server) and reads from answers built
from those fields only, and the simulator's answers (every field it serves must be the SDK's, of the SDK's type).
"""
from __future__ import annotations

import json
import re

import pytest
from werkzeug.wrappers import Response

from ansible_collections.fleetops.maintenance.plugins.inventory.koophone import LISTED_FIELDS
from ansible_collections.fleetops.maintenance.plugins.module_utils import koophone
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

SDK_MODELS = {
    'InstanceResetReq': {'instance_ids': 'List<String>'},
    'BatchResetInstanceResponse': {'error_code': 'String', 'error_msg': 'String', 'data': 'ResetDataResult'},
    'ResetDataResult': {'cmd_jobs': 'List<CmdJob>', 'task_id': 'String'},
    'CmdJob': {'instance_id': 'String', 'job_id': 'String'},
    'ExecuteJobResponse': {'error_code': 'String', 'error_msg': 'String', 'data': 'JobDetailWrapper'},
    'JobDetailWrapper': {'jobs': 'List<JobDetail>'},
    'JobDetail': {'job_id': 'String', 'status': 'StatusEnum', 'error_code': 'String', 'error_msg': 'String',
                  'execute_msg': 'String'},
    'InstanceStatusReq': {'instance_ids': 'List<String>'},
    'BatchShowInstanceResponse': {'error_code': 'String', 'error_msg': 'String', 'data': 'StatusResultWrapper'},
    'StatusResultWrapper': {'status_results': 'List<StatusResult>'},
    'StatusResult': {'instance_id': 'String', 'status': 'StatusEnum'},
    'ListInstancesRequest': {'x-request-id': 'String', 'page_no': 'String', 'page_size': 'String',
                             'instance_id': 'String', 'instance_name': 'String', 'query_start_time': 'String',
                             'query_end_time': 'String', 'pool_scene_tag': 'String', 'order': 'String',
                             'order_by': 'String', 'pool_name': 'String'},
    'ListInstancesResponse': {'data': 'InstanceBatchQueryRspData'},
    'InstanceBatchQueryRspData': {'result': 'List<InstanceBatchQueryRspDataResult>', 'page_no': 'Integer',
                                  'page_size': 'Integer', 'total_count': 'Integer', 'error_code': 'String',
                                  'error_msg': 'String'},
    'InstanceBatchQueryRspDataResult': {
        'instance_id': 'String', 'instance_name': 'String', 'region': 'String', 'instance_sku': 'String',
        'frozen_status': 'Integer', 'running_status': 'Integer', 'login_status': 'Integer', 'assign_status': 'Integer',
        'assign_user': 'String', 'billing_mode': 'String', 'project_id': 'String', 'project_name': 'String',
        'phone_id': 'String', 'member_name': 'String', 'account_name': 'String', 'region_name': 'String',
        'region_name_en': 'String', 'backup_status': 'Integer', 'backup_time': 'String', 'restore_status': 'Integer',
        'restore_time': 'String'},
}
SCALARS = {'String': str, 'Integer': int, 'StatusEnum': int}
ENDPOINT_MODELS = {  # path: (request body model or query model, answer model), as KooPhoneMeta.java pairs them
    '/v1/instances/batch-reset': ('InstanceResetReq', 'BatchResetInstanceResponse'),
    '/v1/instances/batch-query-status': ('InstanceStatusReq', 'BatchShowInstanceResponse'),
    '/v1/instances/batch-query': ('ListInstancesRequest', 'ListInstancesResponse'),
    '/v1/instances/tasks/': (None, 'ExecuteJobResponse'),
}


def conforms(value, model, where='answer'):
    """Every field of ``value`` is one of the model's, of its type (nested models and lists of them included)."""
    if model in SCALARS:
        assert isinstance(value, SCALARS[model]) and not isinstance(value, bool), '%s: %r is not %s' % (where, value, model)
        return
    item = re.match(r'List<(\w+)>$', model)
    if item:
        assert isinstance(value, list), '%s: %r is not a list' % (where, value)
        for position, element in enumerate(value):
            conforms(element, item.group(1), '%s[%d]' % (where, position))
        return
    assert isinstance(value, dict), '%s: %r is not a %s object' % (where, value, model)
    for name, field in value.items():
        assert name in SDK_MODELS[model], '%s.%s is no field of the SDK model %s' % (where, name, model)
        if field is not None:
            conforms(field, SDK_MODELS[model][name], '%s.%s' % (where, name))


def endpoint(path):
    return next(models for prefix, models in ENDPOINT_MODELS.items() if path == prefix or
                (prefix.endswith('/') and path.startswith(prefix)))


# Answers made of the SDK models' fields only, with values of their types.
ANSWERS = {
    '/v1/instances/batch-reset': {'error_code': '0', 'error_msg': '', 'data': {
        'task_id': 't-1', 'cmd_jobs': [{'instance_id': 'a1', 'job_id': 'j-1'}, {'instance_id': 'b2', 'job_id': 'j-2'}]}},
    '/v1/instances/tasks/t-1': {'error_code': '0', 'error_msg': '', 'data': {'jobs': [
        {'job_id': 'j-1', 'status': 2, 'error_code': '', 'error_msg': '', 'execute_msg': 'ok'},
        {'job_id': 'j-2', 'status': 3, 'error_code': 'KOOPHONE.API.2004', 'error_msg': 'frozen', 'execute_msg': ''}]}},
    '/v1/instances/batch-query-status': {'error_code': '0', 'error_msg': '', 'data': {'status_results': [
        {'instance_id': 'a1', 'status': 1}, {'instance_id': 'b2', 'status': 2}]}},
    '/v1/instances/batch-query': {'data': {'error_code': '0', 'error_msg': '', 'page_no': 1, 'page_size': 30,
                                           'total_count': 1, 'result': [dict(
                                               (name, 'x' if kind == 'String' else 1) for name, kind in
                                               SDK_MODELS['InstanceBatchQueryRspDataResult'].items())]}},
}


@pytest.mark.parametrize('path, answer', sorted(ANSWERS.items()))
def test_the_answers_used_here_are_sdk_models(path, answer):
    conforms(answer, endpoint(path)[1])


@pytest.fixture
def wire(httpserver):
    received = []

    def answer(request):
        received.append(dict(path=request.path, query=request.args.to_dict(flat=False), body=request.get_data()))
        return Response(json.dumps(ANSWERS[request.path]), status=200, content_type='application/json')

    httpserver.expect_request(re.compile('/v1/.*')).respond_with_handler(answer)
    return received


def client_for(url):
    return koophone.KooPhoneClient(dict(validate_certs=True, ca_path=None, timeout=10, retries=0, retry_backoff=0,
                                        rate_limit_timeout=30, api_url=url, auth_token=CREDENTIALS.koophone_token))


def test_the_collection_sends_sdk_models_and_reads_their_fields(httpserver, wire):
    with client_for(httpserver.url_for('')) as client:
        reply = client.batch_reset(['a1', 'b2'])
        jobs = client.get_task(reply['task_id'])['jobs']
        statuses = client.query_status(['a1', 'b2'])
        instances, total = client.list_instances(30, {'instance_name': 'shop'})
    # what it sent: bodies and query parameters of the SDK's request models
    for received in wire:
        request_model = endpoint(received['path'])[0]
        if received['body']:
            conforms(json.loads(received['body']), request_model, received['path'])
        if request_model == 'ListInstancesRequest':
            assert set(received['query']) <= set(SDK_MODELS[request_model]), received['query']
    # what it read from the SDK's answer fields
    assert reply == dict(task_id='t-1', cmd_jobs=ANSWERS['/v1/instances/batch-reset']['data']['cmd_jobs'])
    results = koophone.job_results(1, ['a1', 'b2'], reply, jobs)
    assert [(item['instance_id'], item['job_id'], item['status']) for item in results] == [
        ('a1', 'j-1', 'succeeded'), ('b2', 'j-2', 'failed')]
    assert results[1]['error_code'] == 'KOOPHONE.API.2004'
    known, unknown = statuses
    assert [(item['instance_id'], item['status']) for item in known] == [('a1', 1), ('b2', 2)] and unknown == []
    assert total == 1 and instances == ANSWERS['/v1/instances/batch-query']['data']['result']


def test_the_inventory_reads_only_sdk_fields():
    assert set(LISTED_FIELDS) <= set(SDK_MODELS['InstanceBatchQueryRspDataResult'])


def test_the_simulator_answers_sdk_models(sim):
    """The simulator's answers (our own code) hold only the SDK's fields, of the SDK's types."""
    import requests

    headers = {'X-Auth-Token': CREDENTIALS.koophone_token, 'x-request-id': '3f1c2b9e-0000-4000-8000-000000000009',
               'Content-Type': 'application/json'}
    ids = list(sim.state('koophone')['instances'])[:2]
    listed = requests.get(sim.url + '/v1/instances/batch-query', params={'page_no': 1, 'page_size': 5,
                                                                         'x-request-id': headers['x-request-id']},
                          headers=headers, timeout=10).json()
    conforms(listed, 'ListInstancesResponse')
    reset = requests.post(sim.url + '/v1/instances/batch-reset', json={'instance_ids': ids}, headers=headers,
                          timeout=10).json()
    conforms(reset, 'BatchResetInstanceResponse')
    task = requests.get(sim.url + '/v1/instances/tasks/' + reset['data']['task_id'], headers=headers, timeout=10).json()
    conforms(task, 'ExecuteJobResponse')
    status = requests.post(sim.url + '/v1/instances/batch-query-status', json={'instance_ids': ids}, headers=headers,
                           timeout=10).json()
    conforms(status, 'BatchShowInstanceResponse')
