# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Trend Micro WFBS-SVC Service Management API (SMPI): options, request signing,
endpoints, error parsing, limits, and the scheduled-report forms the modules share.

Nothing here knows about Ansible results: calls raise ApiError, validation
helpers return an error message (or None) for the module to fail with.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import re
import time
import uuid

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import run_batches
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import client_options
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient, ApiError

# Documented in the fleetops.maintenance.wfbss doc fragment.
WFBSS_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', default='https://cspi.trendmicro.com', fallback=(env_fallback, ['WFBSS_API_URL'])),
    api_version=dict(type='str', default='v2.8', fallback=(env_fallback, ['WFBSS_API_VERSION'])),
    access_token=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['WFBSS_ACCESS_TOKEN'])),
    secret_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['WFBSS_SECRET_KEY'])),
)

AUTH_HINT = ('Check access_token and secret_key (TMRM > Administration > Third-party integration), and the clock of '
             'the host running the module: every request is signed with its current time (x-posix-time)')

MAX_CUSTOMERS_PER_CALL = 10  # cids: "at least one ... and no more than 10" (reset and report pages)
RESET_TYPES = ('counter', 'livestatus')
RESET_EVENTS = (
    'virus_incidents', 'spyware_incidents', 'wtp_incidents', 'urlfilter_incidents', 'behavior_monitoring_incidents',
    'network_virus_incidents', 'virus_unsuccessful', 'spyware_unsuccessful', 'device_control_incidents',
)
# Per-customer results of report writes that are failures; Missing = the API left the customer out.
FAILED_RESULTS = ('LimitError', 'SpecError', 'InternalError', 'Exception', 'Missing')

GUID_RE = re.compile(r'^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$')
VERSION_RE = re.compile(r'\Av[0-9]+(\.[0-9]+)*\Z')
TIME_RE = re.compile(r'^([01]?[0-9]|2[0-3]):([0-5][0-9])$')
REPORT_NAME_FORBIDDEN = '\\/:;*?"<>|'

SCHEDULES = {'weekly': 3, 'monthly': 4}
WEEKDAYS = ('sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday')  # 0 = Sunday
# The report tables (contents[].tbl_type) of the vendor's "create a scheduled report" page.
CONTENTS = (
    ('virus_summary', 100),                     # Virus Summary
    ('top_devices_virus', 101),                 # Top 5 Devices (excluding Servers) with Virus Detections
    ('top_servers_virus', 102),                 # Top 5 Servers with Virus Detections
    ('spyware_summary', 200),                   # Spyware/Grayware Summary
    ('top_devices_spyware', 201),               # Top 5 Devices (excluding Servers) with Spyware/Grayware Detections
    ('top_servers_spyware', 202),               # Top 5 Servers with Spyware/Grayware Detections
    ('top_network_viruses', 300),               # Top 10 Network Viruses Detected
    ('top_devices_network_virus', 301),         # Top 10 Devices Attacked by Network Viruses
    ('top_devices_web_threat', 400),            # Top 10 Devices Violating Web Threat Protection Policies
    ('top_programs_behavior_monitoring', 500),  # Top 5 Programs Violating Behavior Monitoring Policies
    ('top_devices_behavior_monitoring', 501),   # Top 10 Devices Violating Behavior Monitoring Policies
    ('top_url_category_policies', 600),         # Top 5 URL Category Policies Violated
    ('top_devices_url_category', 601),          # Top 10 Devices Violating URL Category Policies
    ('top_programs_device_control', 700),       # Top 5 Programs Violating Device Control Policies
    ('top_devices_device_control', 701),        # Top 10 Devices Violating Device Control Policies
)
CONTENT_CODES = dict(CONTENTS)
CONTENT_NAMES = dict((code, name) for name, code in CONTENTS)


# --------------------------------------------------------------------------- signing

def signature(secret_key, posix_time, method, request_uri, body=b''):
    """x-signature = base64(HMAC-SHA256(secret, time + METHOD + request_uri [+ base64(MD5(body))])).

    ``request_uri`` is the URL-encoded path and query exactly as sent; the MD5 part
    is appended only when the body is non-empty (README section 1.2).
    """
    payload = '%s%s%s' % (posix_time, method.upper(), request_uri)
    if body:
        payload += base64.b64encode(hashlib.md5(body).digest()).decode('ascii')
    digest = hmac.new(secret_key.encode('utf-8'), payload.encode('utf-8'), hashlib.sha256).digest()
    return base64.b64encode(digest).decode('ascii')


def auth_headers(access_token, secret_key, method, request_uri, body=b'', now=time.time, trace_id=uuid.uuid4):
    """The four SMPI headers for one attempt: a fresh time and trace id each call."""
    posix_time = str(int(now()))
    return {
        'x-access-token': access_token,
        'x-posix-time': posix_time,
        'x-traceid': str(trace_id()),
        'x-signature': signature(secret_key, posix_time, method, request_uri, body),
    }


def parse_error(status, data):
    """SMPI documents no error body; read the usual fields when there are any.

    An HTTP 200 whose body carries a non-empty ``error`` is treated as a failure too
    (not documented by Trend; cheap insurance against error-in-200 answers).
    """
    error = data.get('error') if isinstance(data, dict) else None
    text = (data.get('message') or data.get('msg')) if isinstance(data, dict) else None
    if status < 400 and error in (None, '', 0, '0', False):
        return None
    if isinstance(error, dict):
        return (error.get('code'), error.get('message') or error.get('msg'))
    if text:
        return (error, text)
    return (None, error if error not in (None, '') else None)


# --------------------------------------------------------------------------- the API

class WfbssApi(object):
    """One method per SMPI call; ``params`` are the module's (connection + wfbss) options."""

    def __init__(self, params, session=None, now=time.time):
        access_token, secret_key = params['access_token'], params['secret_key']

        def auth(method, request_uri, body):
            return auth_headers(access_token, secret_key, method, request_uri, body, now=now)

        base_url = '%s/SMPI/%s/service/wfbss/api' % (params['api_url'].rstrip('/'), params['api_version'])
        self.client = ApiClient(base_url, auth=auth, error_parser=parse_error, request_id_header='x-traceid',
                                auth_hint=AUTH_HINT, session=session, **client_options(params))

    def reset(self, customer_ids, reset_type, events=None):
        """POST commands/reset (no body) for at most 10 customers; returns the task dict {id, status}."""
        params = dict(type=reset_type, events=','.join(events) if events else None, cids=','.join(customer_ids))
        response = self.client.request('POST', '/commands/reset', params=params)
        task = response.data.get('task') if isinstance(response.data, dict) else None
        if not isinstance(task, dict) or not task.get('id'):
            raise _malformed(response, 'POST', '/commands/reset', 'no task.id in the answer')
        return dict(id=task['id'], status=task.get('status'))

    def list_reports(self, customer_ids, name=None):
        """GET report?cids=[&name=]: the API's customers[] entries ({id, eid, reports[]})."""
        params = dict(cids=','.join(customer_ids), name=name)
        return self._customers(self.client.request('GET', '/report', params=params), 'GET')

    def reports(self, customer_ids, name=None):
        """list_reports for any number of customers, 10 per call; raises BatchFailure when a call fails."""
        answers = run_batches(customer_ids, MAX_CUSTOMERS_PER_CALL, lambda batch: self.list_reports(batch, name=name),
                              errors=(ApiError,))
        return [entry for answer in answers for entry in answer]

    def create_report(self, customer_ids, body):
        """POST report?cids= with one body for every listed customer: customers[] {id, rtid, result, message}."""
        response = self.client.request('POST', '/report', params=dict(cids=','.join(customer_ids)), json_body=body)
        return self._customers(response, 'POST')

    def update_report(self, customer_ids, body, name=None, rtid=None):
        """PUT report?cids=&name= (or &rtid=) with the new settings: customers[] {id, rtid, result, message}."""
        params = dict(cids=','.join(customer_ids), name=name, rtid=rtid)
        return self._customers(self.client.request('PUT', '/report', params=params, json_body=body), 'PUT')

    def delete_report(self, customer_ids, name=None, rtid=None):
        """DELETE report?cids=&name= (or &rtid=): customers[] {id, rtid, result, message}."""
        params = dict(cids=','.join(customer_ids), name=name, rtid=rtid)
        return self._customers(self.client.request('DELETE', '/report', params=params), 'DELETE')

    @staticmethod
    def _customers(response, method):
        customers = response.data.get('customers') if isinstance(response.data, dict) else None
        if not isinstance(customers, list) or not all(isinstance(item, dict) for item in customers):
            raise _malformed(response, method, '/report', 'no customers[] list in the answer')
        return customers

    def close(self):
        self.client.close()


def _malformed(response, method, path, what):
    # a POST answered with a success we cannot read may have been applied
    return ApiError('HTTP %d but %s' % (response.status, what), method=method, path=path, status=response.status,
                    request_id=response.request_id, kind='malformed', outcome_unknown=method == 'POST')


def by_customer(entries):
    """Index an answer's customers[] entries by upper-case customer id (the API answers in upper case)."""
    index = {}
    for entry in entries:
        index.setdefault(str(entry.get('id', '')).upper(), []).append(entry)
    return index


# --------------------------------------------------------------------------- validation

def check_options(params):
    """A message for a connection value the API cannot use, else None."""
    if not VERSION_RE.match(params['api_version'] or ''):
        return 'api_version must be a version such as v2.8 (v, then numbers separated by dots), got %r' % params['api_version']
    return None


def unique_customer_ids(customer_ids):
    """(ids without duplicates, in order, compared case-insensitively; error message or None)."""
    if not customer_ids:
        return [], 'customer_ids must hold at least one customer ID'
    unique, seen = [], set()
    for position, cid in enumerate(customer_ids):
        if not isinstance(cid, str) or not GUID_RE.match(cid.strip()):
            return [], ('customer_ids[%d] (item %d) is not a customer ID (a GUID such as '
                        '640FE47F-5118-4D79-8221-A35D0DE2EE2C): %r' % (position, position + 1, cid))
        cid = cid.strip()
        if cid.upper() not in seen:
            seen.add(cid.upper())
            unique.append(cid)
    return unique, None


def schedule_name(value):
    """(weekly or monthly, error message or None) from a name or the vendor's type code (3 weekly, 4 monthly)."""
    if value is None:
        return None, None
    text = str(value).strip().lower()
    names = dict((str(code), name) for name, code in SCHEDULES.items())
    if text in SCHEDULES or text in names:
        return names.get(text, text), None
    return None, 'schedule must be weekly or monthly (or the vendor\'s code 3 or 4), got %r' % (value,)


def weekday_name(value):
    """(sunday..saturday, error message or None) from a name or the vendor's number (0 = Sunday ... 6 = Saturday)."""
    if value is None:
        return None, None
    text = str(value).strip().lower()
    if text in WEEKDAYS:
        return text, None
    if text.isdigit() and int(text) < len(WEEKDAYS):
        return WEEKDAYS[int(text)], None
    return None, ('weekday must be a day name (sunday ... saturday) or the vendor\'s number 0 (Sunday) to 6 '
                  '(Saturday), got %r' % (value,))


def report_name_problem(name):
    """Why a report name is refused by the API (blank or a forbidden character), else None."""
    if not name or not name.strip():
        return 'name must not be blank'
    bad = sorted(set(char for char in name if char in REPORT_NAME_FORBIDDEN))
    if bad:
        return 'name must not contain any of \\ / : ; * ? " < > |, found %s in %r' % (' '.join(bad), name)
    return None


def parse_time(text):
    """Seconds since midnight from "HH:MM", or None when the text is not a time of day."""
    match = TIME_RE.match((text or '').strip())
    if not match:
        return None
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


def format_time(seconds):
    """"HH:MM" (or "HH:MM:SS" when the API holds seconds) from seconds since midnight."""
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return '%02d:%02d:%02d' % (hours, minutes, secs) if secs else '%02d:%02d' % (hours, minutes)


def content_codes(contents):
    """(tbl_type codes without duplicates, error message or None) from readable names or numeric codes."""
    codes = []
    for position, item in enumerate(contents or []):
        text = str(item).strip()
        code = int(text) if text.isdigit() else CONTENT_CODES.get(text.lower())
        if code not in CONTENT_NAMES:
            return [], ('contents[%d] is not a known report table: %r. Use one of %s, or its code (%s)'
                        % (position, item, ', '.join(name for name, dummy in CONTENTS),
                           ', '.join(str(number) for dummy, number in CONTENTS)))
        if code not in codes:
            codes.append(code)
    return codes, None


# --------------------------------------------------------------------------- report forms

def report_body(name, schedule, enabled, seconds, weekday=None, monthday=None, recipients=None, group_ids=None,
                contents=None):
    """The POST report body. ``weekday`` is a name (sunday..saturday); ``contents`` are tbl_type codes."""
    parameter = dict(time=seconds, email=1 if recipients else 0, contents=[dict(tbl_type=code) for code in contents or []])
    if schedule == 'weekly':
        parameter['weekday'] = WEEKDAYS.index(weekday)
    else:
        parameter['monthday'] = monthday
    if recipients:
        parameter['address'] = list(recipients)
    if group_ids:
        parameter['gids'] = list(group_ids)
    return dict(type=SCHEDULES[schedule], setting=dict(name=name, enabled=1 if enabled else 0, parameter=parameter))


def _parts(report):
    setting = report.get('setting') if isinstance(report.get('setting'), dict) else {}
    parameter = setting.get('parameter') if isinstance(setting.get('parameter'), dict) else {}
    return setting, parameter


def comparable(report):
    """The settings that define a report, in a form where equal settings compare equal."""
    setting, parameter = _parts(report)
    report_type = report.get('type')
    return dict(
        type=report_type,
        enabled=1 if setting.get('enabled') else 0,
        time=parameter.get('time'),
        weekday=parameter.get('weekday') if report_type == 3 else None,
        monthday=parameter.get('monthday') if report_type == 4 else None,
        email=1 if parameter.get('email') else 0,
        address=sorted(set(str(address).lower() for address in parameter.get('address') or [])),
        gids=sorted(set(parameter.get('gids') or [])),
        contents=sorted(set(item.get('tbl_type') for item in parameter.get('contents') or [] if isinstance(item, dict))),
    )


# comparable() keys under the names the modules use
READABLE_FIELDS = dict(type='schedule', enabled='enabled', time='time', weekday='weekday', monthday='monthday',
                       email='recipients', address='recipients', gids='group_ids', contents='contents')


def differences(existing, wanted):
    """The option names whose values differ between two reports (sorted, without duplicates)."""
    have, want = comparable(existing), comparable(wanted)
    return sorted(set(READABLE_FIELDS[key] for key in have if have[key] != want[key]))


def readable_report(report):
    """A report (from the API or a body to send) in the modules' words."""
    setting, parameter = _parts(report)
    report_type = report.get('type')
    weekday = parameter.get('weekday')
    schedules = dict((code, name) for name, code in SCHEDULES.items())
    return dict(
        rtid=report.get('rtid'),
        name=setting.get('name'),
        schedule=schedules.get(report_type, report_type),
        weekday=WEEKDAYS[weekday] if report_type == 3 and weekday in range(7) else None,
        monthday=parameter.get('monthday') if report_type == 4 else None,
        time=format_time(parameter.get('time')),
        enabled=bool(setting.get('enabled')),
        recipients=list(parameter.get('address') or []),
        group_ids=list(parameter.get('gids') or []),
        contents=[CONTENT_NAMES.get(item.get('tbl_type'), item.get('tbl_type'))
                  for item in parameter.get('contents') or [] if isinstance(item, dict)],
        history_count=report.get('number'),
    )
