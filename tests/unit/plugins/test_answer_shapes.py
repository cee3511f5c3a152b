# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every vendor answer shape, property-based: for each call of each vendor client (and what the modules compute
from its result), answers that are well-formed, truncated, of the wrong types, huge or unicode end in a result or
in the collection's own error (ApiError, TaskFailed, BatchFailure), never in another exception (how a traceback would surface).

The answers come from a session that replays them (no network): the property runs fast, so the deep profile
(``FLEETOPS_FUZZ_PROFILE=deep``, ``scripts/test --only fuzz``) tries thousands of answers. The number tried is
written to ``FLEETOPS_FUZZ_COUNT_FILE`` when set.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.fleetops.maintenance.plugins.module_utils import altcraft, iot, koophone, wfbss
from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed

DEEP = os.environ.get('FLEETOPS_FUZZ_PROFILE') == 'deep'
SETTINGS = settings(max_examples=400 if DEEP else 40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TRIED = []
CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=1, rate_limit_timeout=0)
CID = '640FE47F-5118-4D79-8221-A35D0DE2EE2C'


@pytest.fixture(scope='module', autouse=True)
def count_inputs():
    yield
    if os.environ.get('FLEETOPS_FUZZ_COUNT_FILE'):
        with open(os.environ['FLEETOPS_FUZZ_COUNT_FILE'], 'a') as handle:
            handle.write(json.dumps(dict(file=__name__, inputs=len(TRIED))) + '\n')


class Replay(object):
    """A requests session that answers every request with the next of the given (status, body bytes)."""

    def __init__(self, answers):
        self.answers = list(answers)

    def request(self, method, url, data=None, headers=None, **kwargs):  # pylint: disable=unused-argument
        status, content = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return _Response(status, content)

    def close(self):
        pass


class _Response(object):
    def __init__(self, status, content):
        self.status_code = status
        self.content = content
        self.headers = {'Content-Type': 'application/json'}
        self.text = content.decode('utf-8', 'replace')


SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=True),
                   st.text(max_size=30), st.just('\u202e\u0000\ufeff\U0001f642'))
ANY_JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner,
                                                                                            max_size=5), max_leaves=25)


def with_a_wrong_type(answer):
    """The answer with one value anywhere in it replaced by something of another type."""
    paths = []

    def walk(node, path):
        paths.append(path)
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            walk(child, path + (key,))
    walk(answer, ())

    def replace(choice):
        path, value = choice
        if not path:
            return value
        copy = json.loads(json.dumps(answer))
        node = copy
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return copy
    return st.tuples(st.sampled_from(paths), ANY_JSON).map(replace)


def dumps(value):
    return json.dumps(value, allow_nan=True).encode('utf-8')


def answers(well_formed):
    """Bodies shaped like ``well_formed``: as is, with a wrong type, truncated, replaced by any JSON, huge, not JSON."""
    text = dumps(well_formed)
    return st.one_of(
        st.just(text),
        with_a_wrong_type(well_formed).map(dumps),
        st.integers(0, len(text) - 1).map(lambda cut: text[:cut]),
        ANY_JSON.map(dumps),
        st.integers(1000, 20000).map(lambda size: dumps(dict(well_formed, data=[well_formed.get('data')] * size))
                                     if isinstance(well_formed, dict) else text * size),
        st.text(max_size=200).map(lambda value: value.encode('utf-8')),
        st.binary(max_size=200),
    )


STATUS = st.sampled_from([200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504])


def survives(call, status, body, *later):
    """Run ``call(session)``; only the collection's own errors may escape it."""
    TRIED.append(1)
    session = Replay([(status, body)] + list(later))
    try:
        return call(session)
    except (ApiError, TaskFailed, BatchFailure):
        return None


# ------------------------------------------------------------------ WFBS-SVC
WFBSS_PARAMS = dict(CONNECTION, api_url='https://cspi.example', api_version='v2.8', access_token='t', secret_key='s')
WFBSS_CALLS = {
    'reset': ({'task': {'status': 'PENDING', 'id': 'T1'}}, lambda client: client.reset([CID], 'counter')),
    'list_reports': ({'customers': [{'id': CID, 'eid': 'e', 'reports': [{'rtid': 1, 'name': 'n'}]}]},
                     lambda client: wfbss.by_customer(client.list_reports([CID]))),
    'create_report': ({'customers': [{'id': CID, 'rtid': 1, 'result': 'Done', 'message': ''}]},
                      lambda client: client.create_report([CID], {'name': 'n'})),
    'customers': ({'customers': [{'id': CID, 'name': 'Acme'}], 'paging': {'total': 1, 'limit': 100}},
                  lambda client: client.list_customers()),
}


@pytest.mark.parametrize('name', sorted(WFBSS_CALLS))
@SETTINGS
@given(data=st.data(), status=STATUS)
def test_wfbss_answers(name, data, status):
    well_formed, call = WFBSS_CALLS[name]
    body = data.draw(answers(well_formed))
    survives(lambda session: call(wfbss.WfbssClient(WFBSS_PARAMS, session=session)), status, body)


# ------------------------------------------------------------------ KooPhone
KOOPHONE_PARAMS = dict(CONNECTION, api_url='https://koophone.example', auth_token='t', concurrency=1)
RESET_ANSWER = {'error_code': '0', 'data': {'task_id': 't1', 'cmd_jobs': [{'instance_id': 'a1', 'job_id': 'j1'}]}}
JOBS_ANSWER = {'error_code': '0', 'data': {'jobs': [{'job_id': 'j1', 'status': 2, 'error_code': '', 'error_msg': ''}]}}


def reset_and_map(client):
    reply = client.batch_reset(['a1'])
    return koophone.job_results(1, ['a1'], reply, client.get_task('t1').get('jobs'))


KOOPHONE_CALLS = {
    'batch_reset': (RESET_ANSWER, lambda client: koophone.job_results(1, ['a1'], client.batch_reset(['a1']))),
    'get_task': (JOBS_ANSWER, lambda client: koophone.job_results(1, ['a1'], RESET_ANSWER['data'],
                                                                  client.get_task('t1').get('jobs'))),
    'query_status': ({'error_code': '0', 'data': {'status_results': [{'instance_id': 'a1', 'status': 1}]}},
                     lambda client: client.query_status(['a1', 'b2'])),
    'list_instances': ({'data': {'error_code': '0', 'total_count': 1, 'result': [{'instance_id': 'a1'}]}},
                       lambda client: client.list_instances(10)),
    'wait_for_jobs': (JOBS_ANSWER, lambda client: client.wait_for_jobs('t1', 0.05, 0.01, sleep=lambda seconds: None)),
}


@pytest.mark.parametrize('name', sorted(KOOPHONE_CALLS))
@SETTINGS
@given(data=st.data(), status=STATUS)
def test_koophone_answers(name, data, status):
    well_formed, call = KOOPHONE_CALLS[name]
    body = data.draw(answers(well_formed))
    survives(lambda session: call(koophone.KooPhoneClient(KOOPHONE_PARAMS, session=session)), status, body)


def test_koophone_reset_then_jobs_of_any_shape():
    """A well-formed reset, then tasks answers of every shape (a short run in both profiles)."""
    @SETTINGS
    @given(body=answers(JOBS_ANSWER), status=STATUS)
    def run(body, status):
        survives(lambda session: reset_and_map(koophone.KooPhoneClient(KOOPHONE_PARAMS, session=session)),
                 200, dumps(RESET_ANSWER), (status, body))
    run()  # pylint: disable=no-value-for-parameter


# ------------------------------------------------------------------ IoT Security
IOT_LEGACY = dict(CONNECTION, api_url='https://tenant.example', customer_id='c', key_id='k', access_key='a',
                  requests_per_minute=100000)
IOT_SCM = dict(CONNECTION, api_url='https://api.example', auth_url='https://auth.example/oauth2/access_token',
               client_id='id', client_secret='secret', tsg_id='1', requests_per_minute=100000)
BULK_ANSWER = {'api': 'device/bulkUpdate', 'ver': 'v4.0', 'code': 1, 'message': 'OK', 'updatedDeviceNum': 5}
TOKEN_ANSWER = {'access_token': 'eyJ.x.y', 'token_type': 'Bearer', 'expires_in': 899, 'scope': 'tsg_id:1'}


@SETTINGS
@given(body=answers(BULK_ANSWER), status=STATUS)
def test_iot_bulk_update_answers(body, status):
    devicelist = [{'ipAddress': '10.0.0.1'}]
    survives(lambda session: iot.IotClient(IOT_LEGACY, session=session).bulk_update(devicelist, 'cellular'), status, body)


@SETTINGS
@given(body=answers(TOKEN_ANSWER), status=STATUS)
def test_iot_token_answers(body, status):
    survives(lambda session: iot.IotClient(IOT_SCM, session=session).bulk_update([], 'cellular'), status, body,
             (200, dumps(BULK_ANSWER)))


# ------------------------------------------------------------------ Altcraft
ALTCRAFT_PARAMS = dict(CONNECTION, api_url='https://altcraft.example', api_token='t')
COUNTERS = {'channel': 'email', 'status': {'all': 3, 'subscribed': 2}}
ALTCRAFT_CALLS = {
    'refresh_counters': ({'data': {'task_id': 'c9c3'}, 'error': 0, 'error_text': 'Successful operation'},
                         lambda client: client.refresh_counters(1, 1)),
    'task_status': ({'data': {'status': 'completed', 'progress': 100, 'result': [
        {'channels': [COUNTERS], 'list_id': 1, 'updated': '2024-04-19T13:31:08.927Z',
         'last_count_time': 'counted at 2024-04-19T13:31:08Z in 231ms'}]}, 'error': 0, 'error_text': ''},
        lambda client: altcraft.summarize(altcraft.pick_entry(
            client.wait_for_task('c9c3', 0.05, 0.01, sleep=lambda seconds: None).get('result'), 1))),
    'get_counters': ({'data': [COUNTERS], 'error': 0, 'error_text': ''},
                     lambda client: altcraft.age_unknown(altcraft.summarize(client.get_counters(1, 1)))),
}


@pytest.mark.parametrize('name', sorted(ALTCRAFT_CALLS))
@SETTINGS
@given(data=st.data(), status=STATUS)
def test_altcraft_answers(name, data, status):
    well_formed, call = ALTCRAFT_CALLS[name]
    body = data.draw(answers(well_formed))
    survives(lambda session: call(altcraft.AltcraftClient(ALTCRAFT_PARAMS, session=session)), status, body)


def test_the_well_formed_answers_are_read():
    """The base shapes are right: each call succeeds on its well-formed answer (else the properties test little)."""
    for well_formed, call in WFBSS_CALLS.values():
        assert call(wfbss.WfbssClient(WFBSS_PARAMS, session=Replay([(200, dumps(well_formed))]))) is not None
    for well_formed, call in KOOPHONE_CALLS.values():
        assert call(koophone.KooPhoneClient(KOOPHONE_PARAMS, session=Replay([(200, dumps(well_formed))]))) is not None
    assert iot.IotClient(IOT_LEGACY, session=Replay([(200, dumps(BULK_ANSWER))])).bulk_update([], 'cellular') == 5
    assert iot.IotClient(IOT_SCM, session=Replay([(200, dumps(TOKEN_ANSWER)), (200, dumps(BULK_ANSWER))])).bulk_update(
        [], 'cellular') == 5
    for well_formed, call in ALTCRAFT_CALLS.values():
        assert call(altcraft.AltcraftClient(ALTCRAFT_PARAMS, session=Replay([(200, dumps(well_formed))]))) is not None


def test_altcraft_answers_the_deep_profile_found():
    """A channel whose status is no object, channels that are no list, an infinite error code: no traceback."""
    entry = {'channels': [{'channel': 'email', 'status': True}, 'sms', {'channel': ['push']}, {'channel': 'push'}]}
    assert altcraft.counters_by_channel(entry) == {'email': {}, 'push': {}}
    assert altcraft.counters_by_channel({'channels': 7}) == {}
    assert altcraft.parse_error(200, {'error': float('inf'), 'error_text': 'x'}).code == float('inf')
