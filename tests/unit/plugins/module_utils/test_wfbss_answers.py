# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the WFBS-SVC client reads errors and unusable answers, case by case (what the mutation run showed the other
tests leave open): which statuses and ``error`` values are failures, where the message comes from, what a
malformed reset answer says, and the base URL built from any api_url."""

from __future__ import annotations

import json

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import wfbss
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError

CID = '640FE47F-5118-4D79-8221-A35D0DE2EE2C'


@pytest.mark.parametrize('status, data, expected', [
    (399, {}, None),
    (400, {}, (None, None, None)),
    (400, {'error': ''}, (None, None, None)),
    (200, {'error': ''}, None),
    (200, {'error': '0'}, None),
    (200, {'error': False}, None),
    (200, {'error': 1}, (None, 1, None)),
    (200, {'error': True}, (None, True, None)),
    (200, {'error': 'E1', 'msg': 'from msg'}, ('E1', 'from msg', None)),
    (400, {'msg': 'bad cids'}, (None, 'bad cids', None)),
    (403, {'error': {'code': 'X', 'msg': 'denied'}}, ('X', 'denied', None)),
])
def test_parse_error(status, data, expected):
    assert wfbss.parse_error(status, data) == expected


class Session(object):
    def __init__(self, body):
        self.body = body
        self.urls = []

    def request(self, method, url, **kwargs):  # pylint: disable=unused-argument
        self.urls.append(url)
        return Answer(self.body)

    def close(self):
        pass


class Answer(object):
    def __init__(self, body):
        self.status_code = 200
        self.headers = {'Content-Type': 'application/json'}
        self.content = json.dumps(body).encode('utf-8')


def client(session, api_url='https://cspi.example/'):
    return wfbss.WfbssClient(dict(api_url=api_url, api_version='v2.8', access_token='t', secret_key='s',
                                  validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=0,
                                  rate_limit_timeout=0), session=session, now=lambda: 1700000000)


def test_a_reset_answer_without_a_task_is_a_malformed_post_of_unknown_outcome():
    with pytest.raises(ApiError) as caught:
        client(Session({'status': 'ok'})).reset([CID], 'counter')
    error = caught.value
    assert (error.method, error.path, error.kind, error.outcome_unknown) == ('POST', '/commands/reset', 'malformed', True)
    assert str(error).startswith('POST /commands/reset: HTTP 200 but no task.id in the answer')


@pytest.mark.parametrize('api_url', ['https://cspi.example', 'https://cspi.example/', 'https://cspi.example//',
                                     'https://CSPI.EXAMPLE.X/'])
def test_the_base_url_loses_only_its_trailing_slashes(api_url):
    session = Session({'task': {'id': 'T1', 'status': 'PENDING'}})
    client(session, api_url).reset([CID], 'counter')
    assert session.urls[0].startswith(api_url.rstrip('/') + '/SMPI/v2.8/service/wfbss/api/commands/reset?')


def test_auth_headers_default_to_an_empty_body():
    """No body: no MD5 part in the signature (Trend's sample appends it only for a non-empty body)."""
    headers = wfbss.auth_headers('t', 's', 'GET', '/SMPI/v2.8/service/wfbss/api/report?cids=%s' % CID,
                                 now=lambda: 1363797148, trace_id=lambda: 'trace')
    assert headers['x-signature'] == wfbss.signature('s', '1363797148', 'GET', '/SMPI/v2.8/service/wfbss/api/report?cids=%s' % CID)
