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
    clock.now = 1000.0  # the bucket refills from the first call, not from its creation
    limiter = RateLimiter(180, sleep=clock.sleep, clock=clock)
    for _call in range(179):  # one short of the vendor's burst: its bucket started refilling later than ours
        assert limiter.acquire() == 0.0
    assert clock.now == 1000.0
    limiter.acquire()
    assert clock.now == pytest.approx(1000 + 1 / 3.0)
    for _call in range(180):
        limiter.acquire()
    # 360 calls at 180 a minute with a burst of 180 take at least one minute
    assert clock.now - 1000 == pytest.approx(60 + 1 / 3.0)


def test_a_bucket_created_long_before_its_first_call_does_not_start_over_full():
    clock = FakeClock()
    limiter = RateLimiter(60, burst=3, sleep=clock.sleep, clock=clock)
    clock.now += 3600
    assert [limiter.acquire() for _call in range(3)] == [0.0, 0.0, pytest.approx(1.0)]


def test_a_burst_of_one_still_lets_the_first_call_through():
    clock = FakeClock()
    limiter = RateLimiter(2, burst=1, sleep=clock.sleep, clock=clock)
    assert limiter.acquire() == 0.0
    assert limiter.acquire() == pytest.approx(30.0)


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
