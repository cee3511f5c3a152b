# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split work into the vendor's batch size and keep a result per batch, so a
failure part-way still tells what the finished batches did."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def chunks(items, size):
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError('batch size must be at least 1')
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BatchFailure(Exception):
    """Batch ``failed_index`` (0-based) failed; ``completed`` holds the results of those before it."""

    def __init__(self, error, completed, failed_index, failed_items, remaining_items, total_batches):
        super(BatchFailure, self).__init__(str(error))
        self.total_batches = total_batches
        self.error = error
        self.completed = completed
        self.failed_index = failed_index
        self.failed_items = failed_items
        self.remaining_items = remaining_items

    @property
    def outcome_unknown(self):
        """True when the failed batch may have been applied (a write that got no usable answer)."""
        return bool(getattr(self.error, 'outcome_unknown', False))

    @property
    def unprocessed_items(self):
        """Items certainly not processed: safe to send again."""
        if self.outcome_unknown:
            return list(self.remaining_items)
        return self.failed_items + self.remaining_items

    def summary(self):
        parts = ['%s completed before it' % _count(len(self.completed), 'batch', 'batches')]
        if self.outcome_unknown:
            parts.append('%s with an unknown outcome' % _count(len(self.failed_items), 'item', 'items'))
        parts.append('%s not processed' % _count(len(self.unprocessed_items), 'item', 'items'))
        return 'batch %d of %d failed (%s): %s' % (
            self.failed_index + 1, self.total_batches, '; '.join(parts), self.error)


def _count(number, singular, plural):
    return '%d %s' % (number, singular if number == 1 else plural)


def run_batches(items, size, action, errors=(Exception,)):
    """Call ``action(batch)`` for each batch in order and return the list of its results.

    Stops at the first batch whose action raises one of ``errors`` and raises
    BatchFailure carrying the results so far and the items not yet processed.
    """
    batches = list(chunks(items, size))
    results = []
    for index, batch in enumerate(batches):
        try:
            results.append(action(batch))
        except errors as exc:
            remaining = [item for later in batches[index + 1:] for item in later]
            raise BatchFailure(exc, results, index, batch, remaining, len(batches))
    return results
