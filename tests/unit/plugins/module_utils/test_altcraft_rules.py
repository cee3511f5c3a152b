# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Altcraft client's rules, answer by answer (what the mutation run showed the other tests leave open): the
bodies it sends, which answers are failures and of which kind, what an unusable answer says and whether its outcome
is unknown, which calls are retried, and the task failure messages."""

from __future__ import annotations

import json

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import altcraft
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed

TOKEN = 'altcraft-test-token'
# databases/get-counters, guides.altcraft.com v74: a list of channels.
CHANNELS = [{'channel': 'email', 'status': {'all': 10, 'subscribed': 7}}]


class Session(object):
    """Answers each request with the next (status, body) and keeps what was sent: (method, url, JSON body)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def request(self, method, url, data=None, **kwargs):  # pylint: disable=unused-argument
        self.sent.append((method, url, json.loads(data)))
        status, body = self.answers.pop(0)
        return Answer(status, body)

    def close(self):
        pass


class Answer(object):
    def __init__(self, status, body):
        self.status_code = status
        self.headers = {'Content-Type': 'application/json'}
        self.content = json.dumps(body).encode('utf-8')


def client(session, retries=0):
    return altcraft.AltcraftClient(dict(api_url='https://altcraft.example', api_token=TOKEN, validate_certs=True,
                                        ca_path=None, timeout=5, retries=retries, retry_backoff=0,
                                        rate_limit_timeout=0), session=session)


def failure(call):
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize('status, data, kind', [
    (401, {'error': 400, 'error_text': 'Incorrect request'}, 'auth'),  # the HTTP status alone says: credentials
    (403, {'error': 500}, 'auth'),
    (402, {'error': 400}, 'api'),
    (404, {'error': 400}, 'api'),
])
def test_an_http_401_or_403_is_a_credential_failure_whatever_the_body_code(status, data, kind):
    assert altcraft.parse_error(status, data).kind == kind


@pytest.mark.parametrize('status, data, expected', [
    (400, None, (None, None, None)),
    (400, {'data': {}}, (None, None, None)),
    (401, 'not an object', (None, None, None)),
    (399, None, None),
])
def test_an_error_status_without_an_altcraft_error_field_is_a_failure(status, data, expected):
    assert altcraft.parse_error(status, data) == expected


def test_refresh_sends_the_token_the_target_and_the_json_feedback_in_the_body():
    session = Session((200, {'error': 0, 'data': {'task_id': 't1'}}))
    assert client(session).refresh_counters(2, 1, feedback_url='https://hooks.example/counted') == {'task_id': 't1'}
    assert session.sent == [('POST', 'https://altcraft.example/api/v1.1/resources/refresh_counters', {
        'token': TOKEN, 'id': 2, 'list_id': 1, 'feedback': {'type': 'JSON', 'url': 'https://hooks.example/counted'}})]


def test_get_counters_sends_the_resource_and_the_list_and_reads_the_channel_list():
    session = Session((200, {'error': 0, 'data': CHANNELS}))
    entry = client(session).get_counters(3, 4)
    assert altcraft.counters_by_channel(entry) == {'email': {'all': 10, 'subscribed': 7}}
    assert session.sent == [('POST', 'https://altcraft.example/api/v1.1/resources/get_counters',
                             {'token': TOKEN, 'id': 3, 'list_id': 4})]


def test_get_counters_without_data_is_no_entry():
    assert client(Session((200, {'error': 0}))).get_counters(3, 4) is None


def test_get_counters_is_a_read_and_is_retried_after_a_500():
    session = Session((500, {'error': 500}), (200, {'error': 0, 'data': CHANNELS}))
    assert altcraft.counters_by_channel(client(session, retries=1).get_counters(3, 4))['email']['all'] == 10
    assert len(session.sent) == 2


def test_get_counters_data_that_is_neither_a_list_nor_an_object_is_malformed():
    error = failure(lambda: client(Session((200, {'error': 0, 'data': 'soon'}))).get_counters(3, 4))
    assert str(error) == 'POST /api/v1.1/resources/get_counters: unexpected answer: data is neither a list nor an object'
    assert (error.kind, error.outcome_unknown) == ('malformed', False)


@pytest.mark.parametrize('call, path, outcome_unknown', [
    (lambda api: api.refresh_counters(1, 1), '/api/v1.1/resources/refresh_counters', True),  # a write: maybe applied
    (lambda api: api.task_status('t1'), '/api/v1.1/tasks/status', False),
    (lambda api: api.get_counters(1, 1), '/api/v1.1/resources/get_counters', False),
])
def test_an_answer_without_the_error_field_is_malformed(call, path, outcome_unknown):
    error = failure(lambda: call(client(Session((200, {'data': {'task_id': 't1', 'status': 'completed'}})))))
    assert error.message == 'HTTP 200 without the Altcraft "error" field'
    assert str(error).startswith('POST %s: ' % path)
    reported = error.to_dict()
    assert dict((key, reported[key]) for key in ('method', 'path', 'status', 'outcome_unknown', 'kind')) == dict(
        method='POST', path=path, status=200, outcome_unknown=outcome_unknown, kind='malformed')


def test_a_started_refresh_without_a_task_id_is_malformed_and_may_have_been_applied():
    error = failure(lambda: client(Session((200, {'error': 0, 'data': {}}))).refresh_counters(1, 1))
    assert error.message == 'unexpected answer: no data.task_id'
    assert (error.path, error.kind, error.outcome_unknown) == ('/api/v1.1/resources/refresh_counters', 'malformed', True)


def test_a_task_status_that_is_not_an_object_is_malformed():
    error = failure(lambda: client(Session((200, {'error': 0, 'data': ['completed']}))).task_status('t1'))
    assert str(error) == 'POST /api/v1.1/tasks/status: unexpected answer: data is not an object'
    assert (error.kind, error.outcome_unknown) == ('malformed', False)


def waited(session, timeout):
    ticks = iter(range(0, 1000, 5))
    with pytest.raises(TaskFailed) as caught:
        client(session).wait_for_task('t-9', timeout=timeout, interval=5, sleep=lambda seconds: None,
                                      clock=lambda: next(ticks))
    return caught.value


def test_a_task_that_does_not_complete_in_time_says_so_with_its_last_state():
    running = (200, {'error': 0, 'data': {'status': 'processing', 'progress': 40}})
    error = waited(Session(running, running, running, running), timeout=12)
    assert str(error) == "task t-9 did not complete within 12 seconds (last status 'processing', progress 40)"
    assert error.timed_out is True


def test_a_task_that_failed_says_so_with_its_error_text():
    error = waited(Session((200, {'error': 0, 'data': {'status': 'error', 'progress': 10, 'error_text': 'boom'}})),
                   timeout=60)
    assert str(error) == "task t-9 failed (last status 'error', progress 10, error_text 'boom')"
    assert error.timed_out is False
