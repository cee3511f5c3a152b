# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One HTTP client for every vendor: a requests.Session with timeouts, TLS, 429 waits and retries that
respect idempotency, and one typed error built once.

A call goes: prepare (URL, body) -> per attempt: authenticate, send, wait out a 429, decide whether to
retry, read the answer -> a Response, or an ApiError with the method, path, status, the vendor's code and
text, the request id and whether the request may have been applied.

Nothing here knows about Ansible: the module runtime turns an ApiError into fail_json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import email.utils
import json
import random
import ssl
import threading
import time

from urllib.parse import quote, urlencode, urlsplit

from ansible_collections.fleetops.maintenance.plugins.module_utils.common import OUTCOME_UNKNOWN_TEXT, FleetError

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

# The kinds of failure (ApiError.kind, VendorError.kind).
KIND_API = 'api'                # the vendor refused the call
KIND_AUTH = 'auth'              # the vendor refused the credentials
KIND_MALFORMED = 'malformed'    # an answer that cannot be read
KIND_RATE_LIMIT = 'rate_limit'  # 429 for longer than allowed
KIND_TIMEOUT = 'timeout'        # no answer in time
KIND_CONNECTION = 'connection'  # no connection, or it broke
KIND_TLS = 'tls'                # the TLS handshake failed

# Methods whose repetition has the same effect as one call.
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
# Methods that change state even when repeating them is safe: a PUT or DELETE that failed after it was sent may have
# been applied (its outcome is unknown, though sending it again is harmless).
STATE_CHANGING_METHODS = frozenset(['PUT', 'DELETE', 'PATCH'])
# 5xx answers that are retried for idempotent calls only. For a write each is an unknown outcome, never resent:
# 500 and 504 (RFC 9110: the upstream did not answer in time) may follow an applied write; a 502 comes from a
# gateway or proxy whose upstream failed, also after it received the request (Huawei's API Gateway documents 502
# APIG.0202 "Backend unavailable" and 504 APIG.0203 "Backend timeout"; a corporate egress proxy answers 502
# when its upstream connection resets); and no vendor here documents a 503 that is answered before the request
# is handed on (RFC 9110 only says the server is "currently unable to handle the request"). docs/reliability.md
# has the rule and its sources.
RETRY_IF_IDEMPOTENT_STATUSES = frozenset([500, 502, 503, 504])
MAX_BACKOFF_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 60.0
# The first wait after a 429 without Retry-After when retry_backoff is smaller (it doubles with each 429).
MIN_RATE_LIMIT_BACKOFF_SECONDS = 0.05


class VendorError(collections.namedtuple('VendorError', 'code message kind')):
    """What a vendor's answer says went wrong: the vendor's code and text, and the kind of failure
    (None: decided by the HTTP status, 401 and 403 being credential problems)."""

    def __new__(cls, code=None, message=None, kind=None):
        return super(VendorError, cls).__new__(cls, code, message, kind)


class ApiError(FleetError):
    """A failed API call, with everything a person needs to act on it. The message is built once, from the fields."""

    def __init__(self, reason, method=None, path=None, status=None, vendor_code=None, vendor_message=None,
                 request_id=None, outcome_unknown=False, kind=KIND_API, hint=None, code_words=None):
        super(ApiError, self).__init__(reason, outcome_unknown=outcome_unknown)
        self.reason = reason
        self.code_words = code_words  # how the message shows vendor_code (for example "CODE (meaning):")
        self.method = method
        self.path = path
        self.status = status
        self.vendor_code = vendor_code
        self.vendor_message = vendor_message
        self.request_id = request_id
        self.kind = kind
        self.hint = hint
        self.args = (str(self),)

    @property
    def message(self):
        """The reason and what the vendor said, with the hint (without method, path or request id)."""
        text = self.reason
        code = self.code_words if self.code_words is not None else self.vendor_code
        said = ' '.join(str(part) for part in (code, self.vendor_message) if part not in (None, ''))
        if said:
            text += ', ' + said
        if self.hint:
            text = '%s. %s' % (text.rstrip('.'), self.hint)
        return text

    def __str__(self):
        text = self.message
        if self.method and self.path:
            text = '%s %s: %s' % (self.method, self.path, text)
        if self.request_id:
            text += ' (request id %s)' % self.request_id
        if self.outcome_unknown:
            text += '. ' + OUTCOME_UNKNOWN_TEXT
        return text

    def to_dict(self):
        """The error as a result dict (no secrets: only what the API said and where)."""
        return dict(method=self.method, path=self.path, status=self.status, vendor_code=self.vendor_code,
                    vendor_message=self.vendor_message, request_id=self.request_id,
                    outcome_unknown=self.outcome_unknown, kind=self.kind)


class Response(object):
    """What a call returned: status, headers and the decoded JSON body."""

    def __init__(self, status, headers, data, request_id=None):
        self.status = status
        self.headers = headers
        self.data = data
        self.request_id = request_id


class RequestToSign(collections.namedtuple('RequestToSign', 'method host path params headers body')):
    """One attempt of a call as a ``request_signer`` sees it: the method, the Host header, the path and the
    headers as they will be sent, the query parameters decoded ((name, value) pairs) and the body bytes."""

    __slots__ = ()


def query_pairs(params):
    """The (name, value) pairs of the query parameters that are sent (None means: leave it out)."""
    return [(key, value) for key, value in (params or {}).items() if value is not None]


def build_query(params):
    """Encode query parameters the way they are signed and sent.

    Values are written as huaweicloudsdkcore's Signer signs and sends them (huawei_signer.canonical_query): a
    boolean as ``true`` / ``false``, a list as its name repeated once per item, anything else as ``str()``.
    Commas stay literal (vendors take comma-separated lists); everything else
    that could change the URL's meaning (``&``, ``=``, ``?``, ``#``, ``/``, spaces) is
    percent-encoded, so a value can never add a parameter or change the path.
    """
    pairs = []
    for name, value in query_pairs(params):
        if isinstance(value, (list, tuple)):
            pairs.extend((name, str(item)) for item in value)
        else:
            pairs.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return urlencode(pairs, quote_via=quote, safe=',')


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

    def backoff_delay(self, attempt, floor=0.0):
        """Exponential backoff with jitter: between half and all of max(backoff, floor) * 2^(attempt-1)."""
        ceiling = min(MAX_BACKOFF_SECONDS, max(self.backoff, floor) * (2 ** (attempt - 1)))
        return ceiling * (0.5 + self.rand() / 2)


def connection_settings(params):
    """ApiClient keyword arguments from the connection options every module shares."""
    return dict(
        validate_certs=params['validate_certs'],
        ca_path=params['ca_path'],
        timeout=params['timeout'],
        policy=RetryPolicy(retries=params['retries'], backoff=params['retry_backoff'],
                           rate_limit_timeout=params['rate_limit_timeout']),
    )


def default_error_parser(status, data):
    """A VendorError for any HTTP error status; the vendor clients know their own error bodies."""
    if status < 400:
        return None
    if isinstance(data, dict):
        return VendorError(data.get('code'), data.get('msg') or data.get('message') or data.get('error'))
    return VendorError()


class _Call(object):
    """One logical call being made: what is sent, and how its attempts have gone so far."""

    def __init__(self, client, method, path, params, body, headers, idempotent):
        query = build_query(params)
        self.method = method
        self.path = path
        self.params = params
        self.url = client.base_url + path + ('?' + query if query else '')
        self.request_uri = client.base_path + path + ('?' + query if query else '')
        self.body = body
        self.headers = headers
        self.idempotent = idempotent
        # a failure after sending leaves the outcome unknown: writes (a POST not declared idempotent), PUT, DELETE
        self.may_apply = not idempotent or method in STATE_CHANGING_METHODS
        self.attempt = 0
        self.rate_limited = 0
        self.rate_limit_waited = 0.0
        self.request_id = None

    def error(self, reason, status=None, kind=KIND_API, outcome_unknown=False, vendor=None, hint=None, code_words=None):
        if self.attempt > 1:
            reason += ' after %d attempts' % self.attempt
        vendor = vendor or VendorError()
        return ApiError(reason, method=self.method, path=self.path, status=status, vendor_code=vendor.code,
                        vendor_message=vendor.message, request_id=self.request_id, outcome_unknown=outcome_unknown,
                        kind=kind, hint=hint, code_words=code_words)


# What the vendors' own clients send: Trend's sample client (get_auth_headers) and the PowerShell module for
# WFBS-SVC, the KooPhone Java SDK (KooPhoneMeta.java: withContentType("application/json") on every operation),
# pan-iot-security-python and pan-scm-sdk (requests' json=). Huawei IAM's SDKs send their own (koophone.py).
JSON_CONTENT_TYPE = 'application/json'


class ApiClient(object):
    """A keep-alive HTTP client bound to one vendor's base URL.

    ``auth`` is called before every attempt with (method, request_uri, body_bytes) and returns the headers that
    authenticate it; it is called again on a retry so time-stamped signatures and request ids are fresh.
    ``request_signer`` is for schemes that also sign the host, the decoded query and the headers (Huawei's
    AK/SK): called before every attempt, after ``auth``, with a RequestToSign, it returns the headers to add.
    ``error_parser`` is called with (status, data) and returns None for a success, or a VendorError (vendors
    that report errors inside an HTTP 200 are handled there). ``describe_code`` turns a vendor code into the
    words of the message (for example ``CODE (meaning):``); ``auth_hint`` says which credential to check.
    ``content_type`` is the Content-Type of every request without a form body.
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=30, policy=None, auth=None,
                 error_parser=None, request_id_header=None, rate_limiter=None, auth_hint=None, session=None,
                 sleep=time.sleep, request_signer=None, describe_code=None, clock=time.monotonic,
                 content_type=JSON_CONTENT_TYPE):
        self.base_url = base_url.rstrip('/')
        self.content_type = content_type
        self.base_path = urlsplit(self.base_url).path
        self.host = urlsplit(self.base_url).netloc
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.auth = auth
        self.request_signer = request_signer
        self.error_parser = error_parser or default_error_parser
        self.describe_code = describe_code
        self.request_id_header = request_id_header
        self.rate_limiter = rate_limiter
        self.auth_hint = auth_hint
        self.sleep = sleep
        self.clock = clock
        # Passed on every request: a session-level setting would lose to REQUESTS_CA_BUNDLE in the environment.
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        # One keep-alive session per worker thread (a requests.Session is not meant to be shared between threads);
        # a session given by a test serves every thread.
        self._given_session = session
        self._local = threading.local()
        self._sessions = []
        self._lock = threading.Lock()
        self._paused_until = 0.0  # a 429 pauses every worker of this client until then
        self.calls = 0

    @property
    def session(self):
        """This thread's session."""
        if self._given_session is not None:
            return self._given_session
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers['User-Agent'] = USER_AGENT
            with self._lock:
                self._sessions.append(session)
        return session

    def request(self, method, path, params=None, json_body=None, headers=None, idempotent=None, form_body=None):
        """Send one logical call, retrying as the policy allows; return a Response or raise ApiError.

        The body is ``json_body`` as JSON, or ``form_body`` ((name, value) pairs) as a form.
        """
        method = method.upper()
        body, headers = None, dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
        if form_body is not None:
            body = urlencode(list(form_body), safe=':').encode('ascii')
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        call = _Call(self, method, path, params, body, headers,
                     method in IDEMPOTENT_METHODS if idempotent is None else idempotent)
        while True:
            call.attempt += 1
            raw = self._send(call)
            if raw is None or self._waited_out_rate_limit(call, raw) or self._retried(call, raw.status_code):
                continue
            return self._answer(call, raw)

    # ------------------------------------------------------------------ one attempt
    def _send(self, call):
        """Send one attempt: the requests response, or None when a failure that may be retried was waited out."""
        self._wait_while_paused()
        headers = self._headers(call)
        if self.rate_limiter:
            self.rate_limiter.acquire()
        try:
            with self._lock:
                self.calls += 1
            return self.session.request(call.method, call.url, data=call.body, headers=headers, timeout=self.timeout,
                                        verify=self.verify)
        except requests.exceptions.SSLError as exc:
            raise call.error(tls_failure(exc, self.host), kind=KIND_TLS)
        except requests.exceptions.RequestException as exc:
            sent = _may_have_been_sent(exc)
            if (not sent or call.idempotent) and call.attempt <= self.policy.retries:
                self.sleep(self.policy.backoff_delay(call.attempt))
                return None
            if isinstance(exc, requests.exceptions.Timeout):
                raise call.error('no answer within %s seconds (timeout)' % self.timeout, kind=KIND_TIMEOUT,
                                 outcome_unknown=sent and call.may_apply)
            raise call.error('connection failed: %s' % innermost_reason(exc), kind=KIND_CONNECTION,
                             outcome_unknown=sent and call.may_apply)

    def _headers(self, call):
        """The headers of one attempt, authenticated afresh (signatures and request ids are per attempt)."""
        # Content-Type on every request, bodiless ones included: Trend's docs list it among the compulsory
        # headers and its own clients send it on GET too (so do Huawei's SDKs).
        headers = {'Accept': 'application/json', 'Content-Type': self.content_type}
        headers.update(call.headers)
        if self.auth:
            headers.update(self.auth(call.method, call.request_uri, call.body or b''))
        if self.request_signer:
            headers.update(self.request_signer(RequestToSign(
                call.method, self.host, self.base_path + call.path, query_pairs(call.params), dict(headers),
                call.body or b'')))
        call.request_id = headers.get(self.request_id_header) if self.request_id_header else None
        return headers

    def _waited_out_rate_limit(self, call, raw):
        """True when the answer was a 429 that was waited out (it does not use up a retry)."""
        if raw.status_code != 429:
            return False
        call.rate_limited += 1
        wait = parse_retry_after(raw.headers.get('Retry-After'))
        if not wait:
            # No Retry-After (or "0"): back off, never less than a floor, so that a 429 is never resent at once and
            # a sustained 429 adds up to rate_limit_timeout even with retry_backoff 0.
            wait = self.policy.backoff_delay(min(call.rate_limited, 6), floor=MIN_RATE_LIMIT_BACKOFF_SECONDS)
        wait = min(wait, MAX_RETRY_AFTER_SECONDS)
        if call.rate_limit_waited + wait > self.policy.rate_limit_timeout:
            raise call.error('rate limited (HTTP 429) for longer than rate_limit_timeout=%ss'
                             % self.policy.rate_limit_timeout, status=429, kind=KIND_RATE_LIMIT)
        call.rate_limit_waited += wait
        call.attempt -= 1
        with self._lock:  # the vendor's limit is shared: every worker waits, not only the one refused
            self._paused_until = self._local.paused = max(self._paused_until, self.clock() + wait)
        self.sleep(wait)
        return True

    def _wait_while_paused(self):
        """Wait out a pause another worker's 429 started (once per pause)."""
        until = self._paused_until
        if until <= getattr(self._local, 'paused', 0.0):
            return
        self._local.paused = until
        remaining = until - self.clock()
        if remaining > 0:
            self.sleep(remaining)

    def _retried(self, call, status):
        """True when a failed status may be retried and was waited out."""
        if call.idempotent and status in RETRY_IF_IDEMPOTENT_STATUSES and call.attempt <= self.policy.retries:
            self.sleep(self.policy.backoff_delay(call.attempt))
            return True
        return False

    def _answer(self, call, raw):
        """The Response of a final answer, or the ApiError it means."""
        status = raw.status_code
        data = self._decode(call, raw)
        failure = self.error_parser(status, data)
        if failure is None and status >= 400:
            failure = VendorError()
        if failure is None:
            return Response(status, raw.headers, data, request_id=call.request_id)
        kind = failure.kind or (KIND_AUTH if status in (401, 403) else KIND_API)
        # a write the service answered with an unreadable success may well have been applied
        unknown = call.may_apply and (status in RETRY_IF_IDEMPOTENT_STATUSES or (kind == KIND_MALFORMED and status < 400))
        words = self.describe_code(failure.code, bool(failure.message)) if failure.code is not None and self.describe_code else None
        raise call.error('HTTP %d' % status, status=status, kind=kind, outcome_unknown=unknown, vendor=failure,
                         hint=self.auth_hint if kind == KIND_AUTH else None, code_words=words)

    def _decode(self, call, raw):
        """The JSON body, or None when empty on an error status; anything else is a clear failure.

        A write answered with an unreadable success may have been applied: its outcome is unknown.
        """
        content = raw.content
        if not content.strip():
            if raw.status_code >= 400:
                return None
            raise call.error('HTTP %d with an empty body where JSON was expected' % raw.status_code,
                             status=raw.status_code, kind=KIND_MALFORMED, outcome_unknown=call.may_apply)
        try:
            return json.loads(content.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            if raw.status_code >= 400:
                return None
            raise call.error('HTTP %d with a body that is not JSON (Content-Type %s): %s'
                             % (raw.status_code, raw.headers.get('Content-Type', 'unknown'), _snippet(content)),
                             status=raw.status_code, kind=KIND_MALFORMED, outcome_unknown=call.may_apply)

    def close(self):
        if self._given_session is not None:
            self._given_session.close()
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions = []


class VendorClient(object):
    """What every vendor client is: built from the module's options, a context manager that closes its HTTP clients.

    ``session`` and ``api_client_class`` are seams for tests.
    """

    def __init__(self, params, session=None, api_client_class=None):
        self.params = params
        self._session = session
        self._api_client_class = api_client_class or ApiClient
        self._clients = []

    def http(self, base_url, **options):
        """An ApiClient for one base URL, with the connection options of the module."""
        settings = connection_settings(self.params)
        settings.update(options)
        if self._session is not None:
            settings['session'] = self._session
        client = self._api_client_class(base_url, **settings)
        self._clients.append(client)
        return client

    def close(self):
        for client in self._clients:
            client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def tls_failure(exc, host):
    """What went wrong in a TLS handshake, in words a person can act on (the cause first, no URL)."""
    cause = _innermost(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        what = getattr(cause, 'verify_message', None) or str(cause)
        return ('certificate verify failed: %s (set ca_path to the CA bundle that signed the certificate of %s, or '
                'validate_certs: false only for a test endpoint)' % (what, host))
    text = str(cause)
    if any(word in text for word in ('WRONG_VERSION_NUMBER', 'wrong version number', 'record layer failure',
                                     'UNKNOWN_PROTOCOL', 'unknown protocol', 'packet length too long')):
        return ('%s does not speak TLS there: the URL says https://, but the server answered in plain HTTP '
                '(wrong scheme or port?)' % host)
    return 'TLS handshake with %s failed: %s' % (host, text)


def innermost_reason(exc):
    """The cause of a connection failure without the request URL (which can hold a long query)."""
    cause = _innermost(exc)
    text = str(cause)
    if isinstance(cause, NewConnectionError):
        text = text.split(': ', 1)[-1]  # drops the connection object's repr
    return text if len(text) <= 300 else text[:300] + '...'


def _innermost(exc):
    """The root cause behind requests' and urllib3's wrappers (MaxRetryError, ProtocolError, ...)."""
    seen = set()
    cause = exc
    while id(cause) not in seen:
        seen.add(id(cause))
        inner = getattr(cause, 'reason', None)
        if inner is None and getattr(cause, 'args', None) and isinstance(cause.args[0], BaseException):
            inner = cause.args[0]
        if not isinstance(inner, BaseException):
            break
        cause = inner
    return cause


def _may_have_been_sent(exc):
    """False only when no connection was established, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], 'reason', exc.args[0])  # requests wraps urllib3's MaxRetryError
        if isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
            return False
    return True


def _snippet(content):
    text = content[:200].decode('utf-8', 'replace')
    return ' '.join(text.split())
