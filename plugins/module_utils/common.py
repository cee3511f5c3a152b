# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shapes every layer shares, at the bottom of module_utils: the one error family, the Vendor descriptor and
the Evidence a journaled chore gives.

Every failure the collection reports is a FleetError: it says whether what failed may have been applied
(``outcome_unknown``) and gives itself as the ``error`` dict of a module result (``to_dict()``). The API, input,
journal, task and batch failures derive from it, so the runtime and the batch runner catch one class. Nothing here
imports another file of the collection, or Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import copy

OUTCOME_UNKNOWN_TEXT = 'The outcome is unknown: the request may have been applied, check before running it again'


class FleetError(Exception):
    """A failure the collection reports: its message, whether it may have been applied, and its ``kind``."""

    kind = 'error'

    def __init__(self, message='', outcome_unknown=False):
        super(FleetError, self).__init__(message)
        self._outcome_unknown = outcome_unknown
        self.applied_items = {}  # items of a failed batch proven applied after all ({item: evidence}; journaled.py)

    @property
    def outcome_unknown(self):
        """True when what failed may have been applied (a write that got no usable answer)."""
        return self._outcome_unknown

    @property
    def message(self):
        """What failed, without the outcome sentence."""
        return self.args[0] if self.args else ''

    def __str__(self):
        if self.outcome_unknown:
            return '%s. %s' % (self.message, OUTCOME_UNKNOWN_TEXT)
        return self.message

    def to_dict(self):
        """The error as the ``error`` dict of a module result (no secrets: only what failed and where)."""
        return dict(method=None, path=None, status=None, vendor_code=None, vendor_message=None, request_id=None,
                    outcome_unknown=self.outcome_unknown, kind=self.kind)

    def with_applied(self, items):
        """The same error, naming the items of its batch proven applied after all ({item: evidence}); a copy, so
        that an error is never changed on its way up."""
        proven = copy.copy(self)
        proven.applied_items = dict(items)
        return proven


class Vendor(collections.namedtuple('Vendor', 'name argument_spec client required urls check headers batch_size')):
    """What the runtime knows of a vendor: its options, the ones it needs, how to check them, how to open its client.

    ``required`` options may come from the environment; a missing one is reported with its variables.
    ``urls`` are the URL options checked before anything is sent. ``check(params)`` raises InvalidInput.
    ``client(params)`` returns the vendor client (a context manager). ``headers`` are the options sent as HTTP header
    values, which must be printable ASCII. ``batch_size`` is the most items one of the vendor's batch calls takes.
    """

    __slots__ = ()

    def __new__(cls, name, argument_spec, client, required=(), urls=('api_url',), check=None, headers=(),
                batch_size=None):
        return super(Vendor, cls).__new__(cls, name, argument_spec, client, required, urls, check, headers, batch_size)


class Evidence(object):
    """How a chore proves, after a batch's answer was lost, which of its items were applied: ``before(batch)`` is
    read before the batch is sent, ``applied(batch, before)`` right after the unknown outcome returns {item: evidence}."""

    def __init__(self, before, applied):
        self.before = before
        self.applied = applied
