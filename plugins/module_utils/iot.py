# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Palo Alto Networks IoT Security client, for both generations of its public API.

- Strata Cloud Manager (SCM, the current one; every tenant onboarded since June 2025):
  ``https://api.strata.paloaltonetworks.com/iot/pub/v1``, ``Authorization: Bearer <token>``, no
  ``customerid``. The token comes from an OAuth2 client-credentials request to the SCM token endpoint
  (client id and secret as HTTP Basic, a form body ``grant_type=client_credentials&scope=tsg_id:<TSG>``),
  as https://pan.dev/scm/docs/access-tokens shows; it lives 15 minutes.
- The legacy public API v4.0, marked deprecated (https://pan.dev/iot/api/iot-public-api-headers):
  ``<tenant URL>/pub/v4.0``, the ``customerid`` query parameter and the ``X-Key-Id`` and
  ``X-Access-Key`` headers on every call.

Both take the same bodies and answer alike; errors are ``{code, msg}`` and a bad key gets HTTP 403. The reads
(``device/list``, ``device/ip``) have a rate of their own, 60 a minute (``openapi-specs/iot/iot.yaml``), and are
paced apart from the writes.
Nothing here knows about Ansible; the options and their checks are in iot_options.py, the device in iot_devices.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import math
import threading
import time

from urllib.parse import urlsplit

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import KIND_API, KIND_AUTH, KIND_MALFORMED, ApiError, VendorClient, VendorError
from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter

SCM, LEGACY = 'scm', 'legacy'
GENERATION_NAMES = {SCM: 'Strata Cloud Manager', LEGACY: 'legacy'}
SCM_OPTIONS = ('client_id', 'client_secret', 'tsg_id')
LEGACY_OPTIONS = ('customer_id', 'key_id', 'access_key')
DEFAULT_SCM_API_URL = 'https://api.strata.paloaltonetworks.com'
# The token endpoint of https://pan.dev/scm/docs/access-tokens (the SCM auth spec and pan-scm-sdk name other paths).
DEFAULT_AUTH_URL = 'https://auth.apps.paloaltonetworks.com/oauth2/access_token'
API_BASE_PATHS = {SCM: '/iot/pub/v1', LEGACY: '/pub/v4.0'}
AUTH_HINT = 'Check key_id and access_key, and that the key has RBAC rights on customer_id'
SCM_AUTH_HINT = ('Check client_id, client_secret and tsg_id, and that the service account has a role with access '
                 'to IoT Security on the TSG')
TOKEN_AUTH_HINT = 'check client_id / client_secret / tsg_id'
# "Access tokens have a lifespan of 15 minutes" (pan.dev/scm/docs/access-tokens): the lifetime of a token whose
# answer gives no usable expires_in.
DEFAULT_TOKEN_SECONDS = 900
# A token is renewed this long before it expires (a tenth of its lifetime when that is shorter).
TOKEN_RENEW_MARGIN_SECONDS = 60
# The documented success code in a 200; the schema types it as a string, the example as an int.
SUCCESS_CODES = (1, '1')
# "Rate limiting: 60 times per minute" for GET device/list and GET device/ip (openapi-specs/iot/iot.yaml). Whether
# the two share one budget is undocumented: one pacer serves both.
READS_PER_MINUTE = 60
# deviceList.yaml: "The maximum page length you can set is 1000. The default page length ... is 1000."
MAX_PAGE_LENGTH = 1000


def given(params, name):
    value = params.get(name)
    return value is not None and str(value).strip() != ''


def generation(params):
    """SCM when Strata Cloud Manager credentials are given, else LEGACY (the options' check made sure of one)."""
    return SCM if any(given(params, name) for name in SCM_OPTIONS) else LEGACY


def api_url(params, api_generation):
    """The api_url to call: as given, else (for SCM) the documented server."""
    if given(params, 'api_url'):
        return params['api_url'].strip()
    return DEFAULT_SCM_API_URL if api_generation == SCM else None


def auth_url(params):
    """The token endpoint: as given, else the documented one (an empty value, as AWX injects, means not given)."""
    return params['auth_url'].strip() if given(params, 'auth_url') else DEFAULT_AUTH_URL


def api_base_url(url, api_generation=LEGACY):
    """``<api_url>/pub/v4.0`` (legacy) or ``<api_url>/iot/pub/v1`` (SCM); a URL that already ends in it is kept."""
    base = url.rstrip('/')
    if not base.endswith(API_BASE_PATHS[api_generation]):
        base += API_BASE_PATHS[api_generation]
    return base


def parse_error(status, data):
    """None for a success; a VendorError for an error status or a 200 whose code is not 1.

    Errors are the spec's ``{code, msg}``; Strata Cloud Manager's gateway answers
    ``{"_errors": [{"code", "message"}]}`` (for example E016 "Not Authenticated").
    """
    if status >= 400:
        if isinstance(data, dict):
            errors = data.get('_errors')
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                return VendorError(errors[0].get('code'), errors[0].get('message'))
            return VendorError(data.get('code'), data.get('msg') or data.get('message'))
        return VendorError()
    if not isinstance(data, dict):
        return VendorError(None, 'the answer is not a JSON object', KIND_MALFORMED)
    if data.get('code') not in SUCCESS_CODES:
        return VendorError(data.get('code'), data.get('msg') or data.get('message') or
                           'the answer does not report success (code 1)')
    return None


def parse_read_error(status, data):
    """The reads answer the data itself, without the ``code`` of a write: ``{total, devices}`` for device/list
    (IoTDeviceInventoryResponse) and the device object for device/ip (DeviceDetailPerIPResponse). A 200 that does
    carry a ``code`` other than 1 is the API's ``{code, msg}`` error (an assumption: the spec shows none for reads)."""
    if status >= 400:
        return parse_error(status, data)
    if not isinstance(data, dict):
        return VendorError(None, 'the answer is not a JSON object', KIND_MALFORMED)
    if 'code' in data and data['code'] not in SUCCESS_CODES:
        return VendorError(data.get('code'), data.get('msg') or data.get('message'))
    return None


def parse_token_error(status, data):
    """The token endpoint's errors are OAuth2's ``{error, error_description}`` (RFC 6749 section 5.2)."""
    if status >= 400:
        if isinstance(data, dict):
            return VendorError(data.get('error'), data.get('error_description'))
        return VendorError()
    if not isinstance(data, dict):
        return VendorError(None, 'the answer is not a JSON object', KIND_MALFORMED)
    return None


class TokenError(ApiError):
    """No access token: the token endpoint refused the client or could not be reached. Nothing was sent to the IoT
    API with it."""

    def __init__(self, error):
        if error.kind in (KIND_AUTH, KIND_API) and error.status is not None and 400 <= error.status < 500:
            reason = 'Strata Cloud Manager authentication failed (%s): %s' % (error.message, TOKEN_AUTH_HINT)
            kind = KIND_AUTH
        else:
            reason = 'no Strata Cloud Manager access token: %s' % error.message
            kind = error.kind
        super(TokenError, self).__init__(reason, method=error.method, path=error.path, status=error.status,
                                         request_id=error.request_id, kind=kind)
        # what the token endpoint said is in the reason already; kept for the result's error dict
        self.vendor_code, self.vendor_message = error.vendor_code, error.vendor_message

    @property
    def message(self):
        return self.reason


class ScmLogin(object):
    """One task's Strata Cloud Manager access token: fetched when first needed with the client credentials, reused
    until shortly before it expires, renewed when the API refuses it.

    The token and the client secret stay in this object: they are never put in a message or a result.
    """

    def __init__(self, vendor_client, params, clock=time.monotonic):
        parts = urlsplit(auth_url(params))
        self.path = parts.path or '/'
        if parts.query:
            self.path += '?' + parts.query
        basic = base64.b64encode(('%s:%s' % (params['client_id'], params['client_secret'])).encode('utf-8'))
        self._basic = 'Basic ' + basic.decode('ascii')
        self.form = [('grant_type', 'client_credentials'), ('scope', 'tsg_id:%s' % params['tsg_id'].strip())]
        self.clock = clock
        self.client = vendor_client.http('%s://%s' % (parts.scheme, parts.netloc), auth=self._client_auth,
                                         error_parser=parse_token_error)
        self._token = None
        self._renew_at = None
        self._lock = threading.Lock()  # one token for every worker thread
        self._used = threading.local()  # the token this thread's last call carried
        self.fetched = 0

    def _client_auth(self, method, request_uri, body):  # pylint: disable=unused-argument
        return {'Authorization': self._basic}

    def authorization(self):
        """The Authorization header value for the next IoT API call."""
        with self._lock:
            if self._token is None or self.clock() >= self._renew_at:
                self._fetch()
            self._used.token = self._token
        return 'Bearer ' + self._used.token

    def forget(self):
        """Drop the token this thread's call carried (the API refused it): the next call fetches a new one,
        once, whichever worker was refused first."""
        with self._lock:
            if self._token == getattr(self._used, 'token', None):
                self._token = None

    def _fetch(self):
        started = self.clock()
        try:
            # No side effect: safe to retry like a read.
            response = self.client.request('POST', self.path, form_body=self.form, idempotent=True)
        except ApiError as exc:
            raise TokenError(exc)
        token = response.data.get('access_token')
        if not isinstance(token, str) or not token.strip():
            raise TokenError(ApiError('HTTP %d without an access_token' % response.status, method='POST',
                                      path=self.path, status=response.status, kind=KIND_MALFORMED))
        lifetime = _lifetime(response.data.get('expires_in'))
        self._token = token.strip()
        self._renew_at = started + lifetime - min(TOKEN_RENEW_MARGIN_SECONDS, lifetime / 10.0)
        self.fetched += 1


def _lifetime(expires_in):
    """Seconds a token lives, from the answer's expires_in (the documented 15 minutes when it gives none)."""
    if isinstance(expires_in, bool):
        return DEFAULT_TOKEN_SECONDS
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return DEFAULT_TOKEN_SECONDS
    return max(0.0, seconds) if math.isfinite(seconds) else DEFAULT_TOKEN_SECONDS


class IotClient(VendorClient):
    """The IoT Security calls the modules make, one method per API call, on either generation of the API."""

    def __init__(self, params, session=None, clock=time.monotonic):
        super(IotClient, self).__init__(params, session=session)
        self.generation = generation(params)
        self.login = None
        if self.generation == SCM:
            self.login = login = ScmLogin(self, params, clock=clock)
            self.query = {}

            def auth(method, request_uri, body):  # pylint: disable=unused-argument
                return {'Authorization': login.authorization()}
            hint = SCM_AUTH_HINT
        else:
            self.query = {'customerid': params['customer_id']}
            key_id, access_key = params['key_id'], params['access_key']

            def auth(method, request_uri, body):  # pylint: disable=unused-argument
                return {'X-Key-Id': key_id, 'X-Access-Key': access_key}
            hint = AUTH_HINT
        base_url = api_base_url(api_url(params, self.generation), self.generation)
        self.client = self.http(base_url, auth=auth, error_parser=parse_error,
                                rate_limiter=RateLimiter(params['requests_per_minute']), auth_hint=hint)
        # The reads' own pacer; the same credentials (on SCM, the same token) as the writes.
        self.reads = self.http(base_url, auth=auth, error_parser=parse_read_error,
                               rate_limiter=RateLimiter(params.get('reads_per_minute') or READS_PER_MINUTE), auth_hint=hint)

    def _request(self, method, path, client=None, **kwargs):
        """One call; on SCM, a 401 or 403 answer renews the token and repeats the call once.

        Repeating is safe because a refused call was not applied; no other call is ever repeated for a renewal.
        """
        client = client or self.client
        try:
            return client.request(method, path, **kwargs)
        except TokenError:
            raise
        except ApiError as exc:
            if self.login is None or exc.status not in (401, 403):
                raise
        self.login.forget()
        return client.request(method, path, **kwargs)

    def bulk_update(self, devicelist, update_source):
        """PUT device/bulkUpdate with a cellular devicelist; return the API's updatedDeviceNum (None when the
        answer does not give it).

        The same PUT sets the same attributes again, so the client may retry it.
        """
        response = self._request('PUT', '/device/bulkUpdate', params=dict(self.query, updateSource=update_source),
                                 json_body={'devicelist': devicelist}, idempotent=True)
        return _count(response.data.get('updatedDeviceNum'))

    def device_list(self, offset, pagelength, filters=None):
        """GET device/list, one page: (total, devices), the devices as the API gives them.

        ``filters`` are further query parameters of deviceList.yaml (stime, detail, trafficRestricted).
        """
        params = dict(self.query, offset=offset, pagelength=pagelength)
        params.update(filters or {})
        response = self._request('GET', '/device/list', client=self.reads, params=params, idempotent=True)
        total, devices = _count(response.data.get('total')), response.data.get('devices')
        if total is None or not isinstance(devices, list) or not all(isinstance(device, dict) for device in devices):
            raise ApiError('HTTP %d without a total and a devices list (IoTDeviceInventoryResponse)' % response.status,
                           method='GET', path='/device/list', status=response.status, kind=KIND_MALFORMED)
        return total, devices

    def device_by_ip(self, address):
        """GET device/ip: the device with this IP address as the API gives it, or None when the answer names no
        device (the spec documents no answer for an unknown address; an object without deviceid is taken as none)."""
        response = self._request('GET', '/device/ip', client=self.reads, params=dict(self.query, ip=address),
                                 idempotent=True)
        return response.data if response.data.get('deviceid') else None


def _count(value):
    """A count the API gave as an integer or a string of digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
