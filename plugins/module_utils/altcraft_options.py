# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Altcraft for the modules: the connection options (documented in the fleetops.maintenance.altcraft doc
fragment) and the checks of the values the modules send. Checks return the value or raise InvalidInput.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft import AltcraftClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput, http_url, positive
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import Vendor

ALTCRAFT_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', fallback=(env_fallback, ['ALTCRAFT_API_URL'])),
    api_token=dict(type='str', no_log=True, fallback=(env_fallback, ['ALTCRAFT_API_TOKEN'])),
)
# What every Altcraft module counts: a resource, for one of its databases.
# raw, checked by check_target: Ansible's int would take '1_0' as 10 and '1.0' as 1, and raise on 'INFINITY'.
TARGET_ARGUMENT_SPEC = dict(
    resource_id=dict(type='raw', required=True),
    list_id=dict(type='raw', required=True),
)
_WHOLE_NUMBER = re.compile(r'\A\s*\+?[0-9]+\s*\Z')

_DURATION_PART = re.compile(r'(\d+(?:\.\d+)?)\s*([smhdw]?)', re.IGNORECASE)
_DURATION_WHOLE = re.compile(r'^\s*(?:\d+(?:\.\d+)?\s*[smhdw]?\s*)+$', re.IGNORECASE)
_UNIT_SECONDS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}


def check_target(params):
    """resource_id and list_id are positive integers, given as integers or strings of digits (every Altcraft module
    takes them); each becomes an int."""
    for name in ('resource_id', 'list_id'):
        value = params[name]
        whole = not isinstance(value, bool) and (isinstance(value, int) or (isinstance(value, str) and _WHOLE_NUMBER.match(value)))
        if not whole or int(value) < 1:
            raise InvalidInput('%s must be a positive integer, got %r' % (name, value))
        params[name] = int(value)


ALTCRAFT = Vendor('altcraft', ALTCRAFT_ARGUMENT_SPEC, AltcraftClient, required=('api_url', 'api_token'),
                  check=check_target)


def parse_duration(value):
    """Seconds from 3600, '3600', '90s', '30m', '12h', '1d', '2w' or '1h30m'; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError('not a duration: %r' % (value,))
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value)
        if not _DURATION_WHOLE.match(text):
            raise ValueError('not a duration: %r' % (value,))
        seconds = sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in _DURATION_PART.findall(text))
    if seconds <= 0:
        raise ValueError('a duration must be greater than 0: %r' % (value,))
    return seconds


def max_age(value):
    """max_age in seconds (None when not set)."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError:
        raise InvalidInput('max_age must be a positive number of seconds or a duration such as 30m, 12h or 1d, '
                           'got %r' % (value,))


def feedback(params):
    """feedback_url must be an http(s) URL; feedback_type must not be empty."""
    if params['feedback_url'] is not None:
        try:
            http_url('feedback_url', params['feedback_url'])
        except InvalidInput:
            raise InvalidInput('feedback_url must be an http:// or https:// URL, got %r' % params['feedback_url'])
    if not params['feedback_type'] or not params['feedback_type'].strip():
        raise InvalidInput('feedback_type must not be empty')


def waiting(params):
    """wait_timeout and poll_interval are finite numbers greater than 0."""
    for name in ('wait_timeout', 'poll_interval'):
        positive(name, params[name])


def refresh_options(params):
    """The checks of a recount's options (feedback, waiting); returns max_age in seconds (None when not set)."""
    feedback(params)
    waiting(params)
    return max_age(params['max_age'])
