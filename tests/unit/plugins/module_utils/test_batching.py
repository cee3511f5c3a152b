# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

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
    assert failure.remaining_items == [6, 7, 8]
    assert failure.summary() == 'batch 3 of 5 failed (2 batches completed before it; 5 items not processed): boom'


def test_errors_not_listed_propagate_unchanged():
    def action(batch):
        raise KeyError('bug')

    with pytest.raises(KeyError):
        run_batches([1, 2], 1, action, errors=(RuntimeError,))
