# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The KooPhone wave loop: planning, the health check, the failed-share stop, the pause, check mode, the timings."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import koophone_waves

RUNNING = 2


class Fleet:
    """Module results of the shapes koophone_instance_reset / koophone_instance_info return, and what was called."""

    def __init__(self, failing=(), unhealthy=(), frozen=(), unknown=(), listing_fails=False, raise_on_wave=None):
        self.failing, self.unhealthy, self.frozen, self.unknown = set(failing), set(unhealthy), list(frozen), list(unknown)
        self.listing_fails, self.raise_on_wave = listing_fails, raise_on_wave
        self.calls, self.pauses = [], []

    def list_fleet(self, ids):
        self.calls.append(('list', list(ids)))
        if self.listing_fails:
            return dict(failed=True, msg='HTTP 401: token expired')
        return dict(instances=[dict(instance_id=iid, frozen=iid in self.frozen) for iid in ids if iid not in self.unknown],
                    unknown_instance_ids=[iid for iid in self.unknown if iid in ids])

    def reset(self, wave):
        self.calls.append(('reset', list(wave)))
        if self.raise_on_wave is not None and len([c for c in self.calls if c[0] == 'reset']) == self.raise_on_wave:
            raise RuntimeError('connection lost')
        return dict(changed=True, task_ids=['t'], reset_instance_ids=list(wave),
                    results=[dict(instance_id=iid, job_id='j-' + iid, status='failed' if iid in self.failing else 'succeeded')
                             for iid in wave])

    def check(self, wave):
        self.calls.append(('check', list(wave)))
        return dict(status_results=[dict(instance_id=iid, status=1 if iid in self.unhealthy else RUNNING) for iid in wave])

    def check_mode_reset(self, wave):
        self.calls.append(('reset', list(wave)))
        return dict(changed=False, would_reset=list(wave))

    def pause(self, seconds):
        self.pauses.append(seconds)


def run(fleet, ids, wave_size=2, max_failed_share=0.1, pause_seconds=5, check_mode=False, listing=True, reset=None):
    return koophone_waves.run(ids, wave_size, max_failed_share, RUNNING, pause_seconds, check_mode,
                              fleet.list_fleet if listing else None, reset or fleet.reset, fleet.check, pause=fleet.pause)


IDS = ['i%d' % number for number in range(1, 8)]


def test_every_wave_is_reset_then_checked_with_a_pause_between_waves_but_not_after_the_last():
    fleet = Fleet()
    result = run(fleet, IDS)
    assert result['planned_waves'] == [['i1', 'i2'], ['i3', 'i4'], ['i5', 'i6'], ['i7']]
    assert [call[0] for call in fleet.calls] == ['list'] + ['reset', 'check'] * 4
    assert [call[1] for call in fleet.calls if call[0] == 'reset'] == result['planned_waves']
    assert fleet.pauses == [5, 5, 5]
    assert [wave['wave'] for wave in result['waves']] == [1, 2, 3, 4]
    assert all(item['outcome'] == 'reset' for wave in result['waves'] for item in wave['instances'])
    assert result['changed'] is True and result['stopped'] is False and result['errors'] == []
    assert len(result['wave_seconds']) == 4


def test_frozen_and_unknown_instances_are_left_out_of_the_waves():
    fleet = Fleet(frozen=['i2'], unknown=['i5'])
    result = run(fleet, IDS, wave_size=3)
    assert result['frozen'] == ['i2'] and result['unknown'] == ['i5']
    assert result['planned_waves'] == [['i1', 'i3', 'i4'], ['i6', 'i7']]


def test_without_listing_every_instance_is_planned():
    fleet = Fleet(frozen=['i2'])
    result = run(fleet, IDS, wave_size=4, listing=False)
    assert result['planned_waves'] == [IDS[:4], IDS[4:]]
    assert fleet.calls[0][0] == 'reset'


def test_a_wave_failing_more_than_the_share_stops_the_run_and_no_later_wave_is_sent():
    fleet = Fleet(failing=['i3'], unhealthy=['i4'])
    result = run(fleet, IDS, max_failed_share=0.5)   # wave 2: 2 of 2 failed (job failed, unhealthy)
    assert result['stopped'] is True
    assert len(result['waves']) == 2 and result['waves'][1]['failed'] == 2
    assert [call[1] for call in fleet.calls if call[0] == 'reset'] == [['i1', 'i2'], ['i3', 'i4']]
    assert fleet.pauses == [5]                       # after wave 1 only; a stopped run does not pause


def test_a_failed_share_at_the_threshold_goes_on():
    fleet = Fleet(failing=['i1'])
    result = run(fleet, IDS, max_failed_share=0.5)   # wave 1: 1 of 2 = 0.5, not more than 0.5
    assert result['stopped'] is False and len(result['waves']) == 4


def test_check_mode_neither_pauses_nor_resets():
    fleet = Fleet()
    result = run(fleet, IDS, check_mode=True, reset=fleet.check_mode_reset)
    assert fleet.pauses == []
    assert result['changed'] is False
    assert set(item['outcome'] for wave in result['waves'] for item in wave['instances']) == {'would reset'}


def test_no_pause_after_a_wave_that_reset_nothing_or_when_the_pause_is_zero():
    fleet = Fleet()
    run(fleet, IDS, reset=lambda wave: dict(changed=False, reset_instance_ids=[], results=[]))
    run(fleet, IDS, pause_seconds=0)
    assert fleet.pauses == []


def test_a_failed_listing_sends_no_wave_and_says_why():
    fleet = Fleet(listing_fails=True)
    result = run(fleet, IDS)
    assert [call[0] for call in fleet.calls] == ['list']
    assert result['waves'] == [] and result['planned_waves'] == []
    assert result['errors'] == [dict(scope='chore', step=koophone_waves.LIST_STEP, msg='HTTP 401: token expired')]


def test_an_error_in_a_wave_keeps_the_waves_before_it_and_records_the_error():
    fleet = Fleet(raise_on_wave=2)
    result = run(fleet, IDS)
    assert [wave['wave'] for wave in result['waves']] == [1]
    assert result['errors'] == [dict(scope='chore', step='wave 2 of 4', msg='connection lost')]


def test_no_instances_no_call():
    fleet = Fleet()
    result = run(fleet, [])
    assert fleet.calls == [] and result['planned_waves'] == [] and result['waves'] == []


def test_module_time_is_the_time_in_the_calls_and_each_wave_is_timed():
    ticks = iter(range(100))
    fleet = Fleet()
    result = koophone_waves.run(IDS[:4], 2, 0.1, RUNNING, 0, False, fleet.list_fleet, fleet.reset, fleet.check,
                                pause=fleet.pause, clock=lambda: float(next(ticks)))
    # one tick a clock read: a call spans 1 tick, a wave 5 (its start, two calls of two reads, its end)
    assert result['module_seconds'] == 5.0           # list + 2 waves x (reset + check)
    assert result['wave_seconds'] == [dict(wave=1, seconds=5.0, module_seconds=2.0),
                                      dict(wave=2, seconds=5.0, module_seconds=2.0)]


def test_a_wave_size_below_one_is_refused():
    with pytest.raises(ValueError, match='wave_size'):
        koophone_waves.plan(IDS, None, 0)
