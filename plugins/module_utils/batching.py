# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split work into the vendor's batch size, send up to ``concurrency`` batches at once, and keep a result per
batch, so that a failure part-way still tells what the finished batches did.

With more than one worker, a failure stops new batches from being sent; the batches already in flight run to
their end, and their results are kept too: completed, outcome unknown, or not processed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.fleetops.maintenance.plugins.module_utils.common import FleetError


def chunks(items, size):
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError('batch size must be at least 1')
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _count(number, singular, plural):
    return '%d %s' % (number, singular if number == 1 else plural)


class BatchFailure(FleetError):
    """At least one batch failed. ``failed_index`` (0-based) is the first that failed and ``error`` its error;
    ``results`` holds the result of every batch that completed, by index (with one worker, those before it)."""

    def __init__(self, batches, results, errors):
        self.batches = batches
        self.results = results
        self.errors = errors
        self.failed_index = min(errors)
        self.error = errors[self.failed_index]
        self.total_batches = len(batches)
        super(BatchFailure, self).__init__(self.summary())

    def __str__(self):
        return self.summary()

    def to_dict(self):
        """The error of the first batch that failed."""
        return self.error.to_dict()

    @property
    def completed(self):
        """The results of the batches that completed, in batch order."""
        return [self.results[index] for index in sorted(self.results)]

    @property
    def completed_batches(self):
        """(1-based batch number, items, result) of each batch that completed, in batch order."""
        return [(index + 1, self.batches[index], self.results[index]) for index in sorted(self.results)]

    @property
    def failed_items(self):
        """The items of the first batch that failed."""
        return list(self.batches[self.failed_index])

    def _unknown(self, index):
        return bool(getattr(self.errors[index], 'outcome_unknown', False))

    @property
    def outcome_unknown(self):
        """True when a failed batch may have been applied (a write that got no usable answer)."""
        return any(self._unknown(index) for index in self.errors)

    def _proven(self, index):
        return getattr(self.errors[index], 'applied_items', None) or {}

    @property
    def outcome_unknown_items(self):
        """Items of failed batches that may have been applied: check them before sending them again (those proven
        applied after all are not among them)."""
        return [item for index in sorted(self.errors) if self._unknown(index) for item in self.batches[index]
                if not (self._proven(index) and item in self._proven(index))]  # items may be unhashable (dicts)

    @property
    def proven_applied(self):
        """(1-based batch number, item, evidence) of the items of failed batches proven applied after all."""
        return [(index + 1, item, self._proven(index)[item]) for index in sorted(self.errors) if self._proven(index)
                for item in self.batches[index] if item in self._proven(index)]

    @property
    def unprocessed_items(self):
        """Items certainly not processed (refused, or never sent): safe to send again."""
        return [item for index, batch in enumerate(self.batches)
                if index not in self.results and not (index in self.errors and self._unknown(index)) for item in batch]

    def summary(self):
        done = len(self.results)
        after = len([index for index in self.results if index > self.failed_index])
        parts = ['%s completed %s' % (_count(done, 'batch', 'batches'),
                                      'before it' if not after else '(%d of them after it, already in flight)' % after)]
        if self.outcome_unknown:
            parts.append('%s with an unknown outcome' % _count(len(self.outcome_unknown_items), 'item', 'items'))
        if self.proven_applied:
            parts.append('%s of the failed batch proven applied' % _count(len(self.proven_applied), 'item', 'items'))
        parts.append('%s not processed' % _count(len(self.unprocessed_items), 'item', 'items'))
        return 'batch %d of %d failed (%s): %s' % (
            self.failed_index + 1, self.total_batches, '; '.join(parts), self.error)


def run_batches(items, size, action, errors=(FleetError,), concurrency=1):
    """Call ``action(batch)`` for each batch and return the list of its results, in batch order.

    Up to ``concurrency`` batches are sent at once. When an action raises one of ``errors``, no further batch is
    started; those in flight finish, and BatchFailure carries every result and every failure.
    """
    batches = list(chunks(items, size))
    if concurrency <= 1 or len(batches) <= 1:
        return _sequential(batches, action, errors)
    return _parallel(batches, action, errors, concurrency)


def _sequential(batches, action, errors):
    results = {}
    for index, batch in enumerate(batches):
        try:
            results[index] = action(batch)
        except errors as exc:
            raise BatchFailure(batches, results, {index: exc})
    return [results[index] for index in range(len(batches))]


def _parallel(batches, action, errors, concurrency):
    results, failures, lock = {}, {}, threading.Lock()

    def run(index):
        try:
            outcome = action(batches[index])
        except errors as exc:
            with lock:
                failures[index] = exc
            return
        with lock:
            results[index] = outcome

    pending = iter(range(len(batches)))
    with ThreadPoolExecutor(max_workers=min(concurrency, len(batches))) as pool:
        in_flight = set(pool.submit(run, index) for index in itertools.islice(pending, concurrency))
        while in_flight:
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()  # an error that is not one of ``errors`` is a bug: let it through
                if failures:
                    continue
                index = next(pending, None)
                if index is not None:
                    in_flight.add(pool.submit(run, index))
    if failures:
        raise BatchFailure(batches, results, failures)
    return [results[index] for index in range(len(batches))]
