# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A client-side token bucket that keeps one task under a vendor's documented rate."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time


class RateLimiter(object):
    """Allow ``per_minute`` calls a minute with bursts of at most ``burst`` calls.

    ``acquire`` sleeps until a token is free. The bucket refills at per_minute / 60 a second
    from the first call on, and starts one token short of ``burst`` (but with at least one): the
    vendor's own bucket started refilling a moment later than ours, so an exact copy would run ahead of it.
    """

    def __init__(self, per_minute, burst=None, sleep=time.sleep, clock=time.monotonic):
        if per_minute <= 0:
            raise ValueError('per_minute must be positive')
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else per_minute)
        self.tokens = max(1.0, self.capacity - 1)
        self.sleep = sleep
        self.clock = clock
        self.updated = None
        self.waited = 0.0
        self.lock = threading.Lock()

    def acquire(self):
        with self.lock:
            now = self.clock()
            if self.updated is None:
                self.updated = now
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            wait = (1 - self.tokens) / self.rate
            self.tokens = 0.0
            self.updated = now + wait
            self.waited += wait
        self.sleep(wait)
        return wait
