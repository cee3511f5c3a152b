# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the KooPhone adapter: error parsing, validation, auth (token, IAM login, AK/SK), job results;
the AK/SK signing and a few answers over loopback HTTP."""

from __future__ import annotations

import json
import uuid

import pytest
from werkzeug.wrappers import Response as WerkzeugResponse

from ansible_collections.fleetops.maintenance.plugins.module_utils import huawei_signer
from ansible_collections.fleetops.maintenance.plugins.module_utils import koophone as kp
from ansible_collections.fleetops.maintenance.plugins.module_utils import koophone_options as options
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError, Response
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

API = 'https://kp.example'
IAM = 'https://iam.example'
CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=0, rate_limit_timeout=0)
IAM_PARAMS = dict(CONNECTION, api_url=API, auth_token=None, iam_url=IAM, username='u', password='s3cret-pw',
                  domain_name='d', project_name='cn-south-1')
TOKEN_PARAMS = dict(IAM_PARAMS, auth_token='static-token', username=None, password=None, domain_name=None)


def ok(data=None, status=200, headers=None):
    body = {'error_code': '0', 'error_msg': 'ok'}
    if data is not None:
        body['data'] = data
    return Response(status, headers or {}, body)


def unauthorized(path):
    return ApiError('HTTP 401', method='POST', path=path, status=401, vendor_code='APIGW.0301', vendor_message='bad token',
                    kind='auth')


class FakeClient:
    """Stands in for ApiClient: records each call with the headers the auth callable adds."""

    scripts: dict = {}
    instances: dict = {}

    def __init__(self, base_url, auth=None, **kwargs):
        self.base_url = base_url
        self.closed = False
        self.auth = auth
        self.kwargs = kwargs
        self.calls = []
        FakeClient.instances[base_url] = self

    def request(self, method, path, params=None, json_body=None, headers=None, idempotent=None):
        sent = dict(headers or {})
        if self.auth:
            sent.update(self.auth(method, path, b''))
        self.calls.append(dict(method=method, path=path, params=params, body=json_body, headers=sent, idempotent=idempotent))
        reply = FakeClient.scripts[self.base_url].pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def close(self):
        self.closed = True


@pytest.fixture
def fake():
    FakeClient.scripts = {API: [], IAM: []}
    FakeClient.instances = {}
    return FakeClient


def token_reply(token):
    return ok(status=201, headers={'X-Subject-Token': token})


# ------------------------------------------------------------------ error parsing
@pytest.mark.parametrize('status, data, expected', [
    (200, {'error_code': '0', 'error_msg': 'ok'}, None),
    (200, {'error_code': 0, 'error_msg': 'ok'}, None),
    (200, {'error_code': 'KOOPHONE.API.2004', 'error_msg': 'frozen'}, ('KOOPHONE.API.2004', 'frozen', 'api')),
    (200, {'error_code': 'KOOPHONE.API.0002', 'error_msg': 'no id'}, ('KOOPHONE.API.0002', 'no id', 'api')),
    (400, {'error_code': 'KOOPHONE.API.1000', 'error_msg': 'bad'}, ('KOOPHONE.API.1000', 'bad', 'api')),
    (401, {'error_code': 'KOOPHONE.API.1001', 'error_msg': 'no perm'}, ('KOOPHONE.API.1001', 'no perm', 'api')),
    (401, {'error_code': 'APIGW.0301', 'error_msg': 'iam'}, ('APIGW.0301', 'iam', 'auth')),
    (400, {'error_code': '0', 'error_msg': 'ok'}, ('0', 'ok', 'api')),
    (500, None, (None, None, None)),
    (503, {'error': 'x'}, (None, None, None)),
    (200, {'data': {}}, (None, 'the answer has no error_code', 'malformed')),
])
def test_parse_error(status, data, expected):
    assert kp.parse_error(status, data) == expected


# GET /v1/instances/batch-query answers only `data`, with error_code and error_msg inside it
# (huaweicloud-sdk-java-v3 koophone ListInstancesResponse -> InstanceBatchQueryRspData).
LISTING = {'result': [{'instance_id': 'a'}], 'page_no': 1, 'page_size': 10, 'total_count': 1}


@pytest.mark.parametrize('status, data, expected', [
    (200, {'data': dict(LISTING, error_code='0', error_msg='ok')}, None),
    (200, {'data': dict(LISTING, error_code=0)}, None),
    (200, {'data': {'error_code': 'KOOPHONE.API.0004', 'error_msg': 'no project'}}, ('KOOPHONE.API.0004', 'no project', 'api')),
    (200, {'error_code': '0', 'data': {'error_code': 'KOOPHONE.API.1004', 'error_msg': 'x'}}, ('KOOPHONE.API.1004', 'x', 'api')),
    (400, {'data': {'error_code': 'KOOPHONE.API.1000', 'error_msg': 'bad page'}}, ('KOOPHONE.API.1000', 'bad page', 'api')),
    (200, {'data': LISTING}, (None, 'the answer has no error_code', 'malformed')),
])
def test_parse_error_inside_data(status, data, expected):
    assert kp.parse_error(status, data) == expected


def test_parse_iam_error():
    assert kp.parse_iam_error(201, {'token': {}}) is None
    assert kp.parse_iam_error(401, {'error': {'code': '401', 'message': 'wrong password'}}) == ('401', 'wrong password', None)
    assert kp.parse_iam_error(500, None) == (None, None, None)


def test_describe_code():
    assert kp.describe_code('KOOPHONE.API.2004') == 'KOOPHONE.API.2004 (instance frozen)'
    assert kp.describe_code('KOOPHONE.API.2004', followed_by_text=True) == 'KOOPHONE.API.2004 (instance frozen):'
    assert kp.describe_code('KOOPHONE.API.7777', followed_by_text=True) == 'KOOPHONE.API.7777'


def test_status_names_differ_between_doc_versions():
    assert kp.status_name(2) == 'running'
    assert kp.status_name(4, '2024') == 'starting'
    assert kp.status_name(4, '2025') == 'backing up'
    assert kp.status_name(42, '2025') == 'status 42'


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize('ids, message', [
    ([], 'instance_ids must hold at least one instance id'),
    (['abc', ''], 'instance_ids item 2 is empty'),
    (['abc', '  '], 'instance_ids item 2 is empty'),
    (['a' * 33], "instance_ids item 1 ('%s') is 33 characters long; the vendor allows at most 32" % ('a' * 33)),
])
def test_bad_instance_ids_are_named(ids, message):
    with pytest.raises(InvalidInput) as caught:
        options.unique_instance_ids(ids)
    assert str(caught.value) == message


def test_instance_ids_of_32_characters_are_taken():
    assert options.unique_instance_ids(['a' * 32, 'b']) == ['a' * 32, 'b']


def test_unique_keeps_first_occurrence_order():
    assert options.unique_instance_ids(['b', 'a', 'b', 'c', 'a']) == ['b', 'a', 'c']


def auth_problem(params):
    try:
        options.check_credentials(dict(dict(iam_url=IAM), **params))
    except InvalidInput as exc:
        return str(exc)
    return None


@pytest.mark.parametrize('params, fragment', [
    (dict(), 'No credentials'),
    (dict(username='u', password='p', project_name='cn-south-1'), 'missing: domain_name'),
    (dict(password='p', project_name=None), 'missing: username, domain_name, project_name'),
    (dict(access_key='AK', project_id='p'), 'AK/SK signing needs access_key, secret_key; missing: secret_key'),
    (dict(secret_key='SK'), 'missing: access_key'),
])
def test_auth_problem(params, fragment):
    assert fragment in auth_problem(params)


@pytest.mark.parametrize('params, kinds', [
    (dict(auth_token='t', username='u'), 'auth_token, IAM password login'),
    (dict(auth_token='t', access_key='AK', secret_key='SK'), 'auth_token, AK/SK signing'),
    (dict(password='p', secret_key='SK'), 'IAM password login, AK/SK signing'),
    (dict(IAM_PARAMS, auth_token='t', access_key='AK', secret_key='SK'), 'auth_token, IAM password login, AK/SK signing'),
])
def test_credentials_of_several_kinds_are_refused_naming_them(params, kinds):
    problem = auth_problem(params)
    assert problem.startswith('Credentials of more than one kind were given (%s): give only one of auth_token; '
                              'username, password and domain_name; or access_key and secret_key.' % kinds)
    assert 'HUAWEICLOUD_SDK_AK/SK' in problem  # where an unexpected one may have come from


def test_auth_problem_accepts_each_kind_alone():
    assert auth_problem(dict(auth_token='t', project_name='cn-south-1')) is None
    assert auth_problem(IAM_PARAMS) is None
    # project_name has a default and project_id is optional: neither makes a kind of its own
    assert auth_problem(dict(access_key='AK', secret_key='SK', project_name='cn-south-1')) is None
    assert auth_problem(dict(auth_token='t', project_id='p')) is None


# ------------------------------------------------------------------ auth flow
def test_iam_token_obtained_once_and_reused(fake):
    fake.scripts[IAM] = [token_reply('tok-1')]
    fake.scripts[API] = [ok({'status_results': []}), ok({'status_results': []})]
    client = kp.KooPhoneClient(IAM_PARAMS, api_client_class=fake)
    client.batch_query_status(['a'])
    client.batch_query_status(['b'])
    iam_calls = fake.instances[IAM].calls
    assert len(iam_calls) == 1
    assert iam_calls[0]['path'] == '/v3/auth/tokens'
    assert iam_calls[0]['body'] == {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'u', 'password': 's3cret-pw', 'domain': {'name': 'd'}}}},
        'scope': {'project': {'name': 'cn-south-1'}}}}
    api_calls = fake.instances[API].calls
    assert [call['headers']['X-Auth-Token'] for call in api_calls] == ['tok-1', 'tok-1']
    ids = [call['headers']['x-request-id'] for call in api_calls]
    assert len(set(ids)) == 2 and all(uuid.UUID(value).version == 4 for value in ids)
    assert all(call['idempotent'] is True for call in api_calls)  # batch-query-status only reads


def test_401_renews_token_once_and_repeats(fake):
    fake.scripts[IAM] = [token_reply('tok-1'), token_reply('tok-2')]
    fake.scripts[API] = [unauthorized('/v1/instances/batch-reset'), ok()]
    client = kp.KooPhoneClient(IAM_PARAMS, api_client_class=fake)
    assert client.batch_reset(['a']) == {'task_id': None, 'cmd_jobs': []}
    assert [call['headers']['X-Auth-Token'] for call in fake.instances[API].calls] == ['tok-1', 'tok-2']
    assert len(fake.instances[IAM].calls) == 2


def test_second_401_is_raised(fake):
    fake.scripts[IAM] = [token_reply('tok-1'), token_reply('tok-2')]
    fake.scripts[API] = [unauthorized('/v1/instances/batch-reset'), unauthorized('/v1/instances/batch-reset')]
    client = kp.KooPhoneClient(IAM_PARAMS, api_client_class=fake)
    with pytest.raises(ApiError) as caught:
        client.batch_reset(['a'])
    assert caught.value.status == 401 and caught.value.message == 'HTTP 401, APIGW.0301 bad token'
    assert len(fake.instances[API].calls) == 2


def test_static_token_is_not_renewed(fake):
    fake.scripts[API] = [unauthorized('/v1/instances/batch-reset')]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    with pytest.raises(ApiError):
        client.batch_reset(['a'])
    assert IAM not in fake.instances
    assert fake.instances[API].calls[0]['headers']['X-Auth-Token'] == 'static-token'


def test_refused_iam_login_is_not_retried(fake):
    fake.scripts[IAM] = [ApiError('HTTP 401', method='POST', path='/v3/auth/tokens', status=401, kind='auth')]
    client = kp.KooPhoneClient(IAM_PARAMS, api_client_class=fake)
    with pytest.raises(ApiError) as caught:
        client.batch_query_status(['a'])
    assert caught.value.path == '/v3/auth/tokens'
    assert len(fake.instances[IAM].calls) == 1
    assert 's3cret-pw' not in str(caught.value)


def test_iam_answer_without_token_header_fails(fake):
    fake.scripts[IAM] = [ok(status=201)]
    client = kp.KooPhoneClient(IAM_PARAMS, api_client_class=fake)
    with pytest.raises(ApiError, match='without an X-Subject-Token'):
        client.batch_query_status(['a'])


# ------------------------------------------------------------------ endpoints
def test_batch_reset_passes_the_code_meanings_and_is_never_repeated_blindly(fake):
    fake.scripts[API] = [ok({'task_id': 't1', 'cmd_jobs': []})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    client.batch_reset(['a', 'b'])
    assert fake.instances[API].kwargs['describe_code'] is kp.describe_code
    call = fake.instances[API].calls[0]
    assert call['body'] == {'instance_ids': ['a', 'b']}
    assert call['idempotent'] is None  # a reset is never marked safe to repeat


def test_client_closes_every_http_client(fake):
    fake.scripts[IAM] = []
    with kp.KooPhoneClient(IAM_PARAMS, api_client_class=fake):
        pass
    assert fake.instances[API].closed and fake.instances[IAM].closed


def test_batch_reset_accepts_2025_answer(fake):
    jobs = [{'instance_id': 'a', 'job_id': 'j1'}]
    fake.scripts[API] = [ok({'task_id': 't1', 'cmd_jobs': jobs})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    assert client.batch_reset(['a']) == {'task_id': 't1', 'cmd_jobs': jobs}


def test_batch_query_sends_request_id_in_query_and_header(fake):
    fake.scripts[API] = [ok({'result': [], 'total_count': 0})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    client.batch_query(1, 10, {'instance_name': 'shop'})
    call = fake.instances[API].calls[0]
    assert call['params']['x-request-id'] == call['headers']['x-request-id']
    assert call['params']['page_no'] == 1 and call['params']['page_size'] == 10
    assert call['params']['instance_name'] == 'shop'


def test_list_instances_pages_until_total(fake):
    fake.scripts[API] = [ok({'result': [{'instance_id': 'a'}, {'instance_id': 'b'}], 'total_count': 3}),
                         ok({'result': [{'instance_id': 'c'}], 'total_count': 3})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    instances, total = client.list_instances(2)
    assert [item['instance_id'] for item in instances] == ['a', 'b', 'c']
    assert total == 3
    assert [call['params']['page_no'] for call in fake.instances[API].calls] == [1, 2]


def test_list_instances_follows_total_count_when_pages_are_shorter_than_asked(fake):
    """The vendor may serve fewer items a page than page_size: total_count decides, not a short page."""
    fake.scripts[API] = [ok({'result': [{'instance_id': 'a'}, {'instance_id': 'b'}], 'total_count': 3}),
                         ok({'result': [{'instance_id': 'c'}], 'total_count': 3})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    instances, total = client.list_instances(100)
    assert [item['instance_id'] for item in instances] == ['a', 'b', 'c'] and total == 3
    assert [call['params']['page_no'] for call in fake.instances[API].calls] == [1, 2]


def test_list_instances_stops_on_empty_page(fake):
    fake.scripts[API] = [ok({'result': [{'instance_id': 'a'}]}), ok({'result': []})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    instances, total = client.list_instances(1)
    assert total == 1 and len(fake.instances[API].calls) == 2


def test_query_status_batches_of_32_and_reports_unknown(fake):
    ids = ['id%02d' % number for number in range(40)]
    fake.scripts[API] = [ok({'status_results': [{'instance_id': iid, 'status': 2} for iid in ids[:32] if iid != 'id05']}),
                         ok({'status_results': [{'instance_id': iid, 'status': 4} for iid in ids[32:]]})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    known, unknown = client.query_status(ids)
    assert [len(call['body']['instance_ids']) for call in fake.instances[API].calls] == [32, 8]
    assert unknown == ['id05']
    assert [item['instance_id'] for item in known] == [iid for iid in ids if iid != 'id05']


def test_query_status_failure_in_second_batch(fake):
    ids = ['id%02d' % number for number in range(40)]
    fake.scripts[API] = [ok({'status_results': []}), ApiError('HTTP 500', status=500)]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    with pytest.raises(BatchFailure) as caught:
        client.query_status(ids)
    assert caught.value.failed_index == 1 and caught.value.failed_items == ids[32:]


@pytest.mark.parametrize('task_id', ['', '../x', 'a/b', 'a?b'])
def test_unusable_task_id_is_refused(fake, task_id):
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    with pytest.raises(ApiError, match='unusable task id'):
        client.get_task(task_id)
    assert fake.instances[API].calls == []


def test_wait_for_jobs_until_all_final(fake):
    running = ok({'jobs': [{'job_id': 'j1', 'status': 1}, {'job_id': 'j2', 'status': 2}]})
    final = ok({'jobs': [{'job_id': 'j1', 'status': -1}, {'job_id': 'j2', 'status': 2}]})
    fake.scripts[API] = [running, running, final]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    slept = []
    jobs = client.wait_for_jobs('t1', 60, 2, sleep=slept.append)
    assert [job['status'] for job in jobs] == [-1, 2]
    assert slept == [2, 2]
    assert fake.instances[API].calls[0]['path'] == '/v1/instances/tasks/t1'


def test_wait_for_jobs_times_out(fake):
    fake.scripts[API] = [ok({'jobs': []})] * 5
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    with pytest.raises(TaskFailed) as caught:
        client.wait_for_jobs('t1', 0.000001, 1, sleep=lambda seconds: None)
    assert caught.value.timed_out and caught.value.task_id == 't1'


# ------------------------------------------------------------------ job results
def test_job_results_matches_jobs_by_job_id():
    reply = {'task_id': 't', 'cmd_jobs': [{'instance_id': 'a', 'job_id': 'j1'}, {'instance_id': 'b', 'job_id': 'j2'}]}
    jobs = [{'job_id': 'j2', 'status': -1, 'error_code': 'KOOPHONE.API.9999', 'error_msg': 'boom'},
            {'job_id': 'j1', 'status': 2, 'error_code': '0', 'error_msg': 'ok'}]
    assert kp.job_results(3, ['a', 'b'], reply, jobs) == [
        dict(instance_id='a', batch=3, job_id='j1', status='succeeded'),
        dict(instance_id='b', batch=3, job_id='j2', status='failed', error_code='KOOPHONE.API.9999', error_msg='boom'),
    ]


def test_job_results_without_task_are_requested():
    assert kp.job_results(1, ['a'], {'task_id': None, 'cmd_jobs': []}) == [
        dict(instance_id='a', batch=1, job_id=None, status='requested')]


def test_job_results_never_match_a_job_by_an_instance_id_of_its_own():
    """SDK JobDetail has no instance_id: only batch-reset's cmd_jobs maps instances to jobs."""
    jobs = [{'job_id': 'j9', 'instance_id': 'a', 'status': -1, 'error_code': 'KOOPHONE.API.9999'}]
    assert kp.job_results(1, ['a'], {'task_id': 't', 'cmd_jobs': []}, jobs) == [
        dict(instance_id='a', batch=1, job_id=None, status='requested')]


@pytest.mark.parametrize('status, name', [(0, 'running'), (1, 'running'), (2, 'succeeded'), (3, 'failed'), (-1, 'failed')])
def test_job_results_name_every_jobdetail_status(status, name):
    """SDK JobDetail.status: 0 not started, 1 running, 2 success, 3 failed, -1 failed."""
    reply = {'task_id': 't', 'cmd_jobs': [{'instance_id': 'a', 'job_id': 'j1'}]}
    assert kp.job_results(1, ['a'], reply, [{'job_id': 'j1', 'status': status}])[0]['status'] == name


def test_wait_for_jobs_ends_on_status_3(fake):
    """Status 3 is a failed job (SDK JobDetail), as final as -1: waiting must not go on until the timeout."""
    fake.scripts[API] = [ok({'jobs': [{'job_id': 'j1', 'status': 0}]}), ok({'jobs': [{'job_id': 'j1', 'status': 3}]})]
    client = kp.KooPhoneClient(TOKEN_PARAMS, api_client_class=fake)
    jobs = client.wait_for_jobs('t1', 60, 1, sleep=lambda seconds: None)
    assert jobs == [{'job_id': 'j1', 'status': 3}]
    assert len(fake.instances[API].calls) == 2


# ------------------------------------------------------------------ over HTTP with the real client
def test_listing_error_inside_data_of_an_http_200_fails_with_its_code(httpserver):
    """A business error in batch-query's data.error_code is a failure even in an HTTP 200."""
    httpserver.expect_request('/v1/instances/batch-query').respond_with_json(
        {'data': {'error_code': 'KOOPHONE.API.0004', 'error_msg': 'project missing'}})
    client = kp.KooPhoneClient(dict(TOKEN_PARAMS, api_url=httpserver.url_for('/')))
    with pytest.raises(ApiError) as caught:
        client.list_instances(10)
    assert (caught.value.status, caught.value.vendor_code) == (200, 'KOOPHONE.API.0004')
    assert 'KOOPHONE.API.0004 (project does not exist): project missing' in caught.value.message


# ------------------------------------------------------------------ AK/SK signing (huawei_signer)
# Vectors computed with huaweicloudsdkcore 3.1.219's Signer (huaweicloudsdkcore/signer/signer.py); the
# conformance suite compares the two on generated requests as well.
SDK_AK = 'HPUAEXAMPLEAK1234567'
SDK_SK = 'exampleSecretKey0123456789abcdefghijklmn'
SDK_HOST = 'koophone.myhuaweicloud.com'
JAN_1_2024 = 1704067200  # X-Sdk-Date 20240101T000000Z
SDK_VECTORS = [
    ('POST', '/v1/instances/batch-reset', {}, {'x-request-id': '3f1c2b9e-0000-4000-8000-000000000001'},
     b'{"instance_ids":["a44uhlf7","efjy72gs"]}', 'p1d0000000000000000000000000000a',
     'b4e9ae5cefe55fd571adeee4a1c610694d43d823484aed2659d43b460ca27811'),
    ('GET', '/v1/instances/batch-query', {'instance_name': 'phone 01/\u00fc', 'page_no': 1, 'page_size': 10,
                                          'x-request-id': '3f1c2b9e-0000-4000-8000-000000000002'}, {}, b'', None,
     '58838d5c94753303e94236203278ebfb0e2c7581e5b6301ded6a5a17f27e03c5'),
    ('GET', '/v1/instances/tasks/0a1b2c3d4e5f', {}, {}, b'', None,
     '963b7f647db9382e2314d2b3a7b165ae4fbcf9b47ab9e26dcf3c2b5e62d7d3e5'),
]


@pytest.mark.parametrize('method, path, params, headers, body, project_id, expected', SDK_VECTORS)
def test_signer_matches_the_sdk_vectors(method, path, params, headers, body, project_id, expected):
    headers = dict(headers, **{'Content-Type': 'application/json'})
    added = huawei_signer.sign(SDK_AK, SDK_SK, method, SDK_HOST, path, params, headers, body,
                               project_id=project_id, now=lambda: JAN_1_2024)
    assert added['X-Sdk-Date'] == '20240101T000000Z' and added['Host'] == SDK_HOST
    assert added.get('X-Project-Id') == project_id
    assert added['Authorization'].startswith('SDK-HMAC-SHA256 Access=%s, SignedHeaders=' % SDK_AK)
    assert added['Authorization'].endswith(', Signature=' + expected)


def test_canonical_query_encodes_as_the_sdk():
    assert huawei_signer.canonical_query({'b': 'phone 01/\u00fc', 'a': True, 'c': '~x*'}) == 'a=true&b=phone%2001%2F%C3%BC&c=~x%2A'
    assert huawei_signer.canonical_uri('/v1/a b/%C3%BC') == '/v1/a%20b/%C3%BC/'


AKSK_PARAMS = dict(TOKEN_PARAMS, auth_token=None, **CREDENTIALS.koophone_access_key)


def test_aksk_calls_are_signed_and_carry_no_token(httpserver):
    httpserver.expect_request('/v1/instances/batch-query-status').respond_with_json(ok({'status_results': []}).data)
    client = kp.KooPhoneClient(dict(AKSK_PARAMS, api_url=httpserver.url_for('/')), clock=lambda: JAN_1_2024)
    client.batch_query_status(['a'])
    request = httpserver.log[0][0]
    assert 'X-Auth-Token' not in request.headers
    assert request.headers['X-Sdk-Date'] == '20240101T000000Z'
    assert request.headers['X-Project-Id'] == AKSK_PARAMS['project_id']
    assert request.headers['Authorization'].startswith(
        'SDK-HMAC-SHA256 Access=%s, SignedHeaders=accept;content-type;host;x-project-id;x-request-id;x-sdk-date, '
        % AKSK_PARAMS['access_key'])


def test_aksk_signs_every_retry_afresh(httpserver):
    """A retried attempt gets its own X-Sdk-Date and signature (and its own x-request-id, which is signed)."""
    answers = iter([(503, {}), (200, ok({'status_results': []}).data)])

    def handler(request):
        status, body = next(answers)
        return WerkzeugResponse(json.dumps(body), status=status, content_type='application/json')
    httpserver.expect_request('/v1/instances/batch-query-status').respond_with_handler(handler)
    moments = iter([JAN_1_2024, JAN_1_2024 + 7])
    client = kp.KooPhoneClient(dict(AKSK_PARAMS, api_url=httpserver.url_for('/'), retries=2), clock=lambda: next(moments))
    client.batch_query_status(['a'])
    attempts = [entry[0] for entry in httpserver.log]
    assert [request.headers['X-Sdk-Date'] for request in attempts] == ['20240101T000000Z', '20240101T000007Z']
    for request in attempts:  # each attempt's signature covers what that attempt sent
        headers = dict((name, request.headers[name]) for name in
                       ('Accept', 'Content-Type', 'Host', 'X-Project-Id', 'x-request-id', 'X-Sdk-Date'))
        assert request.headers['Authorization'] == huawei_signer.authorization(
            AKSK_PARAMS['access_key'], AKSK_PARAMS['secret_key'], 'POST', request.path, {}, headers, request.get_data())


def test_aksk_against_the_simulator_without_iam(simulator):
    client = kp.KooPhoneClient(dict(AKSK_PARAMS, api_url=simulator.url, iam_url=simulator.url))
    instances, total = client.list_instances(50)
    assert total == 80 and len(instances) == 80
    assert [entry['kind'] for entry in simulator.requests] == ['read', 'read']  # no IAM call
    with pytest.raises(ApiError) as caught:
        kp.KooPhoneClient(dict(AKSK_PARAMS, api_url=simulator.url, secret_key='wrong-secret')).list_instances(50)
    assert (caught.value.status, caught.value.vendor_code, caught.value.kind) == (401, 'APIGW.0301', 'auth')
    assert caught.value.message.endswith('. ' + kp.AUTH_HINTS[kp.AKSK])
    assert 'wrong-secret' not in str(caught.value)
