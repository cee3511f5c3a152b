# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A failed batch run's summary, word for word (what an operator reads), and the batch size check."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, chunks, run_batches


class Unknown(Exception):
    outcome_unknown = True


def test_one_batch_one_item_unknown_one_unprocessed():
    failure = BatchFailure([['a'], ['b'], ['c']], {0: 'done'}, {1: Unknown('timeout'), 2: ValueError('refused')})
    assert failure.summary() == ('batch 2 of 3 failed (1 batch completed before it; 1 item with an unknown outcome; '
                                 '1 item not processed): timeout')


def test_several_batches_and_items_and_one_after_the_failure():
    failure = BatchFailure([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g']], {0: 'done', 3: 'done'},
                           {1: Unknown('timeout'), 2: ValueError('refused')})
    assert failure.summary() == ('batch 2 of 4 failed (2 batches completed (1 of them after it, already in flight); '
                                 '2 items with an unknown outcome; 2 items not processed): timeout')


def test_the_failed_batch_itself_is_not_counted_as_after_it():
    failure = BatchFailure([['a'], ['b']], {1: 'late'}, {0: ValueError('refused')})
    assert failure.summary() == ('batch 1 of 2 failed (1 batch completed (1 of them after it, already in flight); '
                                 '1 item not processed): refused')


def test_a_batch_size_under_one_is_refused():
    with pytest.raises(ValueError) as caught:
        list(chunks([1, 2], 0))
    assert str(caught.value) == 'batch size must be at least 1'


def test_run_batches_is_sequential_by_default():
    order = []
    assert run_batches([1, 2, 3], 1, lambda batch: order.append(batch) or batch) == [[1], [2], [3]]
    assert order == [[1], [2], [3]]
