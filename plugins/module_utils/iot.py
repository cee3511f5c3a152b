# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Palo Alto Networks IoT Security, legacy public API v4.0 (``<api_url>/pub/v4.0``).

Every call carries the ``customerid`` query parameter and the ``X-Key-Id`` and
``X-Access-Key`` headers. Errors are ``{code, msg}``; a bad key gets HTTP 403.
The Strata Cloud Manager (Bearer token, ``/iot/pub/v1``) generation of the API is
not supported here.

This file also knows the shape of a cellular device for ``device/bulkUpdate``:
the snake_case names the modules take, the API's names, and what a valid value is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import ipaddress
import json
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter

# Documented in the fleetops.maintenance.iot doc fragment.
IOT_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', required=True, fallback=(env_fallback, ['PANW_IOT_API_URL'])),
    customer_id=dict(type='str', required=True, fallback=(env_fallback, ['PANW_IOT_CUSTOMER_ID'])),
    key_id=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['PANW_IOT_KEY_ID'])),
    access_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['PANW_IOT_ACCESS_KEY'])),
    requests_per_minute=dict(type='int', default=180),
)

API_BASE_PATH = '/pub/v4.0'
# "exceeded the rate limit of 180 queries per minute per tenant" (the documented 429 body).
RATE_LIMIT_PER_MINUTE = 180
AUTH_HINT = 'Check key_id and access_key, and that the key has RBAC rights on customer_id'
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
    """None for a success; (code, message[, kind]) for an error status or a 200 whose code is not 1."""
    if status >= 400:
        if isinstance(data, dict):
            return (data.get('code'), data.get('msg') or data.get('message'))
        return (None, None)
    if not isinstance(data, dict):
        return (None, 'the answer is not a JSON object', 'malformed')
    if data.get('code') not in SUCCESS_CODES:
        return (data.get('code'), data.get('msg') or data.get('message') or 'the answer does not report success (code 1)')
    return None


def api_base_url(api_url):
    """``<api_url>/pub/v4.0``; an api_url that already ends in /pub/v4.0 is used as it is."""
    base = api_url.rstrip('/')
    if not base.endswith(API_BASE_PATH):
        base += API_BASE_PATH
    return base


class IotClient(object):
    """The IoT Security calls the modules make, one method per API call."""

    def __init__(self, params, **client_kwargs):
        self.customer_id = params['customer_id']
        key_id, access_key = params['key_id'], params['access_key']

        def auth(method, request_uri, body):  # pylint: disable=unused-argument
            return {'X-Key-Id': key_id, 'X-Access-Key': access_key}

        self.client = ApiClient(
            api_base_url(params['api_url']),
            auth=auth,
            error_parser=parse_error,
            rate_limiter=RateLimiter(params['requests_per_minute']),
            auth_hint=AUTH_HINT,
            **client_kwargs
        )

    def bulk_update(self, devicelist, update_source):
        """PUT device/bulkUpdate with a cellular devicelist; return the API's updatedDeviceNum (None when the
        answer does not give it).

        The same PUT sets the same attributes again, so the client may retry it.
        """
        response = self.client.request('PUT', '/device/bulkUpdate',
                                       params={'customerid': self.customer_id, 'updateSource': update_source},
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
