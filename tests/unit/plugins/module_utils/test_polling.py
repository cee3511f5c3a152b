# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed, wait_for_task


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def outcome(state):
    return {'completed': 'done', 'error': 'failed'}.get(state, 'running')


def test_polls_until_done_at_the_interval():
    clock = FakeClock()
    states = iter(['queued', 'processing', 'completed'])
    assert wait_for_task('t1', lambda: next(states), outcome, timeout=60, interval=5,
                         sleep=clock.sleep, clock=clock) == 'completed'
    assert clock.sleeps == [5, 5]


def test_a_failed_task_carries_its_id_and_last_state():
    clock = FakeClock()
    states = iter(['queued', 'error'])
    with pytest.raises(TaskFailed) as caught:
        wait_for_task('t2', lambda: next(states), outcome, timeout=60, interval=1, sleep=clock.sleep, clock=clock)
    assert (caught.value.task_id, caught.value.last_state, caught.value.timed_out) == ('t2', 'error', False)


def test_times_out_on_the_monotonic_clock_with_the_last_state():
    clock = FakeClock()
    with pytest.raises(TaskFailed) as caught:
        wait_for_task('t3', lambda: 'processing', outcome, timeout=10, interval=4, sleep=clock.sleep, clock=clock)
    assert caught.value.timed_out is True
    assert caught.value.last_state == 'processing'
    assert clock.sleeps == [4, 4, 2]
    assert 'did not finish within 10 seconds' in str(caught.value)
