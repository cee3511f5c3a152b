# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.rate_limiter import RateLimiter


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_burst_is_free_then_calls_are_spaced_at_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(180, sleep=clock.sleep, clock=clock)
    for _call in range(180):
        assert limiter.acquire() == 0.0
    assert clock.now == 0.0
    limiter.acquire()
    assert clock.now == pytest.approx(1 / 3.0)
    for _call in range(179):
        limiter.acquire()
    # 360 calls at 180 a minute with a burst of 180 take one minute, no less
    assert clock.now == pytest.approx(60.0)


def test_never_more_than_the_limit_in_any_minute():
    clock = FakeClock()
    limiter = RateLimiter(60, burst=10, sleep=clock.sleep, clock=clock)
    times = []
    for _call in range(200):
        limiter.acquire()
        times.append(clock.now)
    for start, first in enumerate(times):
        in_window = [t for t in times[start:] if t < first + 60.0 - 1e-9]
        assert len(in_window) <= 60 + 10


def test_idle_time_refills_the_bucket_up_to_the_burst():
    clock = FakeClock()
    limiter = RateLimiter(60, burst=5, sleep=clock.sleep, clock=clock)
    for _call in range(5):
        limiter.acquire()
    clock.now += 100
    waits = [limiter.acquire() for _call in range(6)]
    assert waits[:5] == [0.0] * 5
    assert waits[5] == pytest.approx(1.0)


def test_refuses_a_rate_of_zero():
    with pytest.raises(ValueError):
        RateLimiter(0)
