# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One error family: every failure the collection reports is a FleetError, the batch runner catches the base, a
journal failure is a JournalError with the error dict the failure contract has always had, and an error proven
applied is raised as a copy, never changed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import journaled as journaled_utils
from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, run_batches
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import OUTCOME_UNKNOWN_TEXT, Evidence, FleetError
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.journal import JournalError
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed

# The error dict of a journal failure, as the failure contract has had it (an ApiError of kind journal before).
JOURNAL_ERROR = dict(method=None, path=None, status=None, vendor_code=None, vendor_message=None, request_id=None,
                     kind='journal')


def test_every_failure_is_a_fleet_error():
    errors = [ApiError('refused'), InvalidInput('bad'), JournalError('locked'), TaskFailed('late', 't1', None),
              BatchFailure([[1]], {}, {0: ApiError('refused')})]
    assert all(isinstance(error, FleetError) for error in errors)
    assert [error.kind for error in errors[1:4]] == ['input', 'journal', 'task']
    assert isinstance(errors[1], ValueError)  # what callers caught before the family


def test_the_batch_runner_catches_the_base_and_lets_a_bug_through():
    def refuse(batch):
        raise JournalError('the batch was not sent: locked')
    with pytest.raises(BatchFailure) as caught:
        run_batches([1, 2], 1, refuse)
    assert caught.value.failed_index == 0 and caught.value.unprocessed_items == [1, 2]
    assert caught.value.to_dict() == dict(JOURNAL_ERROR, outcome_unknown=False)

    def bug(batch):
        raise KeyError('a bug')
    with pytest.raises(KeyError):
        run_batches([1, 2], 1, bug)


class FailingJournal(object):
    """A journal whose intent or outcome records cannot be written."""

    def __init__(self, fail_on):
        self.fail_on = fail_on
        self.records = []

    def intent(self, batch):
        if self.fail_on == 'intent':
            raise JournalError('journal j could not be written (No space left on device): nothing more is sent')
        return 1

    def outcome(self, number, batch, state, **details):
        if self.fail_on == 'outcome':
            raise JournalError('journal j could not be written (No space left on device): nothing more is sent')
        self.records.append((number, list(batch), state))

    def resolved(self, number, items, proven):
        self.records.append((number, items, 'resolved'))


def test_a_journal_that_cannot_record_the_intent_sends_nothing_and_says_so():
    sent = []
    send = journaled_utils.journaled(FailingJournal('intent'), sent.append)
    with pytest.raises(JournalError) as caught:
        send(['a'])
    assert sent == []
    assert caught.value.to_dict() == dict(JOURNAL_ERROR, outcome_unknown=False)
    assert str(caught.value) == ('the batch was not sent: journal j could not be written (No space left on device): '
                                 'nothing more is sent')


def test_a_journal_that_cannot_record_the_outcome_makes_the_batch_unknown():
    send = journaled_utils.journaled(FailingJournal('outcome'), lambda batch: dict(task_id='t'))
    with pytest.raises(JournalError) as caught:
        send(['a'])
    assert caught.value.outcome_unknown and caught.value.to_dict() == dict(JOURNAL_ERROR, outcome_unknown=True)
    assert str(caught.value).endswith('holds its items as sent without an answer. ' + OUTCOME_UNKNOWN_TEXT)


def test_an_error_proven_applied_is_a_copy_and_the_original_is_unchanged():
    lost = ApiError('connection failed', method='POST', path='/v1/instances/batch-reset', outcome_unknown=True,
                    kind='connection')
    journal = FailingJournal(None)
    evidence = Evidence(lambda batch: {'a': 2, 'b': 2}, lambda batch, before: {'a': 'seen resetting'})

    def send(batch):
        raise lost
    with pytest.raises(ApiError) as caught:
        journaled_utils.journaled(journal, send, evidence=evidence)(['a', 'b'])
    assert caught.value is not lost
    assert caught.value.applied_items == {'a': 'seen resetting'} and lost.applied_items == {}
    assert str(caught.value) == str(lost) and caught.value.to_dict() == lost.to_dict()
    assert journal.records == [(1, ['a', 'b'], 'unknown'), (1, ['a'], 'resolved')]
    failure = BatchFailure([['a', 'b']], {}, {0: caught.value})
    assert failure.outcome_unknown_items == ['b'] and failure.proven_applied == [(1, 'a', 'seen resetting')]
