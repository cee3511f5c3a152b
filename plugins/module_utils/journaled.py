# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A destructive chore's batches under a journal (journal.py): what a run resumes, and the records around each send.

Every batch's intent is on disk before the batch goes out, its outcome after the answer. A later run on the same
journal skips the items recorded as done, holds back those sent without a recorded answer (the vendor may have
applied them) unless the operator asks to resend them, and sends the rest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.fleetops.maintenance.plugins.module_utils.common import FleetError
from ansible_collections.fleetops.maintenance.plugins.module_utils.journal import DONE, REFUSED, UNKNOWN, JournalError


class Resume(object):
    """What the journal says about this run's items, in their order: skipped (done before), held back (outcome
    unknown, not resent), resent (outcome unknown, resent on request) and to send (everything not skipped or held)."""

    def __init__(self, journal, items, resend_unknown):
        unknown = [item for item in items if journal.states.get(item) == UNKNOWN]
        self.journal = journal
        self.skipped = [item for item in items if journal.states.get(item) == DONE]
        self.held_back = [] if resend_unknown else unknown
        self.resent = unknown if resend_unknown else []
        held = set(self.held_back)
        self.to_send = [item for item in items if journal.states.get(item) != DONE and item not in held]

    def campaign_done(self):
        """Whether every item of the journal's campaign is now recorded as done."""
        return all(self.journal.states.get(item) == DONE for item in self.journal.header['items'])

    def finish_if_done(self):
        """Record the campaign as finished when every one of its items is done."""
        if self.campaign_done():
            self.journal.finish()

    def result(self):
        """The ``journal`` entry of the module result."""
        journal = self.journal
        return dict(path=journal.path, resumed=journal.resumed, started=when(journal.header.get('time')),
                    skipped=self.skipped, held_back=self.held_back, resent=self.resent,
                    finished=when(journal.finished))


def when(timestamp):
    """A journal time as an ISO 8601 UTC text (None stays None)."""
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def journaled(journal, action, details=None, evidence=None):
    """``action(batch)`` with the batch's intent recorded before it is sent and its outcome after.

    ``details(reply)`` gives what to keep in the outcome record (for example a task id). A journal that cannot be
    written stops the batch with a JournalError: before the send, nothing was sent; after it, the batch was applied
    but the journal holds it as unknown (the error's outcome is unknown). With ``evidence`` (a common.Evidence), the
    items of a batch with an unknown outcome that are proven applied are recorded as done, and the error raised names
    them in ``applied_items`` ({item: evidence}).
    """
    def send(batch):
        before = evidence.before(batch) if evidence else None
        try:
            number = journal.intent(batch)
        except JournalError as exc:
            raise JournalError('the batch was not sent: %s' % exc)
        try:
            reply = action(batch)
        except FleetError as exc:
            _record_failure(journal, number, batch, exc)
            proven = evidence.applied(batch, before) if evidence and exc.outcome_unknown else {}
            if proven and _resolved(journal, number, batch, proven):
                raise exc.with_applied(proven)
            raise
        try:
            journal.outcome(number, batch, DONE, **(details(reply) if details else {}))
        except JournalError as exc:
            raise JournalError('the vendor accepted the batch, but the journal could not record it (%s); the journal '
                               'holds its items as sent without an answer' % exc, outcome_unknown=True)
        return reply
    return send


def _record_failure(journal, number, batch, error):
    """Record a failed batch: refused (not applied, may be sent again) or unknown (it may have been applied)."""
    try:
        journal.outcome(number, batch, UNKNOWN if error.outcome_unknown else REFUSED, error=error.message)
    except JournalError:
        pass  # the intent stays without an outcome, which reads as unknown: the safe side; the API error is reported


def _resolved(journal, number, batch, proven):
    """Record the items proven applied as done; False when that cannot be written (they stay unknown)."""
    try:
        journal.resolved(number, [item for item in batch if item in proven], proven)
    except JournalError:
        return False
    return True
