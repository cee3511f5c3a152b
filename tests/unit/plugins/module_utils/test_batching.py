# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, chunks, run_batches


def test_chunks_cover_every_item_once_in_order():
    items = list(range(23))
    batches = list(chunks(items, 10))
    assert [len(batch) for batch in batches] == [10, 10, 3]
    assert [item for batch in batches for item in batch] == items
    assert not list(chunks([], 10))


def test_chunks_refuse_a_size_below_one():
    with pytest.raises(ValueError):
        list(chunks([1], 0))


def test_run_batches_returns_a_result_per_batch():
    assert run_batches(list(range(5)), 2, sum) == [1, 5, 4]


def test_failure_in_batch_k_keeps_the_finished_batches_and_the_rest():
    def action(batch):
        if 4 in batch:
            raise RuntimeError('boom')
        return len(batch)

    with pytest.raises(BatchFailure) as caught:
        run_batches(list(range(9)), 2, action, errors=(RuntimeError,))
    failure = caught.value
    assert failure.completed == [2, 2]
    assert failure.failed_index == 2
    assert failure.failed_items == [4, 5]
    assert failure.unprocessed_items == [4, 5, 6, 7, 8]
    assert failure.outcome_unknown is False and failure.outcome_unknown_items == []
    assert failure.summary() == 'batch 3 of 5 failed (2 batches completed before it; 5 items not processed): boom'


def test_errors_not_listed_propagate_unchanged():
    def action(batch):
        raise KeyError('bug')

    with pytest.raises(KeyError):
        run_batches([1, 2], 1, action, errors=(RuntimeError,))


class Refused(Exception):
    outcome_unknown = False


class Unknown(Exception):
    outcome_unknown = True


def test_concurrent_results_are_in_input_order_and_equal_the_sequential_ones():
    def action(batch):
        time.sleep(0.02 * (5 - batch[0] % 5))  # later batches finish first
        return [item * 2 for item in batch]

    items = list(range(37))
    assert run_batches(items, 3, action, concurrency=4) == run_batches(items, 3, action, concurrency=1)


def test_at_most_concurrency_batches_are_in_flight():
    lock, state = threading.Lock(), dict(now=0, most=0)

    def action(batch):
        with lock:
            state['now'] += 1
            state['most'] = max(state['most'], state['now'])
        time.sleep(0.02)
        with lock:
            state['now'] -= 1
        return batch

    run_batches(list(range(40)), 2, action, concurrency=3)
    assert state['most'] == 3


def test_a_failure_stops_new_batches_and_lets_those_in_flight_finish():
    """Batch 2 fails while batches 1 and 3 are in flight: they finish and count as completed; batches 4 and
    later are never sent; batch 2's items are not processed (the refusal was not applied)."""
    started = []

    def action(batch):
        started.append(batch[0])
        if batch[0] == 2:
            raise Refused('refused')
        time.sleep(0.2)  # still in flight when batch 2 fails
        return batch[0]

    with pytest.raises(BatchFailure) as caught:
        run_batches([0, 1, 2, 3, 4, 5, 6, 7], 2, action, errors=(Refused,), concurrency=3)
    failure = caught.value
    assert sorted(started) == [0, 2, 4] and 6 not in started
    assert failure.failed_index == 1 and failure.completed == [0, 4]
    assert [number for number, items, result in failure.completed_batches] == [1, 3]
    assert failure.unprocessed_items == [2, 3, 6, 7]
    assert failure.summary() == ('batch 2 of 4 failed (2 batches completed (1 of them after it, already in flight); '
                                 '4 items not processed): refused')


def test_failures_in_flight_keep_unknown_outcomes_apart_from_work_not_done():
    def action(batch):
        if batch[0] == 0:
            time.sleep(0.05)
            raise Unknown('timeout after sending')
        if batch[0] == 2:
            raise Refused('HTTP 503')
        return batch[0]

    with pytest.raises(BatchFailure) as caught:
        run_batches([0, 1, 2, 3, 4, 5], 2, action, errors=(Refused, Unknown), concurrency=2)
    failure = caught.value
    assert failure.failed_index == 0 and str(failure.error) == 'timeout after sending'
    assert failure.outcome_unknown is True and failure.outcome_unknown_items == [0, 1]
    assert failure.unprocessed_items == [2, 3, 4, 5]  # batch 2 refused, batch 3 never sent
    assert failure.completed == []


def test_an_unexpected_error_in_a_worker_is_raised_as_it_is():
    def action(batch):
        raise KeyError('bug')

    with pytest.raises(KeyError):
        run_batches([1, 2, 3, 4], 1, action, errors=(Refused,), concurrency=2)


def test_items_proven_applied_are_not_in_doubt():
    class Lost(Exception):
        outcome_unknown = True

    def send(batch):
        if batch == ['c', 'd']:
            error = Lost('answer lost')
            error.applied_items = {'c': 'seen resetting'}
            raise error
        return batch

    with pytest.raises(BatchFailure) as caught:
        run_batches(['a', 'b', 'c', 'd', 'e'], 2, send, errors=(Lost,))
    failure = caught.value
    assert failure.outcome_unknown_items == ['d']
    assert failure.proven_applied == [(2, 'c', 'seen resetting')]
    assert failure.unprocessed_items == ['e']
    assert '1 item with an unknown outcome; 1 item of the failed batch proven applied' in failure.summary()


def test_a_failure_of_a_batch_of_unhashable_items():
    class Lost(Exception):
        outcome_unknown = True

    def send(batch):
        raise Lost('answer lost')

    with pytest.raises(BatchFailure) as caught:
        run_batches([{'ip': '10.0.0.1'}, {'ip': '10.0.0.2'}], 1, send, errors=(Lost,))
    assert caught.value.outcome_unknown_items == [{'ip': '10.0.0.1'}]
    assert caught.value.proven_applied == []
