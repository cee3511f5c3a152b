# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Altcraft Platform user API v1.1 client: auth, error answers, one method per call, and what its counters
answers mean.

Every call is ``POST <api_url>/api/v1.1/<method>`` with a JSON body carrying the API token as ``token`` (never in
the URL). The body's ``error`` other than 0 is a failure whatever the HTTP status. Nothing here knows about
Ansible; the options and their checks are in altcraft_options.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re
import time

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import KIND_API, KIND_AUTH, KIND_MALFORMED, ApiError, VendorClient, VendorError
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed, wait_for_task

API_PREFIX = '/api/v1.1/'
AUTH_HINT = 'Check api_token, and that its role and object groups give access to this resource and database'
# Documented codes: 0 success, 400 incorrect request, 401 API token required,
# 402 tariff limit reached, 403 no access rights.
AUTH_CODES = frozenset([401, 403])
COMPLETED = 'completed'
# Only "completed" is documented; these are the names that plainly mean the task ended badly.
FAILED_STATES = frozenset(['error', 'failed', 'failure', 'cancelled', 'canceled'])

_ISO_TIME = re.compile(
    r'(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?', re.IGNORECASE)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float
        return None


def parse_error(status, data):
    """(error, error_text[, kind]) for a failed answer, None for a success.

    The body's ``error`` decides whatever the HTTP status; an HTTP error status
    without an Altcraft body is a failure too.
    """
    if isinstance(data, dict) and 'error' in data:
        code = data.get('error')
        number = _as_int(code)
        if number == 0 and status < 400:
            return None
        kind = KIND_AUTH if (number in AUTH_CODES or status in (401, 403)) else KIND_API
        return VendorError(code, data.get('error_text'), kind)
    if status >= 400:
        return VendorError()
    return None


def parse_time(text):
    """Unix seconds from an ISO-8601 time found in ``text`` (UTC when it has no offset), or None."""
    match = _ISO_TIME.search(text or '')
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if match.group(7):
        seconds += float('0.' + match.group(7))
    offset = match.group(8)
    if offset and offset.upper() != 'Z':
        digits = offset[1:].replace(':', '')
        delta = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        seconds -= delta if offset[0] == '+' else -delta
    return seconds


def counted_at(entry):
    """When the counters were last counted (unix seconds) from ``updated``, else ``last_count_time``."""
    if not entry:
        return None
    for key in ('updated', 'last_count_time'):
        value = entry.get(key)
        if value:
            moment = parse_time(str(value))
            if moment is not None:
                return moment
    return None


def counters_by_channel(entry):
    """``{channel: {all, subscribed, ...}}`` from a result entry's ``channels`` list."""
    counters = {}
    channels = (entry or {}).get('channels')
    for item in channels if isinstance(channels, list) else []:
        channel = item.get('channel') if isinstance(item, dict) else None
        if channel and isinstance(channel, str):
            status = item.get('status')
            counters[channel] = dict(status) if isinstance(status, dict) else {}
    return counters


def pick_entry(result, list_id):
    """The result entry of ``list_id`` from a list of entries (or a single entry); None when empty."""
    if isinstance(result, dict):
        result = [result]
    if not isinstance(result, list):
        return None
    entries = [entry for entry in result if isinstance(entry, dict)]
    for entry in entries:
        if _as_int(entry.get('list_id')) == list_id:
            return entry
    return entries[0] if entries else None


def counters_entry(data, list_id):
    """One counters entry (``channels``, and the count time when given) from a get_counters ``data``.

    The documented get_counters answers (databases/get-counters, segments/get-counters) are a list of
    channels, ``[{"channel", "status"}]``, with no count time. The result of a completed refresh task
    (``[{"channels", "list_id", "updated", "last_count_time", ...}]``) is read too, should a server send it.
    """
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    if any(isinstance(item, dict) and 'channel' in item for item in items):
        return dict(channels=[item for item in items if isinstance(item, dict)])
    return pick_entry(data, list_id)


def summarize(entry, now=None):
    """What the modules return about one list's counters."""
    moment = counted_at(entry)
    now = time.time() if now is None else now
    entry = entry or {}
    return dict(
        counters=counters_by_channel(entry),
        last_count_time=entry.get('last_count_time') or None,
        updated=entry.get('updated') or None,
        in_progress=bool(entry.get('in_progress')),
        age_seconds=None if moment is None else round(now - moment, 3),
    )


def age_unknown(summary):
    """True when there are counters but the answer did not say when they were counted."""
    return bool(summary['counters']) and summary['age_seconds'] is None


def task_outcome(state):
    """'done', 'failed' or 'running' for a tasks/status ``data`` object."""
    status = str((state or {}).get('status') or '').strip().lower()
    if status == COMPLETED:
        return 'done'
    if status in FAILED_STATES:
        return 'failed'
    return 'running'


def describe_state(state):
    """A short text of a task's last known state, for failure messages."""
    state = state or {}
    text = 'last status %r, progress %r' % (state.get('status'), state.get('progress'))
    if state.get('error_text'):
        text += ', error_text %r' % state['error_text']
    return text


class AltcraftClient(VendorClient):
    """The Altcraft calls the modules need; raises ApiError or TaskFailed."""

    def __init__(self, params, session=None):
        super(AltcraftClient, self).__init__(params, session=session)
        self.token = params['api_token']
        self.client = self.http(params['api_url'], error_parser=parse_error, auth_hint=AUTH_HINT)

    def _call(self, method, body, idempotent):
        payload = dict(token=self.token)
        payload.update(body)
        response = self.client.request('POST', API_PREFIX + method, json_body=payload, idempotent=idempotent)
        if not isinstance(response.data, dict) or 'error' not in response.data:
            raise ApiError('HTTP %d without the Altcraft "error" field' % response.status, method='POST',
                           path=API_PREFIX + method, status=response.status, kind=KIND_MALFORMED,
                           outcome_unknown=not idempotent)
        return response.data.get('data')

    def _malformed(self, method, what, outcome_unknown=False):
        return ApiError('unexpected answer: %s' % what, method='POST', path=API_PREFIX + method, kind=KIND_MALFORMED,
                        outcome_unknown=outcome_unknown)

    def refresh_counters(self, resource_id, list_id, feedback_url=None, feedback_type='JSON'):
        """Start a recount of a resource's counters for one database; returns the task data (task_id, ...)."""
        body = dict(id=resource_id, list_id=list_id)
        if feedback_url:
            body['feedback'] = dict(type=feedback_type, url=feedback_url)
        # Only recounts, but a write all the same: an unanswered POST is reported, not replayed.
        data = self._call('resources/refresh_counters', body, idempotent=False)
        if not isinstance(data, dict) or not data.get('task_id'):
            raise self._malformed('resources/refresh_counters', 'no data.task_id', outcome_unknown=True)
        return data

    def task_status(self, task_id):
        """The ``data`` of tasks/status: status, progress, result[, ...]."""
        data = self._call('tasks/status', dict(task_id=task_id), idempotent=True)
        if not isinstance(data, dict):
            raise self._malformed('tasks/status', 'data is not an object')
        return data

    def get_counters(self, resource_id, list_id):
        """The current counters entry of one database of a resource (None if there is none).

        Assumption: the request body ``{token, id, list_id}``. The page of resources/get_counters could not be
        found; the body follows resources/refresh_counters (the siblings differ: databases/get_counters takes
        ``{id: database, resource_id}``, segments/get_counters ``{list_id, resource_id, id: segment}``).
        """
        data = self._call('resources/get_counters', dict(id=resource_id, list_id=list_id), idempotent=True)
        if data is not None and not isinstance(data, (list, dict)):
            raise self._malformed('resources/get_counters', 'data is neither a list nor an object')
        return counters_entry(data, list_id)

    def wait_for_task(self, task_id, timeout, interval, sleep=time.sleep, clock=time.monotonic):
        """Poll tasks/status until ``completed``; TaskFailed (with the last state) on an error or timeout."""
        try:
            return wait_for_task(task_id, lambda: self.task_status(task_id), task_outcome, timeout, interval,
                                 sleep=sleep, clock=clock)
        except TaskFailed as exc:
            if exc.timed_out:
                message = 'task %s did not complete within %s seconds (%s)' % (task_id, timeout, describe_state(exc.last_state))
            else:
                message = 'task %s failed (%s)' % (task_id, describe_state(exc.last_state))
            raise TaskFailed(message, task_id, exc.last_state, timed_out=exc.timed_out)
