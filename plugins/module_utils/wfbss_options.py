# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Trend Micro WFBS-SVC for the modules: the connection options (documented in the fleetops.maintenance.wfbss
doc fragment), their checks, and the checks of the values the modules send. Checks return the value to send
or raise InvalidInput naming the option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import Vendor
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import MAX_CUSTOMERS_PER_CALL, WfbssClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_reports import (
    CONTENT_CODES,
    CONTENT_NAMES,
    CONTENTS,
    SCHEDULES,
    WEEKDAYS,
    report_body,
)

WFBSS_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', default='https://cspi.trendmicro.com', fallback=(env_fallback, ['WFBSS_API_URL'])),
    api_version=dict(type='str', default='v2.8', fallback=(env_fallback, ['WFBSS_API_VERSION'])),
    access_token=dict(type='str', no_log=True, fallback=(env_fallback, ['WFBSS_ACCESS_TOKEN'])),
    secret_key=dict(type='str', no_log=True, fallback=(env_fallback, ['WFBSS_SECRET_KEY'])),
)

GUID_RE = re.compile(r'^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$')
VERSION_RE = re.compile(r'\Av[0-9]+(\.[0-9]+)*\Z')
TIME_RE = re.compile(r'^([01]?[0-9]|2[0-3]):([0-5][0-9])$')
REPORT_NAME_FORBIDDEN = '\\/:;*?"<>|'


def check_connection(params):
    """api_version ends up in the path: only versions such as v2.8."""
    if not VERSION_RE.match(params['api_version'] or ''):
        raise InvalidInput('api_version must be a version such as v2.8 (v, then numbers separated by dots), got %r'
                           % params['api_version'])


WFBSS = Vendor('wfbss', WFBSS_ARGUMENT_SPEC, WfbssClient, required=('access_token', 'secret_key'),
               check=check_connection, headers=('access_token',), batch_size=MAX_CUSTOMERS_PER_CALL)


def unique_customer_ids(customer_ids):
    """The customer ids without repeats (compared case-insensitively), in order."""
    if not customer_ids:
        raise InvalidInput('customer_ids must hold at least one customer ID')
    unique, seen = [], set()
    for position, cid in enumerate(customer_ids):
        if not isinstance(cid, str) or not GUID_RE.match(cid.strip()):
            raise InvalidInput('customer_ids[%d] (item %d) is not a customer ID (a GUID such as '
                               '640FE47F-5118-4D79-8221-A35D0DE2EE2C): %r' % (position, position + 1, cid))
        cid = cid.strip()
        if cid.upper() not in seen:
            seen.add(cid.upper())
            unique.append(cid)
    return unique


def report_name(name):
    """A report name the API takes: not blank, none of the characters it forbids."""
    if not name or not name.strip():
        raise InvalidInput('name must not be blank')
    bad = sorted(set(char for char in name if char in REPORT_NAME_FORBIDDEN))
    if bad:
        raise InvalidInput('name must not contain any of \\ / : ; * ? " < > |, found %s in %r' % (' '.join(bad), name))
    return name


def schedule_name(value):
    """weekly or monthly, from a name or the vendor's type code (3 weekly, 4 monthly)."""
    text = str(value).strip().lower()
    names = dict((str(code), name) for name, code in SCHEDULES.items())
    if text in SCHEDULES or text in names:
        return names.get(text, text)
    raise InvalidInput("schedule must be weekly or monthly (or the vendor's code 3 or 4), got %r" % (value,))


def weekday_name(value):
    """sunday..saturday (or None), from a name or the vendor's number (0 = Sunday ... 6 = Saturday)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in WEEKDAYS:
        return text
    if text.isdigit() and int(text) < len(WEEKDAYS):
        return WEEKDAYS[int(text)]
    raise InvalidInput("weekday must be a day name (sunday ... saturday) or the vendor's number 0 (Sunday) to 6 "
                       "(Saturday), got %r" % (value,))


def time_of_day(text):
    """Seconds since midnight from "HH:MM"."""
    match = TIME_RE.match((text or '').strip())
    if not match:
        raise InvalidInput('time must be HH:MM between 00:00 and 23:59, got %r' % (text,))
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


def content_codes(contents):
    """tbl_type codes without duplicates, from readable names or numeric codes; at least one."""
    codes = []
    for position, item in enumerate(contents or []):
        text = str(item).strip()
        code = int(text) if text.isdigit() else CONTENT_CODES.get(text.lower())
        if code not in CONTENT_NAMES:
            raise InvalidInput('contents[%d] is not a known report table: %r. Use one of %s, or its code (%s)'
                               % (position, item, ', '.join(name for name, dummy in CONTENTS),
                                  ', '.join(str(number) for dummy, number in CONTENTS)))
        if code not in codes:
            codes.append(code)
    if not codes:
        raise InvalidInput('contents must list at least one report table')
    return codes


def email_addresses(recipients):
    """The recipients, stripped; each must look like an email address."""
    for position, address in enumerate(recipients):
        if '@' not in address.strip('@') or ' ' in address.strip():
            raise InvalidInput('recipients[%d] is not an email address: %r' % (position, address))
    return [address.strip() for address in recipients]


def wanted_report(params, warn):
    """The report body to create or update from the options (name, schedule, weekday, monthday, time, enabled,
    recipients, group_ids, contents); None for state=absent. ``warn(message)`` says what the vendor will not do."""
    name = report_name(params['name'])
    if params['state'] == 'absent':
        return None
    schedule, weekday, monthday = schedule_name(params['schedule']), weekday_name(params['weekday']), params['monthday']
    if schedule == 'weekly' and (weekday is None or monthday is not None):
        raise InvalidInput('schedule=weekly needs weekday and does not take monthday')
    if schedule == 'monthly' and (monthday is None or weekday is not None):
        raise InvalidInput('schedule=monthly needs monthday and does not take weekday')
    if schedule == 'monthly' and not 1 <= monthday <= 31:
        raise InvalidInput('monthday must be between 1 and 31, got %d' % monthday)
    seconds, codes = time_of_day(params['time']), content_codes(params['contents'])
    recipients = email_addresses(params['recipients'])
    if schedule == 'monthly' and monthday > 28:
        warn('monthday=%d: WFBS-SVC does not generate the report in months without that day' % monthday)
    return report_body(name, schedule, params['enabled'], seconds, weekday=weekday, monthday=monthday,
                       recipients=recipients, group_ids=params['group_ids'], contents=codes)
