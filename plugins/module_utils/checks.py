# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How input is checked, the same way everywhere: a check returns the value to use, or raises InvalidInput
with a message that names the option and the cause. The module runtime turns it into fail_json before
anything is sent. Nothing here knows about Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import unicodedata

from urllib.parse import urlsplit

from ansible_collections.fleetops.maintenance.plugins.module_utils.common import FleetError


class InvalidInput(FleetError, ValueError):
    """An option value that cannot be used; the message says which option and why."""

    kind = 'input'


def finite(name, value):
    """inf and nan pass every comparison check: refuse them by name."""
    if value is not None and not math.isfinite(value):
        raise InvalidInput('%s must be a finite number, got %s' % (name, value))
    return value


def positive(name, value):
    """A finite number greater than 0."""
    if finite(name, value) is not None and value <= 0:
        raise InvalidInput('%s must be greater than 0, got %s' % (name, value))
    return value


def not_negative(name, value):
    """A finite number of 0 or more."""
    if finite(name, value) is not None and value < 0:
        raise InvalidInput('%s must be 0 or more, got %s' % (name, value))
    return value


def at_least(name, value, minimum):
    """A number of at least ``minimum``."""
    if finite(name, value) is not None and value < minimum:
        raise InvalidInput('%s must be at least %s, got %s' % (name, minimum, value))
    return value


def http_url(option, value, env=None):
    """An http(s) URL without credentials, query or fragment."""
    if not value:
        raise InvalidInput('%s is required (or set %s)' % (option, env) if env else '%s is required' % option)
    parts = urlsplit(value)
    if '@' in value:
        raise InvalidInput('%s must not contain credentials (user:password@)' % option)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise InvalidInput('%s must be an http:// or https:// URL, got %r' % (option, value))
    if parts.query or parts.fragment:
        raise InvalidInput('%s must not contain a query or a fragment' % option)
    return value


def header_text(option, value):
    """A value sent as an HTTP header: printable ASCII only. HTTP carries header values as Latin-1 at best and the
    vendors' credentials are ASCII, so anything else is a paste error (typographic quotes, a line break) that would
    otherwise fail in the HTTP library, quoting the header. The message names the character, never the value."""
    for char in value or '':
        if not ' ' <= char <= '~':
            raise InvalidInput(
                '%s must hold only printable ASCII characters (it is sent in an HTTP header), but it holds U+%04X (%s); '
                'typographic quotes or a line break pasted with the value are the usual cause (the value is not shown)'
                % (option, ord(char), unicodedata.name(char, 'a control character')))
    return value


def connection(params):
    """The connection options every module shares."""
    positive('timeout', params['timeout'])
    for name in ('retries', 'retry_backoff', 'rate_limit_timeout'):
        not_negative(name, params[name])


def unique(items):
    """The items without repeats, first occurrence first."""
    seen = set()
    return [item for item in items if not (item in seen or seen.add(item))]
