# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Palo Alto Networks IoT Security, both generations of its public API.

- Strata Cloud Manager (SCM, the current one; every tenant onboarded since June 2025):
  ``https://api.strata.paloaltonetworks.com/iot/pub/v1``, ``Authorization: Bearer <token>``, no
  ``customerid``. The token comes from an OAuth2 client-credentials request to the SCM token endpoint
  (client id and secret as HTTP Basic, a form body ``grant_type=client_credentials&scope=tsg_id:<TSG>``),
  as https://pan.dev/scm/docs/access-tokens shows; it lives 15 minutes.
- The legacy public API v4.0, marked deprecated (https://pan.dev/iot/api/iot-public-api-headers):
  ``<tenant URL>/pub/v4.0``, the ``customerid`` query parameter and the ``X-Key-Id`` and
  ``X-Access-Key`` headers on every call.

Both take the same bodies and answer alike; errors are ``{code, msg}`` and a bad key gets HTTP 403.
This file also knows the shape of a cellular device for ``device/bulkUpdate``: the snake_case names
the modules take, the API's names, and what a valid value is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import csv
import io
import ipaddress
import json
import math
import re
import time

try:
    from urllib.parse import urlencode, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, keeps the import sanity test calm
    urlencode = urlsplit = None

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient, ApiError, requests
from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter

DEFAULT_SCM_API_URL = 'https://api.strata.paloaltonetworks.com'
# The token endpoint of https://pan.dev/scm/docs/access-tokens (the SCM auth spec and pan-scm-sdk name other paths).
DEFAULT_AUTH_URL = 'https://auth.apps.paloaltonetworks.com/oauth2/access_token'

# Documented in the fleetops.maintenance.iot doc fragment. Which options are required depends on the
# credentials given (check_credentials).
IOT_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', fallback=(env_fallback, ['PANW_IOT_API_URL'])),
    client_id=dict(type='str', fallback=(env_fallback, ['PANW_IOT_CLIENT_ID'])),
    client_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['PANW_IOT_CLIENT_SECRET'])),
    tsg_id=dict(type='str', fallback=(env_fallback, ['PANW_IOT_TSG_ID'])),
    auth_url=dict(type='str', default=DEFAULT_AUTH_URL, fallback=(env_fallback, ['PANW_IOT_AUTH_URL'])),
    customer_id=dict(type='str', fallback=(env_fallback, ['PANW_IOT_CUSTOMER_ID'])),
    key_id=dict(type='str', no_log=True, fallback=(env_fallback, ['PANW_IOT_KEY_ID'])),
    access_key=dict(type='str', no_log=True, fallback=(env_fallback, ['PANW_IOT_ACCESS_KEY'])),
    requests_per_minute=dict(type='int', default=180),
)
SCM_OPTIONS = ('client_id', 'client_secret', 'tsg_id')
LEGACY_OPTIONS = ('customer_id', 'key_id', 'access_key')
SCM, LEGACY = 'scm', 'legacy'
GENERATION_NAMES = {SCM: 'Strata Cloud Manager', LEGACY: 'legacy'}
# Legacy tenant URLs are https://<tenant>.iot.paloaltonetworks.com (pan.dev/iot/api/iot-public-api-headers).
LEGACY_HOST_SUFFIX = '.iot.paloaltonetworks.com'

API_BASE_PATHS = {SCM: '/iot/pub/v1', LEGACY: '/pub/v4.0'}
API_BASE_PATH = API_BASE_PATHS[LEGACY]
# "exceeded the rate limit of 180 queries per minute per tenant" (the documented 429 body).
RATE_LIMIT_PER_MINUTE = 180
AUTH_HINT = 'Check key_id and access_key, and that the key has RBAC rights on customer_id'
SCM_AUTH_HINT = ('Check client_id, client_secret and tsg_id, and that the service account has a role with access '
                 'to IoT Security on the TSG')
TOKEN_AUTH_HINT = 'check client_id / client_secret / tsg_id'
FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'
# "Access tokens have a lifespan of 15 minutes" (pan.dev/scm/docs/access-tokens): the lifetime of a token whose
# answer gives no usable expires_in.
DEFAULT_TOKEN_SECONDS = 900
# A token is renewed this long before it expires (a tenth of its lifetime when that is shorter).
TOKEN_RENEW_MARGIN_SECONDS = 60
TSG_ID_RE = re.compile(r'^[0-9]+$')
# The documented success code in a 200; the schema types it as a string, the example as an int.
SUCCESS_CODES = (1, '1')

# The module's snake_case name of each device field and the API's name for it: the properties of
# CellularBulkUpdateDevicePayloadSchema, plus sessionStart and sessionEnd, which the vendor's own example payload
# (CellularDeviceBulkUpdatePayloadExample) sends (PaloAltoNetworks/pan.dev:openapi-specs/iot/components/).
DEVICE_FIELDS = (
    ('ip_address', 'ipAddress'),
    ('ipv6_address', 'ipv6Address'),
    ('imei', 'imei'),
    ('iccid', 'iccid'),
    ('imsi', 'imsi'),
    ('apn', 'apn'),
    ('msisdn', 'msisdn'),
    ('session_event_type', 'SessionEvtType'),
    ('session_start', 'sessionStart'),
    ('session_end', 'sessionEnd'),
)
API_NAMES = dict(DEVICE_FIELDS)
ADDRESS_FIELDS = ('ip_address', 'ipv6_address')

# The vendor types every field as a plain string. Only identifiers that a standard defines are checked, and only
# as far as the standard allows; every other field is sent as given.
_DIGIT_FIELDS = {
    # 3GPP TS 23.003 6.2.1: type allocation code (8), serial number (6) and check digit (1). The check digit is
    # not verified: 3GPP lets a device send it as 0.
    'imei': (re.compile(r'^[0-9]{15}$'), 'exactly 15 digits'),
    # ITU-T E.118 numbers of 19 or 20 digits (wider here, as carriers print them), as written on the card or as
    # read from the SIM, where an odd number of digits ends in the hex filler F (the vendor's example ends in F).
    'iccid': (re.compile(r'^[0-9]{18,22}[Ff]?$'), '18 to 22 digits, optionally followed by one F'),
    # 3GPP TS 23.003 2.2: country code (3), network code (2 or 3) and subscriber number, at most 15 digits.
    'imsi': (re.compile(r'^[0-9]{6,15}$'), '6 to 15 digits'),
    # ITU-T E.164: at most 15 digits; the + of the international format may lead.
    'msisdn': (re.compile(r'^\+?[0-9]{1,15}$'), 'up to 15 digits with an optional leading +'),
}
# The updateSource values whose body this module builds. Each source has its own devicelist schema and answer
# (customAttribute takes deviceid/tagType/tagValue and answers updatedAttributesNum, not updatedDeviceNum), so
# a cellular devicelist is sent only as updateSource=cellular (api/public/bulkUpdateCellular.yaml).
UPDATE_SOURCES = ('cellular',)

# How many invalid devices one error message lists before it only counts the rest.
MAX_LISTED_ERRORS = 10


class InvalidDevices(ValueError):
    """One or more devices cannot be sent; ``errors`` holds one line per problem."""

    def __init__(self, errors):
        self.errors = errors
        listed = '; '.join(errors[:MAX_LISTED_ERRORS])
        if len(errors) > MAX_LISTED_ERRORS:
            listed += '; and %d more' % (len(errors) - MAX_LISTED_ERRORS)
        super(InvalidDevices, self).__init__('%d invalid device%s, nothing was sent: %s'
                                             % (len(errors), '' if len(errors) == 1 else 's', listed))


def _text(value, where, name):
    """A field's value as a stripped string, None when absent or blank."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError('%s: %s must be a string, got %s' % (where, name, type(value).__name__))
    value = str(value).strip()
    return value or None


def device_to_api(device, where):
    """The API's form of one device (snake_case dict -> devicelist item), or ValueError naming ``where``.

    Values are sent as given, without surrounding whitespace (an address is not rewritten into another
    notation: the vendor does not document which notations it treats as equal); absent or blank fields
    are left out.
    """
    if not isinstance(device, dict):
        raise ValueError('%s: must be a dict of device fields, got %s' % (where, type(device).__name__))
    unknown = sorted(str(key) for key in device if key not in API_NAMES)
    if unknown:
        raise ValueError('%s: unknown field%s %s (known: %s)' % (
            where, '' if len(unknown) == 1 else 's', ', '.join(unknown), ', '.join(name for name, dummy in DEVICE_FIELDS)))
    item = {}
    for name, api_name in DEVICE_FIELDS:
        value = _text(device.get(name), where, name)
        if value is None:
            continue
        if name in ADDRESS_FIELDS:
            value = _address(value, 4 if name == 'ip_address' else 6, where, name)
        elif name in _DIGIT_FIELDS:
            pattern, rule = _DIGIT_FIELDS[name]
            if not pattern.match(value):
                raise ValueError('%s: %s %r must be %s' % (where, name, value, rule))
        item[api_name] = value
    if 'ipAddress' not in item and 'ipv6Address' not in item:
        raise ValueError('%s: needs ip_address or ipv6_address (the API matches devices by address)' % where)
    return item


def _address(value, version, where, name):
    """The address as given, once it is known to be a valid IPv4 or IPv6 address."""
    try:
        # A zone index (fe80::1%eth0) names an interface of one host; newer Pythons would accept it.
        address = ipaddress.ip_address(value) if '%' not in value else None
    except ValueError:
        address = None
    if address is None or address.version != version:
        raise ValueError('%s: %s %r is not a valid IPv%d address' % (where, name, value, version))
    return value


def devices_to_api(devices, label='devices'):
    """Validate every device of a list; return the API items or raise InvalidDevices listing all problems."""
    items, errors = [], []
    for position, device in enumerate(devices, 1):
        try:
            items.append(device_to_api(device, '%s item %d' % (label, position)))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise InvalidDevices(errors)
    return items


def load_devices_file(path):
    """Read and validate a CSV (header of snake_case field names) or JSON (list of objects) device file.

    The format is taken from the extension (.csv, .json), else from the first
    character (``[`` means JSON). Raises InvalidDevices or ValueError.
    """
    try:
        with io.open(path, 'r', encoding='utf-8-sig', newline='') as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        raise ValueError('devices_file %s cannot be read: %s' % (path, exc))
    except UnicodeDecodeError as exc:
        raise ValueError('devices_file %s is not UTF-8 text: %s' % (path, exc))
    lower = path.lower()
    if lower.endswith('.json') or (not lower.endswith('.csv') and text.lstrip().startswith('[')):
        return _json_devices(text, path)
    return _csv_devices(text, path)


def _json_devices(text, path):
    try:
        devices = json.loads(text)
    except ValueError as exc:
        raise ValueError('devices_file %s is not valid JSON: %s' % (path, exc))
    if not isinstance(devices, list):
        raise ValueError('devices_file %s must hold a JSON list of device objects, got %s' % (path, type(devices).__name__))
    return devices_to_api(devices, label='devices_file %s' % path)


def _csv_devices(text, path):
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ValueError('devices_file %s line 1: %s' % (path, exc))
    unknown = [name for name in header if name not in API_NAMES]
    if unknown or len(set(header)) != len(header):
        raise ValueError('devices_file %s line 1: the header must name distinct device fields (%s); bad columns: %s'
                         % (path, ', '.join(name for name, dummy in DEVICE_FIELDS),
                            ', '.join(repr(name) for name in unknown) or 'duplicates'))

    items, errors = [], []
    position = 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            position += 1
            where = 'devices_file %s line %d (device %d)' % (path, reader.line_num, position)
            if len(row) != len(header):
                errors.append('%s: has %d columns where the header has %d' % (where, len(row), len(header)))
                continue
            try:
                items.append(device_to_api(dict(zip(header, row)), where))
            except ValueError as exc:
                errors.append(str(exc))
    except csv.Error as exc:
        raise ValueError('devices_file %s line %d: %s' % (path, reader.line_num, exc))
    if errors:
        raise InvalidDevices(errors)
    return items


def parse_error(status, data):
    """None for a success; (code, message[, kind]) for an error status or a 200 whose code is not 1.

    Errors are the spec's ``{code, msg}``; Strata Cloud Manager's gateway answers
    ``{"_errors": [{"code", "message"}]}`` (for example E016 "Not Authenticated").
    """
    if status >= 400:
        if isinstance(data, dict):
            errors = data.get('_errors')
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                return (errors[0].get('code'), errors[0].get('message'))
            return (data.get('code'), data.get('msg') or data.get('message'))
        return (None, None)
    if not isinstance(data, dict):
        return (None, 'the answer is not a JSON object', 'malformed')
    if data.get('code') not in SUCCESS_CODES:
        return (data.get('code'), data.get('msg') or data.get('message') or 'the answer does not report success (code 1)')
    return None


def parse_token_error(status, data):
    """The token endpoint's errors are OAuth2's ``{error, error_description}`` (RFC 6749 section 5.2)."""
    if status >= 400:
        if isinstance(data, dict):
            return (data.get('error'), data.get('error_description'))
        return (None, None)
    if not isinstance(data, dict):
        return (None, 'the answer is not a JSON object', 'malformed')
    return None


def _given(params, name):
    value = params.get(name)
    return value is not None and str(value).strip() != ''


def api_generation(params):
    """SCM or LEGACY, from the credentials given; ValueError naming the options when they do not make one set."""
    scm = [name for name in SCM_OPTIONS if _given(params, name)]
    legacy = [name for name in LEGACY_OPTIONS if _given(params, name)]
    if scm and legacy:
        raise ValueError('Give either Strata Cloud Manager credentials (client_id, client_secret, tsg_id) or a legacy '
                         'API key (customer_id, key_id, access_key), not both: got %s and %s (set as options or as '
                         'their PANW_IOT_* environment variables)' % (', '.join(scm), ', '.join(legacy)))
    if scm:
        missing = [name for name in SCM_OPTIONS if name not in scm]
        if missing:
            raise ValueError('Strata Cloud Manager credentials need client_id, client_secret and tsg_id; missing: %s'
                             % ', '.join(missing))
        if not TSG_ID_RE.match(params['tsg_id'].strip()):
            raise ValueError('tsg_id must be the numeric ID of the tenant service group, got %r' % params['tsg_id'])
        if ':' in params['client_id']:
            # RFC 7617: the user-id of HTTP Basic cannot hold a colon.
            raise ValueError('client_id must not contain ":" (it is sent as the HTTP Basic user name)')
        return SCM
    if legacy:
        missing = [name for name in ('api_url',) + LEGACY_OPTIONS if not _given(params, name)]
        if missing:
            raise ValueError('The legacy API key needs api_url (the tenant URL), customer_id, key_id and access_key; '
                             'missing: %s' % ', '.join(missing))
        return LEGACY
    raise ValueError('No IoT Security credentials: give client_id, client_secret and tsg_id (Strata Cloud Manager, or '
                     'PANW_IOT_CLIENT_ID, PANW_IOT_CLIENT_SECRET, PANW_IOT_TSG_ID), or api_url, customer_id, key_id '
                     'and access_key (the legacy API, or PANW_IOT_API_URL, PANW_IOT_CUSTOMER_ID, PANW_IOT_KEY_ID, '
                     'PANW_IOT_ACCESS_KEY)')


def api_url(params, generation):
    """The api_url to call: as given, else (for SCM) the documented server."""
    if _given(params, 'api_url'):
        return params['api_url'].strip()
    return DEFAULT_SCM_API_URL if generation == SCM else None


def auth_url(params):
    """The token endpoint: as given, else the documented one (an empty value, as AWX injects, means not given)."""
    return params['auth_url'].strip() if _given(params, 'auth_url') else DEFAULT_AUTH_URL


def api_url_problem(url, generation):
    """A message when api_url points at the other generation's API (its base path or its documented host), else None."""
    parts = urlsplit(url)
    host = (parts.hostname or '').lower()
    other = LEGACY if generation == SCM else SCM
    if other == LEGACY:
        other_host = host.endswith(LEGACY_HOST_SUFFIX)
    else:
        other_host = host == urlsplit(DEFAULT_SCM_API_URL).hostname
    if other_host or parts.path.rstrip('/').endswith(API_BASE_PATHS[other]):
        return 'api_url %s is an address of the %s API, but the credentials are for the %s API' % (
            url, GENERATION_NAMES[other], GENERATION_NAMES[generation])
    return None


def api_base_url(url, generation=LEGACY):
    """``<api_url>/pub/v4.0`` (legacy) or ``<api_url>/iot/pub/v1`` (SCM); a URL that already ends in it is kept."""
    base = url.rstrip('/')
    if not base.endswith(API_BASE_PATHS[generation]):
        base += API_BASE_PATHS[generation]
    return base


class TokenError(ApiError):
    """No access token: the token endpoint refused the client or could not be reached. Nothing was sent to the IoT
    API with it."""

    def __init__(self, error):
        if error.kind in ('auth', 'api') and error.status is not None and 400 <= error.status < 500:
            message = 'Strata Cloud Manager authentication failed (%s): %s' % (error.message, TOKEN_AUTH_HINT)
            kind = 'auth'
        else:
            message = 'no Strata Cloud Manager access token: %s' % error.message
            kind = error.kind
        super(TokenError, self).__init__(message, method=error.method, path=error.path, status=error.status,
                                         vendor_code=error.vendor_code, vendor_message=error.vendor_message,
                                         request_id=error.request_id, kind=kind)


class FormSession(object):
    """The session of the token endpoint, which takes a form.

    The shared client sends JSON bodies: the JSON object it encoded is sent as
    ``application/x-www-form-urlencoded`` instead (the ``:`` of the scope kept, as the docs' example writes it).
    """

    def __init__(self):
        self.session = requests.Session()
        self.headers = self.session.headers

    def request(self, method, url, data=None, **kwargs):
        if data:
            data = urlencode(list(json.loads(data.decode('utf-8')).items()), safe=':')
        return self.session.request(method, url, data=data, **kwargs)

    def close(self):
        self.session.close()


class ScmLogin(object):
    """One task's Strata Cloud Manager access token: fetched when first needed with the client credentials, reused
    until shortly before it expires, renewed when the API refuses it.

    The token and the client secret stay in this object: they are never put in a message or a result.
    """

    def __init__(self, params, client_kwargs, clock=time.monotonic):
        parts = urlsplit(auth_url(params))
        self.path = parts.path or '/'
        if parts.query:
            self.path += '?' + parts.query
        basic = base64.b64encode(('%s:%s' % (params['client_id'], params['client_secret'])).encode('utf-8'))
        self._basic = 'Basic ' + basic.decode('ascii')
        self.form = dict(grant_type='client_credentials', scope='tsg_id:%s' % params['tsg_id'].strip())
        self.clock = clock
        self.client = ApiClient('%s://%s' % (parts.scheme, parts.netloc), auth=self._client_auth,
                                error_parser=parse_token_error, session=FormSession(), **client_kwargs)
        self._token = None
        self._renew_at = None
        self.fetched = 0

    def _client_auth(self, method, request_uri, body):  # pylint: disable=unused-argument
        return {'Authorization': self._basic}

    def authorization(self):
        """The Authorization header value for the next IoT API call."""
        if self._token is None or self.clock() >= self._renew_at:
            self._fetch()
        return 'Bearer ' + self._token

    def forget(self):
        """Drop the token (the API refused it): the next call fetches a new one."""
        self._token = None

    def _fetch(self):
        started = self.clock()
        try:
            # No side effect: safe to retry like a read.
            response = self.client.request('POST', self.path, json_body=self.form,
                                           headers={'Content-Type': FORM_CONTENT_TYPE}, idempotent=True)
        except ApiError as exc:
            raise TokenError(exc)
        token = response.data.get('access_token')
        if not isinstance(token, str) or not token.strip():
            raise TokenError(ApiError('HTTP %d without an access_token' % response.status, method='POST',
                                      path=self.path, status=response.status, kind='malformed'))
        lifetime = _lifetime(response.data.get('expires_in'))
        self._token = token.strip()
        self._renew_at = started + lifetime - min(TOKEN_RENEW_MARGIN_SECONDS, lifetime / 10.0)
        self.fetched += 1

    def close(self):
        self.client.close()


def _lifetime(expires_in):
    """Seconds a token lives, from the answer's expires_in (the documented 15 minutes when it gives none)."""
    if isinstance(expires_in, bool):
        return DEFAULT_TOKEN_SECONDS
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return DEFAULT_TOKEN_SECONDS
    return max(0.0, seconds) if math.isfinite(seconds) else DEFAULT_TOKEN_SECONDS


class IotClient(object):
    """The IoT Security calls the modules make, one method per API call, on either generation of the API."""

    def __init__(self, params, clock=time.monotonic, **client_kwargs):
        self.generation = api_generation(params)
        self.login = None
        if self.generation == SCM:
            self.login = ScmLogin(params, client_kwargs, clock=clock)
            login = self.login
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
        self.client = ApiClient(
            api_base_url(api_url(params, self.generation), self.generation),
            auth=auth,
            error_parser=parse_error,
            rate_limiter=RateLimiter(params['requests_per_minute']),
            auth_hint=hint,
            **client_kwargs
        )

    def _request(self, method, path, **kwargs):
        """One call; on SCM, a 401 or 403 answer renews the token and repeats the call once.

        Repeating is safe because a refused call was not applied; no other call is ever repeated for a renewal.
        """
        try:
            return self.client.request(method, path, **kwargs)
        except TokenError:
            raise
        except ApiError as exc:
            if self.login is None or exc.status not in (401, 403):
                raise
        self.login.forget()
        return self.client.request(method, path, **kwargs)

    def bulk_update(self, devicelist, update_source):
        """PUT device/bulkUpdate with a cellular devicelist; return the API's updatedDeviceNum (None when the
        answer does not give it).

        The same PUT sets the same attributes again, so the client may retry it.
        """
        response = self._request('PUT', '/device/bulkUpdate', params=dict(self.query, updateSource=update_source),
                                 json_body={'devicelist': devicelist}, idempotent=True)
        updated = response.data.get('updatedDeviceNum')
        if isinstance(updated, bool):
            return None
        if isinstance(updated, int):
            return updated
        if isinstance(updated, str) and updated.isdigit():
            return int(updated)
        return None

    def close(self):
        self.client.close()
        if self.login is not None:
            self.login.close()
