# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One HTTP client for every vendor: a requests.Session with timeouts, TLS,
429 waits and retries that respect idempotency.

Nothing here knows about Ansible: failures are raised as ApiError and the
module layer turns them into fail_json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import time

try:
    from urllib.parse import quote, urlencode, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, keeps the import sanity test calm
    quote = urlencode = urlsplit = None

try:
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

USER_AGENT = 'fleetops.maintenance'

# Methods whose repetition has the same effect as one call.
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
# A gateway that answers 502/503 did not hand the request to the service.
ALWAYS_RETRY_STATUSES = frozenset([502, 503])
# The service may have applied the request before failing: retried for idempotent calls only.
RETRY_IF_IDEMPOTENT_STATUSES = frozenset([500, 504])
MAX_BACKOFF_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 60.0


class ApiError(Exception):
    """A failed API call, with everything a person needs to act on it."""

    def __init__(self, message, method=None, path=None, status=None, vendor_code=None,
                 vendor_message=None, request_id=None, outcome_unknown=False, kind='api'):
        super(ApiError, self).__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.vendor_code = vendor_code
        self.vendor_message = vendor_message
        self.request_id = request_id
        self.outcome_unknown = outcome_unknown
        self.kind = kind

    def __str__(self):
        text = self.message
        if self.method and self.path:
            text = '%s %s: %s' % (self.method, self.path, text)
        if self.request_id:
            text += ' (request id %s)' % self.request_id
        if self.outcome_unknown:
            text += '. The outcome is unknown: the request may have been applied, check before running it again'
        return text

    def to_dict(self):
        """The error as a result dict (no secrets: only what the API said and where)."""
        return dict(
            method=self.method,
            path=self.path,
            status=self.status,
            vendor_code=self.vendor_code,
            vendor_message=self.vendor_message,
            request_id=self.request_id,
            outcome_unknown=self.outcome_unknown,
            kind=self.kind,
        )


class Response(object):
    """What a call returned: status, headers and the decoded JSON body."""

    def __init__(self, status, headers, data, request_id=None):
        self.status = status
        self.headers = headers
        self.data = data
        self.request_id = request_id


class RequestToSign(object):
    """One attempt of a call as a ``request_signer`` sees it: the method, the Host header, the path and the
    headers as they will be sent, the query parameters decoded ((name, value) pairs) and the body bytes."""

    def __init__(self, method, host, path, params, headers, body):
        self.method = method
        self.host = host
        self.path = path
        self.params = params
        self.headers = headers
        self.body = body


def query_pairs(params):
    """The (name, value) pairs of the query parameters that are sent (None means: leave it out)."""
    return [(key, value) for key, value in (params or {}).items() if value is not None]


def build_query(params):
    """Encode query parameters the way they are signed and sent.

    Commas stay literal (vendors take comma-separated lists); everything else
    that could change the URL's meaning (``&``, ``=``, ``?``, ``#``, ``/``, spaces) is
    percent-encoded, so a value can never add a parameter or change the path.
    """
    return urlencode(query_pairs(params), quote_via=quote, safe=',')


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryPolicy(object):
    """How many times to retry, how long to back off, and how long to wait out 429s."""

    def __init__(self, retries=3, backoff=1.0, rate_limit_timeout=300.0, rand=random.random):
        self.retries = retries
        self.backoff = backoff
        self.rate_limit_timeout = rate_limit_timeout
        self.rand = rand

    def backoff_delay(self, attempt):
        """Exponential backoff with jitter: between half and all of backoff * 2^(attempt-1)."""
        ceiling = min(MAX_BACKOFF_SECONDS, self.backoff * (2 ** (attempt - 1)))
        return ceiling * (0.5 + self.rand() / 2)


class ApiClient(object):
    """A keep-alive HTTP client bound to one vendor's base URL.

    ``auth`` is called before every attempt with (method, request_uri, body_bytes)
    and returns the headers that authenticate it; it is called again on a retry so
    time-stamped signatures and request ids are fresh.
    ``request_signer`` is for schemes that also sign the host, the decoded query and
    the headers (Huawei's AK/SK): called before every attempt, after ``auth``, with a
    RequestToSign, it returns the headers to add (a Host it returns is sent as given).
    ``error_parser`` is called with (status, data) and returns None when the
    answer is a success, or (vendor_code, vendor_message[, kind]) when it is a
    failure (vendors that report errors inside an HTTP 200 are handled there;
    kind 'auth' marks a credential problem).
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=30, policy=None,
                 auth=None, error_parser=None, request_id_header=None, rate_limiter=None, auth_hint=None,
                 session=None, sleep=time.sleep, clock=time.monotonic, request_signer=None):
        self.base_url = base_url.rstrip('/')
        self.base_path = urlsplit(self.base_url).path
        self.host = urlsplit(self.base_url).netloc
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.auth = auth
        self.request_signer = request_signer
        self.error_parser = error_parser or default_error_parser
        self.request_id_header = request_id_header
        self.rate_limiter = rate_limiter
        self.auth_hint = auth_hint
        self.sleep = sleep
        self.clock = clock
        self.session = session or requests.Session()
        # Passed on every request: a session-level setting would lose to REQUESTS_CA_BUNDLE in the environment.
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.session.headers['User-Agent'] = USER_AGENT
        self.calls = 0

    def request(self, method, path, params=None, json_body=None, headers=None, idempotent=None):
        """Send one logical call, retrying as the policy allows; return a Response or raise ApiError."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        query = build_query(params)
        request_uri = self.base_path + path + ('?' + query if query else '')
        url = self.base_url + path + ('?' + query if query else '')
        body = None
        if json_body is not None:
            body = json.dumps(json_body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')

        attempt = 0
        rate_limited = 0
        rate_limit_waited = 0.0
        while True:
            attempt += 1
            # Content-Type on every request, bodiless ones included: Trend's docs list it among the compulsory
            # headers and its own clients send it on GET too (so do Huawei's SDKs).
            send_headers = {'Accept': 'application/json', 'Content-Type': 'application/json; charset=utf-8'}
            send_headers.update(headers or {})
            if self.auth:
                send_headers.update(self.auth(method, request_uri, body or b''))
            if self.request_signer:
                send_headers.update(self.request_signer(RequestToSign(
                    method, self.host, self.base_path + path, query_pairs(params), dict(send_headers), body or b'')))
            request_id = send_headers.get(self.request_id_header) if self.request_id_header else None
            if self.rate_limiter:
                self.rate_limiter.acquire()

            def fail(message, status=None, outcome_unknown=False, kind='api'):
                return ApiError(message, method=method, path=path, status=status, request_id=request_id,
                                outcome_unknown=outcome_unknown, kind=kind)

            try:
                self.calls += 1
                raw = self.session.request(method, url, data=body, headers=send_headers, timeout=self.timeout,
                                           verify=self.verify)
            except requests.exceptions.SSLError as exc:
                raise fail('TLS verification failed (set ca_path to the CA bundle, or validate_certs: false '
                           'only for a test endpoint): %s' % _short(exc), kind='tls')
            except requests.exceptions.RequestException as exc:
                sent = _may_have_been_sent(exc)
                if (not sent or idempotent) and attempt <= self.policy.retries:
                    self.sleep(self.policy.backoff_delay(attempt))
                    continue
                if isinstance(exc, requests.exceptions.Timeout):
                    what = 'no answer within %s seconds (timeout)' % self.timeout
                else:
                    what = 'connection failed: %s' % _short(exc)
                if attempt > 1:
                    what += ' after %d attempts' % attempt
                raise fail(what, outcome_unknown=sent and not idempotent, kind='timeout' if 'timeout' in what else 'connection')

            status = raw.status_code
            if status == 429:
                rate_limited += 1
                wait = parse_retry_after(raw.headers.get('Retry-After'))
                if wait is None:
                    wait = self.policy.backoff_delay(min(rate_limited, 6))
                wait = min(wait, MAX_RETRY_AFTER_SECONDS)
                if rate_limit_waited + wait > self.policy.rate_limit_timeout:
                    raise self._error_from(raw, method, path, request_id,
                                           'rate limited (HTTP 429) for longer than rate_limit_timeout=%ss'
                                           % self.policy.rate_limit_timeout, kind='rate_limit')
                rate_limit_waited += wait
                attempt -= 1  # a 429 was refused, not failed: it does not use up a retry
                self.sleep(wait)
                continue
            retryable = status in ALWAYS_RETRY_STATUSES or (idempotent and status in RETRY_IF_IDEMPOTENT_STATUSES)
            if retryable and attempt <= self.policy.retries:
                self.sleep(self.policy.backoff_delay(attempt))
                continue
            unknown = (not idempotent) and status in RETRY_IF_IDEMPOTENT_STATUSES
            data = self._decode(raw, method, path, request_id, idempotent)
            failure = self.error_parser(status, data)
            if failure is None and status >= 400:
                failure = (None, None)
            if failure is not None:
                code, text = failure[0], failure[1]
                kind = failure[2] if len(failure) > 2 else ('auth' if status in (401, 403) else 'api')
                # a write the service answered with an unreadable success may well have been applied
                unknown = unknown or (kind == 'malformed' and status < 400 and not idempotent)
                message = 'HTTP %d' % status
                if attempt > 1:
                    message += ' after %d attempts' % attempt
                error = self._error_from(raw, method, path, request_id, message, outcome_unknown=unknown, kind=kind)
                error.vendor_code, error.vendor_message = code, text
                if code is not None or text:
                    error.message += ', %s' % ' '.join(str(p) for p in (code, text) if p not in (None, ''))
                if error.kind == 'auth' and self.auth_hint:
                    error.message = '%s. %s' % (error.message.rstrip('.'), self.auth_hint)
                raise error
            return Response(status, raw.headers, data, request_id=request_id)

    def _decode(self, raw, method, path, request_id, idempotent):
        """The JSON body, or None when empty on an error status; anything else is a clear failure.

        A write answered with an unreadable success may have been applied: its outcome is unknown.
        """
        text = raw.content
        if not text.strip():
            if raw.status_code >= 400:
                return None
            raise ApiError('HTTP %d with an empty body where JSON was expected' % raw.status_code,
                           method=method, path=path, status=raw.status_code, request_id=request_id, kind='malformed',
                           outcome_unknown=not idempotent)
        try:
            return json.loads(text.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            content_type = raw.headers.get('Content-Type', 'unknown')
            if raw.status_code >= 400:
                return None
            raise ApiError('HTTP %d with a body that is not JSON (Content-Type %s): %s'
                           % (raw.status_code, content_type, _snippet(text)),
                           method=method, path=path, status=raw.status_code, request_id=request_id, kind='malformed',
                           outcome_unknown=not idempotent)

    def _error_from(self, raw, method, path, request_id, message, outcome_unknown=False, kind='api'):
        return ApiError(message, method=method, path=path, status=raw.status_code, request_id=request_id,
                        outcome_unknown=outcome_unknown, kind=kind)

    def close(self):
        self.session.close()


def default_error_parser(status, data):
    """Failure for any HTTP error status; the vendor adapters know their own error bodies."""
    if status < 400:
        return None
    if isinstance(data, dict):
        return (data.get('code'), data.get('msg') or data.get('message') or data.get('error'))
    return (None, None)


def _may_have_been_sent(exc):
    """False only when no connection was established, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], 'reason', exc.args[0])  # requests wraps urllib3's MaxRetryError
        if isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
            return False
    return True


def _short(exc):
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + '...'


def _snippet(content):
    text = content[:200].decode('utf-8', 'replace')
    return ' '.join(text.split())
