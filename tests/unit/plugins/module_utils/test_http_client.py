# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared client over real HTTP on loopback: retries, 429 waits, idempotency, errors."""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time

import pytest
from werkzeug.wrappers import Response as WerkzeugResponse

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import (
    ApiClient,
    ApiError,
    RetryPolicy,
    VendorError,
    build_query,
    parse_retry_after,
)

pytest.importorskip('pytest_httpserver')


class Script:
    """Answers requests with a scripted sequence of responses and records what arrived."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.seen = []

    def __call__(self, request):
        self.seen.append(dict(method=request.method, uri=request.full_path.rstrip('?'), body=request.get_data(),
                              headers=dict(request.headers)))
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if callable(answer):
            return answer(request)
        status, body = answer[0], answer[1]
        headers = answer[2] if len(answer) > 2 else {}
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
            headers.setdefault('Content-Type', 'application/json')
        return WerkzeugResponse(body, status=status, headers=headers)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client_for(httpserver, sleeps):
    def make(**kwargs):
        kwargs.setdefault('policy', RetryPolicy(retries=3, backoff=1.0, rate_limit_timeout=30, rand=lambda: 1.0))
        kwargs.setdefault('timeout', 5)
        return ApiClient(httpserver.url_for('/api'), sleep=sleeps.append, **kwargs)
    return make


def serve(httpserver, script, path='/api/thing'):
    httpserver.expect_request(path).respond_with_handler(script)
    return script


def test_retries_503_with_exponential_backoff_then_succeeds(httpserver, client_for, sleeps):
    script = serve(httpserver, Script((503, {'msg': 'busy'}), (503, {'msg': 'busy'}), (200, {'ok': 1})))
    response = client_for().request('POST', '/thing', json_body={'a': 1}, idempotent=True)
    assert response.data == {'ok': 1}
    assert len(script.seen) == 3
    assert sleeps == [1.0, 2.0]


def test_gives_up_after_the_retry_budget_naming_the_last_status(httpserver, client_for):
    script = serve(httpserver, Script((502, '<html>bad gateway</html>', {'Content-Type': 'text/html'})))
    with pytest.raises(ApiError) as caught:
        client_for().request('GET', '/thing')
    assert len(script.seen) == 4
    assert caught.value.status == 502
    assert 'GET /thing: HTTP 502 after 4 attempts' in str(caught.value)


@pytest.mark.parametrize('answer', [(500, {'msg': 'oops'}), (502, {'msg': 'oops'}), (503, {'msg': 'oops'}),
                                    (504, {'msg': 'oops'}),
                                    (502, '<html>bad gateway</html>', {'Content-Type': 'text/html'}),
                                    (502, {'error_code': 'APIG.0202', 'error_msg': 'Backend unavailable'})],
                         ids=['500', '502', '503', '504', '502-html', '502-apig'])
def test_a_write_that_may_have_been_applied_is_not_replayed(httpserver, client_for, answer):
    """A gateway's 502 or 503 may come after the service got the write (its upstream broke after receiving it)."""
    script = serve(httpserver, Script(answer, (200, {'ok': 1})))
    with pytest.raises(ApiError) as caught:
        client_for().request('POST', '/thing', json_body={'a': 1})
    assert len(script.seen) == 1
    assert caught.value.status == answer[0]
    assert caught.value.outcome_unknown is True
    assert 'outcome is unknown' in str(caught.value)


@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
def test_idempotent_calls_retry_500_and_504(httpserver, client_for, method):
    script = serve(httpserver, Script((500, {}), (504, {}), (200, {'done': True})))
    assert client_for().request(method, '/thing').data == {'done': True}
    assert len(script.seen) == 3


def test_a_post_marked_idempotent_is_retried(httpserver, client_for):
    script = serve(httpserver, Script((504, {}), (200, {'status': 'completed'})))
    assert client_for().request('POST', '/thing', json_body={}, idempotent=True).data == {'status': 'completed'}
    assert len(script.seen) == 2


def test_429_honours_retry_after_and_does_not_use_up_retries(httpserver, client_for, sleeps):
    limited = (429, {'code': 429, 'msg': 'Too many requests'}, {'Retry-After': '2'})
    script = serve(httpserver, Script(limited, limited, limited, limited, limited, (200, {'ok': True})))
    policy = RetryPolicy(retries=1, backoff=1.0, rate_limit_timeout=60, rand=lambda: 1.0)
    assert client_for(policy=policy).request('POST', '/thing', json_body={}).data == {'ok': True}
    assert len(script.seen) == 6
    assert sleeps == [2.0] * 5


def test_429_without_retry_after_backs_off(httpserver, client_for, sleeps):
    serve(httpserver, Script((429, {}), (429, {}), (200, {})))
    client_for().request('GET', '/thing')
    assert sleeps == [1.0, 2.0]


@pytest.mark.parametrize('headers', [{}, {'Retry-After': '0'}], ids=['no-retry-after', 'retry-after-0'])
def test_sustained_429_with_no_backoff_still_waits_and_ends(httpserver, client_for, sleeps, headers):
    """retry_backoff 0 and a 429 that says no wait: each resend waits (doubling from a floor), and the waits reach
    rate_limit_timeout, so the call ends instead of resending at once forever."""
    script = serve(httpserver, Script((429, {}, headers)))
    policy = RetryPolicy(retries=3, backoff=0, rate_limit_timeout=2, rand=lambda: 1.0)
    with pytest.raises(ApiError) as caught:
        client_for(policy=policy).request('GET', '/thing')
    assert sleeps == [0.05, 0.1, 0.2, 0.4, 0.8] and len(script.seen) == 6
    assert caught.value.kind == 'rate_limit'


def test_sustained_429_fails_after_rate_limit_timeout(httpserver, client_for, sleeps):
    serve(httpserver, Script((429, {'code': 429, 'msg': 'Too many requests'}, {'Retry-After': '10'})))
    policy = RetryPolicy(retries=3, backoff=1.0, rate_limit_timeout=25, rand=lambda: 1.0)
    with pytest.raises(ApiError) as caught:
        client_for(policy=policy).request('GET', '/thing')
    assert sleeps == [10.0, 10.0]
    assert caught.value.kind == 'rate_limit'
    assert 'rate_limit_timeout=25' in str(caught.value)


def test_retry_after_as_http_date():
    now = time.time()
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= parse_retry_after(header, now=now) <= 31
    assert parse_retry_after('7') == 7.0
    assert parse_retry_after('soon') is None
    assert parse_retry_after(None) is None


def test_read_timeout_on_a_write_is_not_replayed(httpserver, client_for):
    answered = threading.Event()

    def slow(request):
        time.sleep(0.6)
        answered.set()
        return WerkzeugResponse('{}', status=200)
    script = serve(httpserver, Script(slow))
    with pytest.raises(ApiError) as caught:
        client_for(timeout=0.2).request('POST', '/thing', json_body={'a': 1})
    answered.wait(2)  # the test server is single-threaded: let it finish before the next test
    assert len(script.seen) == 1
    assert caught.value.outcome_unknown is True
    assert caught.value.kind == 'timeout'


def test_read_timeout_on_a_read_is_retried(httpserver, client_for):
    def slow(request):
        time.sleep(0.3)  # the test server answers one request at a time: keep the retry's wait short
        return WerkzeugResponse('{}', status=200)
    script = serve(httpserver, Script(slow, (200, {'ok': 1})))
    assert client_for(timeout=0.2).request('GET', '/thing').data == {'ok': 1}
    assert len(script.seen) == 2


def _closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_connection_refused_is_retried_even_for_a_write_and_is_not_an_unknown_outcome(sleeps):
    client = ApiClient('http://127.0.0.1:%d' % _closed_port(), sleep=sleeps.append,
                       policy=RetryPolicy(retries=2, backoff=0.5, rand=lambda: 1.0))
    with pytest.raises(ApiError) as caught:
        client.request('POST', '/thing', json_body={})
    assert client.calls == 3
    assert sleeps == [0.5, 1.0]
    assert caught.value.outcome_unknown is False
    assert caught.value.kind == 'connection'


class DroppingServer:
    """Reads one request per connection and closes it without answering, ``drops`` times; then answers 200."""

    def __init__(self, drops):
        self.drops = drops
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.url = 'http://127.0.0.1:%d' % self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn = self.sock.accept()[0]
            except OSError:
                return
            with conn:
                conn.recv(65536)
                self.requests += 1
                if self.requests > self.drops:
                    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n'
                                 b'Connection: close\r\n\r\n{"ok":true}')

    def close(self):
        self.sock.close()


def test_dropped_connection_on_a_write_reports_an_unknown_outcome(sleeps):
    server = DroppingServer(drops=5)
    try:
        client = ApiClient(server.url, sleep=sleeps.append, policy=RetryPolicy(retries=3, rand=lambda: 1.0))
        with pytest.raises(ApiError) as caught:
            client.request('POST', '/thing', json_body={'a': 1})
        assert server.requests == 1
        assert caught.value.outcome_unknown is True
    finally:
        server.close()


def test_dropped_connection_on_a_read_is_retried(sleeps):
    server = DroppingServer(drops=2)
    try:
        client = ApiClient(server.url, sleep=sleeps.append, policy=RetryPolicy(retries=3, rand=lambda: 1.0))
        assert client.request('GET', '/thing').data == {'ok': True}
        assert server.requests == 3
    finally:
        server.close()


@pytest.mark.parametrize('answer, expected', [
    ((200, 'not json at all', {'Content-Type': 'text/plain'}), 'not JSON (Content-Type text/plain): not json at all'),
    ((200, '{"truncated": ', {'Content-Type': 'application/json'}), 'not JSON'),
    ((200, ''), 'empty body'),
])
def test_malformed_bodies_are_clear_failures(httpserver, client_for, answer, expected):
    serve(httpserver, Script(answer))
    with pytest.raises(ApiError) as caught:
        client_for().request('GET', '/thing')
    assert expected in str(caught.value)
    assert caught.value.kind == 'malformed'


def test_an_html_error_page_from_a_proxy_names_the_status(httpserver, client_for):
    serve(httpserver, Script((403, '<html><body>Forbidden by proxy</body></html>', {'Content-Type': 'text/html'})))
    with pytest.raises(ApiError) as caught:
        client_for(auth_hint='Check the key.').request('GET', '/thing')
    assert caught.value.status == 403
    assert caught.value.kind == 'auth'
    assert str(caught.value).startswith('GET /thing: HTTP 403. Check the key.')


def test_vendor_error_inside_http_200_is_a_failure_with_its_code(httpserver, client_for):
    def parser(status, data):
        if data.get('error_code') != '0':
            return VendorError(data.get('error_code'), data.get('error_msg'))
        return None
    serve(httpserver, Script((200, {'error_code': 'KOOPHONE.API.2004', 'error_msg': 'instance frozen'})))
    client = client_for(error_parser=parser, request_id_header='x-request-id',
                        auth=lambda method, uri, body: {'x-request-id': 'req-123'})
    with pytest.raises(ApiError) as caught:
        client.request('POST', '/thing', json_body={'instance_ids': ['a']})
    error = caught.value
    assert (error.status, error.vendor_code, error.vendor_message) == (200, 'KOOPHONE.API.2004', 'instance frozen')
    assert str(error) == 'POST /thing: HTTP 200, KOOPHONE.API.2004 instance frozen (request id req-123)'


def test_auth_signs_each_attempt_with_the_uri_and_bytes_as_sent(httpserver, client_for):
    script = serve(httpserver, Script((503, {}), (200, {})))
    signed = []

    def auth(method, request_uri, body):
        signed.append((method, request_uri, body))
        return {'x-attempt': str(len(signed))}
    client_for(auth=auth).request('POST', '/thing', params={'cids': 'A,B', 'name': 'weekly report'},
                                  json_body={'name': 'Grüße'}, idempotent=True)
    assert signed[0] == ('POST', '/api/thing?cids=A,B&name=weekly%20report', '{"name":"Grüße"}'.encode('utf-8'))
    assert len(signed) == 2
    assert [seen['uri'] for seen in script.seen] == ['/api/thing?cids=A,B&name=weekly%20report'] * 2
    assert [seen['headers']['X-Attempt'] for seen in script.seen] == ['1', '2']
    assert script.seen[0]['body'] == '{"name":"Grüße"}'.encode('utf-8')


def test_request_signer_signs_each_attempt_with_host_decoded_query_and_headers(httpserver, client_for):
    script = serve(httpserver, Script((503, {}), (200, {})))
    seen = []

    def signer(request):
        seen.append(request)
        return {'Host': request.host, 'Authorization': 'attempt %d' % len(seen)}
    client_for(request_signer=signer, auth=lambda method, uri, body: {'x-request-id': 'r1'}).request(
        'POST', '/thing', params={'name': 'weekly report/ü', 'skip': None, 'page': 2}, json_body={'a': 1},
        idempotent=True)
    assert len(seen) == 2 and seen[0] is not seen[1]
    first = seen[0]
    assert (first.method, first.host, first.path) == ('POST', '%s:%d' % (httpserver.host, httpserver.port), '/api/thing')
    assert first.params == [('name', 'weekly report/ü'), ('page', 2)]
    assert first.headers['x-request-id'] == 'r1' and first.headers['Content-Type'].startswith('application/json')
    assert first.body == b'{"a":1}'
    assert [item['headers']['Authorization'] for item in script.seen] == ['attempt 1', 'attempt 2']
    assert script.seen[0]['headers']['Host'] == first.host


def test_query_values_cannot_add_parameters_or_change_the_path(httpserver, client_for):
    script = serve(httpserver, Script((200, {})))
    client_for().request('GET', '/thing', params={'name': 'x&admin=1/../../etc?#frag'})
    assert script.seen[0]['uri'] == '/api/thing?name=x%26admin%3D1%2F..%2F..%2Fetc%3F%23frag'
    assert httpserver.log[0][0].args.to_dict() == {'name': 'x&admin=1/../../etc?#frag'}


def test_build_query_keeps_commas_and_drops_none():
    assert build_query({'type': 'counter', 'cids': 'A,B', 'events': None}) == 'type=counter&cids=A,B'


def test_verify_setting_follows_validate_certs_and_ca_path():
    client = ApiClient('https://127.0.0.1:%d' % _closed_port(), policy=RetryPolicy(retries=0))
    assert client.verify is True
    client = ApiClient('https://x.invalid', ca_path='/tmp/ca.pem')
    assert client.verify == '/tmp/ca.pem'
    client = ApiClient('https://x.invalid', validate_certs=False, ca_path='/tmp/ca.pem')
    assert client.verify is False


@pytest.fixture(scope='module')
def tls_simulator():
    from ansible_collections.fleetops.maintenance.simulator import Simulator
    sim = Simulator(tls=True)
    sim.start()
    yield sim
    sim.stop()


@pytest.mark.parametrize('env_bundle', [False, True])
def test_tls_against_a_self_signed_server(tls_simulator, monkeypatch, env_bundle):
    if env_bundle:
        # a CA bundle in the environment must not override what the options say
        import certifi
        monkeypatch.setenv('REQUESTS_CA_BUNDLE', certifi.where())
    else:
        monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
        monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    path = '/pub/v4.0/device/list'
    with pytest.raises(ApiError) as caught:
        ApiClient(tls_simulator.url, policy=RetryPolicy(retries=0)).request('GET', path)
    assert caught.value.kind == 'tls'
    assert 'ca_path' in str(caught.value)
    for options in (dict(ca_path=tls_simulator.ca_file), dict(validate_certs=False)):
        with pytest.raises(ApiError) as caught:
            ApiClient(tls_simulator.url, policy=RetryPolicy(retries=0), **options).request('GET', path)
        # the TLS handshake succeeded: the simulator itself refused the call for its missing key (403)
        assert caught.value.kind == 'auth'


LONG_QUERY = {'cids': ','.join('640FE47F-5118-4D79-8221-A35D0DE2EE%02d' % number for number in range(10))}


def test_a_self_signed_certificate_is_named_first_whatever_the_url(tls_simulator):
    """Ten customer IDs in the query used to push the cause past the point where the message is cut."""
    with pytest.raises(ApiError) as caught:
        ApiClient(tls_simulator.url, policy=RetryPolicy(retries=0)).request('GET', '/report', params=LONG_QUERY)
    text = str(caught.value)
    assert text.startswith('GET /report: certificate verify failed: self-signed certificate (set ca_path'), text
    assert 'EE09' not in text and '?' not in text  # the query is not echoed


def test_https_against_a_plain_http_port_says_the_server_does_not_speak_tls(simulator):
    url = simulator.url.replace('http://', 'https://')
    with pytest.raises(ApiError) as caught:
        ApiClient(url, policy=RetryPolicy(retries=0)).request('GET', '/report', params=LONG_QUERY)
    assert caught.value.kind == 'tls'
    text = str(caught.value)
    assert 'does not speak TLS there' in text and 'wrong scheme or port?' in text, text
    assert 'set ca_path' not in text and 'EE09' not in text


def test_a_refused_connection_says_why_without_the_url():
    port = _closed_port()
    with pytest.raises(ApiError) as caught:
        ApiClient('http://127.0.0.1:%d' % port, policy=RetryPolicy(retries=0)).request('GET', '/report', params=LONG_QUERY)
    text = str(caught.value)
    assert caught.value.kind == 'connection'
    assert text.startswith('GET /report: connection failed: Failed to establish a new connection: [Errno 111]'), text
    assert 'EE09' not in text and 'HTTPConnectionPool' not in text


@pytest.mark.parametrize('method, unknown', [('GET', False), ('PUT', True), ('DELETE', True)])
def test_a_garbled_answer_to_an_idempotent_write_leaves_its_outcome_unknown(httpserver, client_for, method, unknown):
    """A PUT or DELETE may be sent again safely, but one answered with a garbled 200 may have been applied: it is not
    "not processed"; a read's outcome is never in doubt."""
    serve(httpserver, Script((200, '{"data": {"status": "compl', {'Content-Type': 'application/json'})))
    with pytest.raises(ApiError) as caught:
        client_for().request(method, '/thing')
    assert caught.value.kind == 'malformed' and caught.value.outcome_unknown is unknown
