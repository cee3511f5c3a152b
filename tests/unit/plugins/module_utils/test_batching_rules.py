# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which thread runs the batches: one worker (the default) or one batch means no pool, the batches run in the
caller's thread (where its thread-local state is: the HTTP client's session and pause); two workers have two
batches in flight at once; a bug in one batch is raised even when another batch failed at the same moment; and the
summary's count of items proven applied."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure, run_batches


class Refused(Exception):
    pass


class LostAnswer(Exception):
    """A write whose answer was lost; two of its three items were found applied afterwards."""
    outcome_unknown = True
    applied_items = {'a': 'status 4', 'b': 'status 4'}


def threads_used(items, size, **kwargs):
    threads = []
    run_batches(items, size, lambda batch: threads.append(threading.current_thread()) or batch, **kwargs)
    return threads


@pytest.mark.parametrize('kwargs', [{}, dict(concurrency=1), dict(concurrency=0)])
def test_one_worker_runs_every_batch_in_the_calling_thread(kwargs):
    assert threads_used([1, 2, 3], 1, **kwargs) == [threading.current_thread()] * 3


def test_a_single_batch_runs_in_the_calling_thread_whatever_the_concurrency():
    assert threads_used([1, 2, 3], 5, concurrency=4) == [threading.current_thread()]


@pytest.mark.parametrize('items, size', [([1, 2], 1), ([1, 2, 3, 4], 2)])
def test_two_workers_have_two_batches_in_flight_at_once(items, size):
    both_started = threading.Barrier(2, timeout=10)  # broken (an error) unless two batches wait on it together

    def action(batch):
        both_started.wait()
        return batch

    assert run_batches(items, size, action, concurrency=2) == [items[start:start + size]
                                                               for start in range(0, len(items), size)]


def test_a_bug_is_raised_even_when_other_batches_failed_at_the_same_moment():
    """Seven batches refused and one hitting a bug, all ending together: the bug comes out, not a BatchFailure
    that would hide it (repeated, as the order in which finished batches are seen varies)."""
    for dummy in range(30):
        together = threading.Barrier(8, timeout=10)

        def action(batch):
            together.wait()
            if batch == [3]:
                raise KeyError('bug')
            raise Refused('refused')

        with pytest.raises(KeyError):
            run_batches(list(range(8)), 1, action, errors=(Refused,), concurrency=8)


def test_the_summary_counts_the_items_proven_applied():
    failure = BatchFailure([['x'], ['a', 'b', 'c'], ['d']], {0: 'done'}, {1: LostAnswer('timeout')})
    assert failure.summary() == ('batch 2 of 3 failed (1 batch completed before it; 1 item with an unknown outcome; '
                                 '2 items of the failed batch proven applied; 1 item not processed): timeout')
