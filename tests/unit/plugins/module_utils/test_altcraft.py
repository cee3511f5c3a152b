# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Altcraft adapter: pure helpers with pinned vectors, and the client against the simulator."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import altcraft
from ansible_collections.fleetops.maintenance.plugins.module_utils import altcraft_options as options
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

TOKEN = CREDENTIALS.altcraft_token

# The completed task's result entry from the vendor page (resources-refresh-counters.txt), email and sms.
VENDOR_ENTRY = {
    'channels': [
        {'channel': 'sms', 'status': {'all': 1336, 'complained': 0, 'hardbounced': 0, 'invalid': 0, 'subscribed': 0,
                                      'subscribed_sendable': 0, 'suspended': 0, 'unconfirmed': 0,
                                      'unconfirmed_sendable': 0, 'unsubscribed': 0}},
        {'channel': 'email', 'status': {'all': 1336, 'complained': 0, 'hardbounced': 434, 'invalid': 0,
                                        'subscribed': 842, 'subscribed_sendable': 842, 'suspended': 0,
                                        'unconfirmed': 0, 'unconfirmed_sendable': 0, 'unsubscribed': 60}},
    ],
    'in_progress': False,
    'last_count_time': 'counted at 2024-04-19T13:31:08Z in 231.374251ms',
    'list_id': 1,
    'refresh_task_id': '',
    'updated': '2024-04-19T13:31:08.927Z',
}
VENDOR_UPDATED = 1713533468.927  # 2024-04-19T13:31:08.927Z


@pytest.mark.parametrize('value, seconds', [
    (3600, 3600), ('3600', 3600), ('90s', 90), ('30m', 1800), ('12h', 43200), ('1d', 86400),
    ('2w', 1209600), ('1h30m', 5400), (' 1.5h ', 5400), ('30M', 1800), (2.5, 2.5),
])
def test_parse_duration_accepts_seconds_and_units(value, seconds):
    assert options.parse_duration(value) == seconds


@pytest.mark.parametrize('value', ['', 'soon', '10x', '-5', '0', '0m', 0, -1, True, '1 day', 'h', '5m later'])
def test_parse_duration_rejects_everything_else(value):
    with pytest.raises(ValueError):
        options.parse_duration(value)


@pytest.mark.parametrize('text, seconds', [
    ('2024-04-19T13:31:08.927Z', VENDOR_UPDATED),
    ('counted at 2024-04-19T13:31:08Z in 231.374251ms', 1713533468),
    ('2024-04-19T15:31:08+02:00', 1713533468),
    ('2024-04-19T10:01:08-0330', 1713533468),
    ('2024-04-19 13:31:08', 1713533468),
])
def test_parse_time_vectors(text, seconds):
    assert altcraft.parse_time(text) == pytest.approx(seconds, abs=1e-6)


@pytest.mark.parametrize('text', [None, '', 'never', '2024-13-45T99:99:99Z'])
def test_parse_time_without_a_time_is_none(text):
    assert altcraft.parse_time(text) is None


def test_counted_at_prefers_updated_then_last_count_time():
    assert altcraft.counted_at(VENDOR_ENTRY) == pytest.approx(VENDOR_UPDATED)
    assert altcraft.counted_at(dict(VENDOR_ENTRY, updated='')) == 1713533468
    assert altcraft.counted_at(dict(VENDOR_ENTRY, updated='', last_count_time='')) is None
    assert altcraft.counted_at(None) is None


def test_counters_by_channel_keeps_every_channel_and_counter():
    counters = altcraft.counters_by_channel(VENDOR_ENTRY)
    assert sorted(counters) == ['email', 'sms']
    assert counters['email']['subscribed'] == 842
    assert counters['email']['hardbounced'] == 434
    assert len(counters['sms']) == 10
    assert altcraft.counters_by_channel({'channels': [{'status': {}}, 'junk']}) == {}


def test_pick_entry_matches_list_id_and_accepts_one_object():
    other = dict(VENDOR_ENTRY, list_id=2)
    assert altcraft.pick_entry([other, VENDOR_ENTRY], 1) is VENDOR_ENTRY
    assert altcraft.pick_entry([other], 1) is other  # a single answer is taken whatever its list_id
    assert altcraft.pick_entry(VENDOR_ENTRY, 1) is VENDOR_ENTRY
    assert altcraft.pick_entry([], 1) is None
    assert altcraft.pick_entry(None, 1) is None


# databases/get-counters, guides.altcraft.com v74 (segments/get-counters has the same shape): a channel list.
DOCUMENTED_COUNTERS = [
    {'channel': 'email', 'status': {'all': 1336, 'subscribed': 925, 'unsubscribed': 0, 'complained': 0,
                                    'hardbounced': 411, 'unconfirmed': 0, 'suspended': 0, 'invalid': 0,
                                    'subscribed_sendable': 925, 'unconfirmed_sendable': 0}},
    {'channel': 'sms', 'status': {'all': 1336, 'subscribed': 0, 'unsubscribed': 0, 'complained': 0, 'hardbounced': 0,
                                  'unconfirmed': 0, 'suspended': 0, 'invalid': 0, 'subscribed_sendable': 0,
                                  'unconfirmed_sendable': 0}},
]


def test_counters_entry_reads_the_documented_channel_list():
    summary = altcraft.summarize(altcraft.counters_entry(DOCUMENTED_COUNTERS, 1))
    assert summary['counters']['email']['subscribed'] == 925 and summary['counters']['sms']['all'] == 1336
    assert summary['age_seconds'] is None and summary['updated'] is None and summary['last_count_time'] is None
    assert altcraft.age_unknown(summary) is True


def test_counters_entry_still_reads_a_task_result_entry():
    assert altcraft.counters_entry([VENDOR_ENTRY], 1) is VENDOR_ENTRY
    summary = altcraft.summarize(altcraft.counters_entry([VENDOR_ENTRY], 1), now=VENDOR_UPDATED + 60)
    assert summary['age_seconds'] == pytest.approx(60) and altcraft.age_unknown(summary) is False
    assert altcraft.counters_entry([], 1) is None and altcraft.counters_entry(None, 1) is None
    assert altcraft.age_unknown(altcraft.summarize(None)) is False  # never counted is not "age unknown"


def test_summarize_vendor_example():
    summary = altcraft.summarize(VENDOR_ENTRY, now=VENDOR_UPDATED + 60)
    assert summary == dict(
        counters=altcraft.counters_by_channel(VENDOR_ENTRY),
        last_count_time='counted at 2024-04-19T13:31:08Z in 231.374251ms',
        updated='2024-04-19T13:31:08.927Z',
        in_progress=False,
        age_seconds=60.0,
    )
    assert altcraft.summarize(None)['age_seconds'] is None
    assert altcraft.summarize(None)['counters'] == {}


@pytest.mark.parametrize('status, outcome', [
    ('completed', 'done'), ('Completed', 'done'), ('error', 'failed'), ('failed', 'failed'),
    ('failure', 'failed'), ('cancelled', 'failed'), ('queued', 'running'), ('processing', 'running'),
    ('', 'running'), (None, 'running'), ('something-new', 'running'),
])
def test_task_outcome(status, outcome):
    assert altcraft.task_outcome({'status': status, 'progress': 0}) == outcome


@pytest.mark.parametrize('status, data, expected', [
    (200, {'data': {}, 'error': 0, 'error_text': 'Successful operation'}, None),
    (200, {'error': '0'}, None),
    (200, {'error': 400, 'error_text': 'Incorrect request'}, (400, 'Incorrect request', 'api')),
    (200, {'error': 402, 'error_text': 'Tariff limit reached'}, (402, 'Tariff limit reached', 'api')),
    (200, {'error': 401, 'error_text': 'API token required'}, (401, 'API token required', 'auth')),
    (200, {'error': '403', 'error_text': 'No access rights'}, ('403', 'No access rights', 'auth')),
    (401, {'error': 401, 'error_text': 'API token required'}, (401, 'API token required', 'auth')),
    (400, {'error': 0, 'error_text': 'odd'}, (0, 'odd', 'api')),
    (500, None, (None, None, None)),
    (200, {'data': {}}, None),
])
def test_parse_error(status, data, expected):
    assert altcraft.parse_error(status, data) == expected


def test_target_check_names_the_parameter():
    options.check_target(dict(resource_id=1, list_id=1))
    with pytest.raises(InvalidInput, match='resource_id must be a positive integer'):
        options.check_target(dict(resource_id=0, list_id=1))
    with pytest.raises(InvalidInput, match='list_id must be a positive integer'):
        options.check_target(dict(resource_id=3, list_id=-2))


def test_argument_spec_reads_the_environment_and_hides_the_token():
    spec = options.ALTCRAFT_ARGUMENT_SPEC
    assert spec['api_token']['no_log'] is True
    assert spec['api_url']['fallback'][1] == ['ALTCRAFT_API_URL']
    assert spec['api_token']['fallback'][1] == ['ALTCRAFT_API_TOKEN']


# ------------------------------------------------------------------ the client over loopback

def make_client(simulator, token=TOKEN, retries=0):
    return altcraft.AltcraftClient(dict(api_url=simulator.url, api_token=token, validate_certs=True, ca_path=None,
                                        timeout=10, retries=retries, retry_backoff=0, rate_limit_timeout=10))


def test_client_refresh_and_status_are_posts_without_the_token_in_the_url(simulator):
    simulator.configure(altcraft_task_seconds=0)
    client = make_client(simulator)
    task = client.refresh_counters(2, 1)
    state = client.task_status(task['task_id'])
    assert state['status'] == 'completed'
    log = simulator.requests
    assert [(r['method'], r['path'], r['query']) for r in log] == [
        ('POST', '/api/v1.1/resources/refresh_counters', ''),
        ('POST', '/api/v1.1/tasks/status', ''),
    ]
    assert simulator.state('altcraft')['tasks'][task['task_id']]['resource_id'] == 2


def test_client_sends_feedback_only_with_a_url(simulator):
    simulator.configure(altcraft_task_seconds=60)
    client = make_client(simulator)
    with_url = client.refresh_counters(1, 2, feedback_url='http://127.0.0.1:9/receiver', feedback_type='JSON')
    without = client.refresh_counters(1, 2)
    tasks = simulator.state('altcraft')['tasks']
    assert tasks[with_url['task_id']]['feedback_url'] == 'http://127.0.0.1:9/receiver'
    assert tasks[without['task_id']]['feedback_url'] is None


def test_client_error_in_a_200_is_an_auth_failure_without_the_token(simulator):
    client = make_client(simulator, token='wrong-token-value')
    with pytest.raises(ApiError) as caught:
        client.get_counters(1, 1)
    error = caught.value
    assert (error.status, error.vendor_code, error.kind) == (200, 401, 'auth')
    assert 'API token required' in str(error) and 'api_token' in str(error)
    assert 'wrong-token-value' not in str(error)
    assert 'wrong-token-value' not in repr(error.to_dict())


def test_client_refresh_is_not_replayed_after_a_500(simulator):
    simulator.inject(vendor='altcraft', path_contains='refresh_counters', action='status', status=500)
    client = make_client(simulator, retries=3)
    with pytest.raises(ApiError) as caught:
        client.refresh_counters(1, 1)
    assert caught.value.outcome_unknown is True
    assert len(simulator.requests) == 1


def test_client_status_read_is_retried_after_a_500(simulator):
    simulator.configure(altcraft_task_seconds=0)
    client = make_client(simulator, retries=2)
    task = client.refresh_counters(1, 1)
    simulator.inject(vendor='altcraft', path_contains='tasks/status', action='status', status=500)
    assert client.task_status(task['task_id'])['status'] == 'completed'
    assert [r['status'] for r in simulator.requests] == [200, 500, 200]


@pytest.mark.parametrize('action', ['malformed', 'empty'])
def test_client_malformed_answers_are_clear(simulator, action):
    simulator.inject(vendor='altcraft', path_contains='get_counters', action=action)
    with pytest.raises(ApiError) as caught:
        make_client(simulator).get_counters(1, 1)
    assert caught.value.kind == 'malformed'
    assert caught.value.path == '/api/v1.1/resources/get_counters'


def test_client_success_without_a_task_id_is_malformed(simulator):
    simulator.inject(vendor='altcraft', path_contains='refresh_counters', action='vendor_error', error_code=0)
    # A 200 with {"error": 0} but no data.task_id is not a started task.
    with pytest.raises(ApiError) as caught:
        make_client(simulator).refresh_counters(1, 1)
    assert caught.value.kind == 'malformed'
    assert 'task_id' in str(caught.value)


def test_wait_for_task_reports_the_last_state_on_timeout():
    class FakeClient(altcraft.AltcraftClient):
        def __init__(self):  # pylint: disable=super-init-not-called
            self.calls = 0

        def task_status(self, task_id):
            self.calls += 1
            return {'status': 'processing', 'progress': 40, 'result': []}

    ticks = iter(range(0, 1000, 5))
    client = FakeClient()
    with pytest.raises(TaskFailed) as caught:
        client.wait_for_task('t-1', timeout=12, interval=5, sleep=lambda s: None, clock=lambda: next(ticks))
    assert caught.value.timed_out is True
    assert caught.value.task_id == 't-1'
    assert "'processing'" in str(caught.value) and '40' in str(caught.value)
    assert client.calls == 3


def test_wait_for_task_fails_on_an_error_status():
    class FakeClient(altcraft.AltcraftClient):
        def __init__(self):  # pylint: disable=super-init-not-called
            self.states = iter([{'status': 'queued', 'progress': 0},
                                {'status': 'failed', 'progress': 10, 'error_text': 'boom'}])

        def task_status(self, task_id):
            return next(self.states)

    with pytest.raises(TaskFailed) as caught:
        FakeClient().wait_for_task('t-2', timeout=60, interval=1, sleep=lambda s: None)
    assert caught.value.timed_out is False
    assert caught.value.last_state['status'] == 'failed'
    assert 'task t-2 failed' in str(caught.value) and 'boom' in str(caught.value)
