# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pure tests of the WFBS-SVC adapter: pinned signatures, the request it sends, error parsing, report forms."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import uuid

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import wfbss
from ansible_collections.fleetops.maintenance.plugins.module_utils import wfbss_options as options
from ansible_collections.fleetops.maintenance.plugins.module_utils import wfbss_reports as reports
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError

SECRET = 'sim-wfbss-secret'
CID = '640FE47F-5118-4D79-8221-A35D0DE2EE2C'
BASE = '/SMPI/v2.8/service/wfbss/api'

# Test vectors computed once with the openssl CLI, independently of the implementation:
#   hm() { printf '%s' "$1" | openssl dgst -sha256 -hmac 'sim-wfbss-secret' -binary | base64; }
#   hm '1700000000POST/SMPI/v2.8/service/wfbss/api/commands/reset?type=counter&cids=640FE47F-...'
#   MD5=$(printf '%s' "$BODY" | openssl dgst -md5 -binary | base64)    # BODY written in UTF-8
#   hm "1700000000POST/SMPI/v2.8/service/wfbss/api/report?cids=640FE47F-...$MD5"
RESET_URI = BASE + '/commands/reset?type=counter&cids=' + CID
RESET_SIGNATURE = 'PyuKjzhlNIji3UjqeceH3sjoYmO+8m+J5uM/3enaxhU='
LIST_URI = BASE + '/report?cids=' + CID + '&name=weekly%20report'
LIST_SIGNATURE = 'k9qd6nbT+953VA6lmR0/Lsp21Gua4uMhZmL6Wi1RUs0='
BODY = (u'{"type":3,"setting":{"name":"Rapport hebdo \u00e9 \u00fc","enabled":1,'
        u'"parameter":{"time":28800,"email":0,"contents":[{"tbl_type":100}],"weekday":1}}}').encode('utf-8')
BODY_MD5 = 'FHMN2ABfaFRrhtJPSFF/Xw=='
CREATE_URI = BASE + '/report?cids=' + CID
CREATE_SIGNATURE = '8ZKO+dkD/9c0sxIXrKjH8+ekVeXspN1IqouNoJDeyD4='


def test_signature_bodyless_post():
    assert wfbss.signature(SECRET, '1700000000', 'POST', RESET_URI, b'') == RESET_SIGNATURE
    assert wfbss.signature(SECRET, 1700000000, 'post', RESET_URI) == RESET_SIGNATURE


def test_signature_get_with_encoded_query():
    assert wfbss.signature(SECRET, '1700000000', 'GET', LIST_URI, b'') == LIST_SIGNATURE
    # the encoded form is signed, never the decoded one
    assert wfbss.signature(SECRET, '1700000000', 'GET', LIST_URI.replace('%20', ' '), b'') != LIST_SIGNATURE


def test_signature_non_ascii_body():
    assert wfbss.signature(SECRET, '1700000000', 'POST', CREATE_URI, BODY) == CREATE_SIGNATURE
    assert wfbss.signature(SECRET, '1700000000', 'POST', CREATE_URI + BODY_MD5, b'') == CREATE_SIGNATURE


def test_auth_headers_fresh_per_call():
    ids = iter([uuid.UUID(int=1), uuid.UUID(int=2)])
    first = wfbss.auth_headers('token', SECRET, 'POST', RESET_URI, b'', now=lambda: 1700000000.9, trace_id=lambda: next(ids))
    assert first == {'x-access-token': 'token', 'x-posix-time': '1700000000',
                     'x-traceid': '00000000-0000-0000-0000-000000000001', 'x-signature': RESET_SIGNATURE}
    second = wfbss.auth_headers('token', SECRET, 'POST', RESET_URI, b'', now=lambda: 1700000001, trace_id=lambda: next(ids))
    assert second['x-posix-time'] == '1700000001'
    assert second['x-traceid'].endswith('2')
    assert second['x-signature'] != RESET_SIGNATURE


class FakeResponse(object):
    def __init__(self, status, body):
        self.status_code = status
        self.headers = {'Content-Type': 'application/json'}
        self.content = json.dumps(body).encode('utf-8') if not isinstance(body, bytes) else body


class FakeSession(object):
    """Records what the client sends and answers from a list."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []
        self.headers = {}
        self.verify = True

    def request(self, method, url, data=None, headers=None, **kwargs):
        self.sent.append(dict(method=method, url=url, data=data, headers=dict(headers), verify=kwargs.get('verify')))
        return self.answers.pop(0)

    def close(self):
        pass


def api(session, **overrides):
    params = dict(api_url='https://cspi.example/', api_version='v2.8', access_token='token', secret_key=SECRET,
                  validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=0, rate_limit_timeout=0)
    params.update(overrides)
    return wfbss.WfbssClient(params, session=session, now=lambda: 1700000000)


def test_reset_sends_the_signed_bodyless_post():
    session = FakeSession(FakeResponse(200, {'task': {'status': 'PENDING', 'id': 'T1'}}))
    assert api(session).reset([CID], 'counter') == {'id': 'T1', 'status': 'PENDING'}
    sent = session.sent[0]
    assert sent['method'] == 'POST'
    assert sent['url'] == 'https://cspi.example' + RESET_URI
    assert sent['data'] is None
    assert sent['verify'] is True
    assert sent['headers']['x-signature'] == RESET_SIGNATURE
    assert sent['headers']['x-access-token'] == 'token'
    assert SECRET not in json.dumps(sent['headers'])


def test_every_request_carries_the_compulsory_content_type():
    """Trend lists content-type among the compulsory headers; its clients send exactly application/json, on GET and
    bodiless POST too."""
    session = FakeSession(FakeResponse(200, {'task': {'status': 'PENDING', 'id': 'T1'}}),
                          FakeResponse(200, {'customers': []}))
    client = api(session)
    client.reset([CID], 'counter')
    client.list_reports([CID])
    assert [sent['headers'].get('Content-Type') for sent in session.sent] == ['application/json'] * 2


def test_reset_events_are_comma_separated():
    session = FakeSession(FakeResponse(200, {'task': {'status': 'PENDING', 'id': 'T1'}}))
    api(session).reset([CID, CID.lower()], 'livestatus', ['virus_incidents', 'wtp_incidents'])
    assert session.sent[0]['url'].endswith('/commands/reset?type=livestatus&events=virus_incidents,wtp_incidents'
                                           '&cids=%s,%s' % (CID, CID.lower()))


def test_list_reports_signs_the_encoded_query():
    session = FakeSession(FakeResponse(200, {'customers': [{'id': CID, 'reports': []}]}))
    assert api(session).list_reports([CID], name='weekly report') == [{'id': CID, 'reports': []}]
    assert session.sent[0]['url'] == 'https://cspi.example' + LIST_URI
    assert session.sent[0]['headers']['x-signature'] == LIST_SIGNATURE


def test_create_report_signs_the_utf8_body_sent():
    session = FakeSession(FakeResponse(200, {'customers': [{'id': CID, 'rtid': 1, 'result': 'Done', 'message': ''}]}))
    body = reports.report_body(u'Rapport hebdo \u00e9 \u00fc', 'weekly', True, 28800, weekday='monday', contents=[100])
    api(session).create_report([CID], body)
    sent = session.sent[0]
    assert sent['data'] == BODY
    assert sent['headers']['Content-Type'] == 'application/json'
    assert sent['headers']['x-signature'] == CREATE_SIGNATURE


def test_auth_failure_names_credentials_and_clock():
    session = FakeSession(FakeResponse(401, {'error': 'invalid signature'}))
    with pytest.raises(ApiError) as caught:
        api(session).reset([CID], 'counter')
    error = caught.value
    assert error.kind == 'auth' and error.status == 401
    assert 'invalid signature' in str(error)
    assert 'access_token' in str(error) and 'secret_key' in str(error) and 'clock' in str(error)
    assert SECRET not in str(error)
    assert error.request_id == session.sent[0]['headers']['x-traceid']


def test_error_inside_http_200_fails():
    session = FakeSession(FakeResponse(200, {'error': 'E42', 'message': 'quota exceeded'}))
    with pytest.raises(ApiError) as caught:
        api(session).list_reports([CID])
    assert caught.value.vendor_code == 'E42' and caught.value.vendor_message == 'quota exceeded'


def test_missing_task_is_malformed():
    session = FakeSession(FakeResponse(200, {'status': 'ok'}))
    with pytest.raises(ApiError) as caught:
        api(session).reset([CID], 'counter')
    assert caught.value.kind == 'malformed'


@pytest.mark.parametrize('status, data, expected', [
    (200, {'customers': []}, None),
    (200, {'error': 0, 'customers': []}, None),
    (400, {'error': 'cids must hold 1 to 10'}, (None, 'cids must hold 1 to 10', None)),
    (500, None, (None, None, None)),
    (403, {'error': {'code': 'X', 'message': 'denied'}}, ('X', 'denied', None)),
])
def test_parse_error(status, data, expected):
    assert wfbss.parse_error(status, data) == expected


def test_unique_customer_ids():
    assert options.unique_customer_ids([CID, CID.lower(), ' ' + CID]) == [CID]
    with pytest.raises(InvalidInput) as caught:
        options.unique_customer_ids([CID, 'not-a-guid'])
    assert "customer_ids[1] (item 2)" in str(caught.value) and "'not-a-guid'" in str(caught.value)
    with pytest.raises(InvalidInput, match='at least one'):
        options.unique_customer_ids([])


def test_check_connection_api_version():
    options.check_connection(dict(api_version='v2.8'))
    with pytest.raises(InvalidInput, match='api_version'):
        options.check_connection(dict(api_version='v2.8/../x'))


@pytest.mark.parametrize('name, ok', [('weekly report', True), ('', False), ('   ', False), ('a/b', False),
                                      ('a|b', False), ('x"y', False), (u'Rapport \u00e9', True)])
def test_report_name(name, ok):
    if ok:
        assert options.report_name(name) == name
    else:
        with pytest.raises(InvalidInput, match='name must not'):
            options.report_name(name)


def test_time_round_trip():
    assert options.time_of_day('08:00') == 28800
    assert options.time_of_day('23:59') == 86340
    assert options.time_of_day('0:05') == 300
    for text in ('24:00', '8', '08:60'):
        with pytest.raises(InvalidInput, match='time must be HH:MM'):
            options.time_of_day(text)
    assert reports.format_time(28800) == '08:00' and reports.format_time(11100) == '03:05'
    assert reports.format_time(86399) == '23:59:59'


def test_content_codes():
    assert len(reports.CONTENTS) == 15
    assert options.content_codes(['virus_summary', '101', 101, 'TOP_SERVERS_VIRUS']) == [100, 101, 102]
    with pytest.raises(InvalidInput) as caught:
        options.content_codes(['virus_summary', 'bogus'])
    assert 'contents[1]' in str(caught.value) and 'virus_summary' in str(caught.value)
    with pytest.raises(InvalidInput):
        options.content_codes(['999'])


def test_report_body_monthly_with_recipients():
    body = reports.report_body('monthly_report', 'monthly', True, 28800, monthday=5, recipients=['user1@example.com'],
                               group_ids=[1, 2], contents=[100, 101])
    assert body == {'type': 4, 'setting': {'name': 'monthly_report', 'enabled': 1, 'parameter': {
        'time': 28800, 'email': 1, 'contents': [{'tbl_type': 100}, {'tbl_type': 101}], 'monthday': 5,
        'address': ['user1@example.com'], 'gids': [1, 2]}}}


def test_comparable_ignores_order_and_case():
    wanted = reports.report_body('r', 'weekly', True, 28800, weekday='monday', recipients=['A@x.org', 'b@x.org'],
                                 group_ids=[2, 1], contents=[101, 100])
    existing = {'rtid': 3, 'type': 3, 'number': 4, 'setting': {'name': 'r', 'enabled': 1, 'parameter': {
        'time': 28800, 'weekday': 1, 'email': 1, 'address': ['b@x.org', 'a@x.org'], 'gids': [1, 2],
        'contents': [{'tbl_type': 100}, {'tbl_type': 101}]}}}
    assert reports.differences(existing, wanted) == []
    existing['setting']['parameter']['time'] = 3600
    existing['setting']['parameter']['contents'] = [{'tbl_type': 100}]
    assert reports.differences(existing, wanted) == ['contents', 'time']


def test_readable_report():
    report = {'rtid': 1, 'type': 3, 'number': 0, 'setting': {'name': 'weekly report', 'enabled': 1, 'parameter': {
        'time': 11100, 'gids': [2], 'email': 1, 'weekday': 1, 'address': ['a@x.org'],
        'contents': [{'tbl_type': 100}, {'tbl_type': 999}]}}}
    assert reports.readable_report(report) == dict(
        rtid=1, name='weekly report', schedule='weekly', weekday='monday', monthday=None, time='03:05', enabled=True,
        recipients=['a@x.org'], group_ids=[2], contents=['virus_summary', 999], history_count=0)
