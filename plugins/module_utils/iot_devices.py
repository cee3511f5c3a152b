# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cellular device of IoT Security's ``device/bulkUpdate``: the snake_case names the modules take, the API's
names, what a valid value is, and reading a fleet of them from a CSV or JSON file. Every problem is collected and
raised at once (InvalidDevices, an InvalidInput): one invalid device and nothing is sent. Nothing here knows about
Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import ipaddress
import json
import re

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput

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


class InvalidDevices(InvalidInput):
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
    if isinstance(device, _WrongColumns):
        raise ValueError('%s: %s' % (where, device.message))
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


class DeviceList(object):
    """The devices of the ``devices`` option: validated at once (InvalidDevices lists every problem)."""

    def __init__(self, devices, label='devices'):
        self._items = devices_to_api(devices, label=label)
        self.count = len(self._items)

    def items(self):
        return iter(self._items)


class DevicesFile(object):
    """A CSV (header of snake_case field names) or JSON (list of objects) device file, validated on creation.

    The format is taken from the extension (.csv, .json), else from the first character (``[`` means JSON). A CSV
    file is read as a stream, twice: once to validate every line (InvalidDevices names every bad line, before
    anything is sent) and count the devices, and again, line by line, by ``items()``; only the line being read is
    held in memory. A JSON file is parsed whole, once. Raises InvalidDevices, or InvalidInput for a file that
    cannot be read.
    """

    def __init__(self, path):
        self.path = path
        lower = path.lower()
        if lower.endswith('.json') or (not lower.endswith('.csv') and self._first_character() == '['):
            self._json_items = _json_devices(self._read(), path)
            self.count = len(self._json_items)
            return
        self._json_items = None
        self.count, errors = 0, []
        for where, device in self._csv_records():
            try:
                device_to_api(device, where)
                self.count += 1
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            raise InvalidDevices(errors)

    def items(self):
        """The API items, in file order (a CSV file read again, line by line)."""
        return iter(self._json_items) if self._json_items is not None else self._csv_items()

    def _csv_items(self):
        count = 0
        for where, device in self._csv_records():
            try:
                item = device_to_api(device, where)
            except ValueError as exc:
                raise InvalidInput('devices_file %s changed while it was read: %s' % (self.path, exc))
            count += 1
            yield item
        if count != self.count:
            raise InvalidInput('devices_file %s changed while it was read: %d devices, then %d' % (self.path, self.count, count))

    def _open(self):
        try:
            return io.open(self.path, 'r', encoding='utf-8-sig', newline='')
        except (IOError, OSError) as exc:
            raise InvalidInput('devices_file %s cannot be read: %s' % (self.path, exc))

    def _first_character(self):
        with self._open() as handle:
            while True:
                try:
                    chunk = handle.read(4096)
                except UnicodeDecodeError as exc:
                    raise InvalidInput('devices_file %s is not UTF-8 text: %s' % (self.path, exc))
                if not chunk or chunk.strip():
                    return chunk.lstrip()[:1]

    def _read(self):
        with self._open() as handle:
            try:
                return handle.read()
            except UnicodeDecodeError as exc:
                raise InvalidInput('devices_file %s is not UTF-8 text: %s' % (self.path, exc))

    def _csv_records(self):
        """(where, device dict) for each device line; a line with the wrong number of columns is a device whose
        problem is named (a dict that device_to_api refuses)."""
        path = self.path
        with self._open() as handle:
            reader = csv.reader(handle)
            try:
                try:
                    header = [name.strip() for name in next(reader)]
                except StopIteration:
                    return
                unknown = [name for name in header if name not in API_NAMES]
                if unknown or len(set(header)) != len(header):
                    raise InvalidInput('devices_file %s line 1: the header must name distinct device fields (%s); bad columns: %s'
                                       % (path, ', '.join(name for name, dummy in DEVICE_FIELDS),
                                          ', '.join(repr(name) for name in unknown) or 'duplicates'))
                position = 0
                for row in reader:
                    if not any(cell.strip() for cell in row):
                        continue
                    position += 1
                    where = 'devices_file %s line %d (device %d)' % (path, reader.line_num, position)
                    if len(row) != len(header):
                        yield where, _WrongColumns(len(row), len(header))
                        continue
                    yield where, dict(zip(header, row))
            except csv.Error as exc:
                raise InvalidInput('devices_file %s line %d: %s' % (path, reader.line_num, exc))
            except UnicodeDecodeError as exc:
                raise InvalidInput('devices_file %s is not UTF-8 text: %s' % (path, exc))


class _WrongColumns(dict):
    """A CSV line whose cells do not match the header: device_to_api refuses it with this message."""

    def __init__(self, got, expected):
        super(_WrongColumns, self).__init__()
        self.message = 'has %d columns where the header has %d' % (got, expected)


def load_devices_file(path):
    """Every device of a devices file as API items (see DevicesFile), read whole."""
    return list(DevicesFile(path).items())


def _json_devices(text, path):
    try:
        devices = json.loads(text)
    except ValueError as exc:
        raise InvalidInput('devices_file %s is not valid JSON: %s' % (path, exc))
    if not isinstance(devices, list):
        raise InvalidInput('devices_file %s must hold a JSON list of device objects, got %s' % (path, type(devices).__name__))
    return devices_to_api(devices, label='devices_file %s' % path)


def device_source(devices, devices_file):
    """The devices to send: those of ``devices_file`` when it is set, else the ``devices`` list (both validated)."""
    return DevicesFile(devices_file) if devices_file is not None else DeviceList(devices)
