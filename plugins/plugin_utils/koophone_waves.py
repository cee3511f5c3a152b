# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The KooPhone wave reset as one loop in Python: plan the waves, then reset, check, record, decide, pause.

The module calls come in as functions (the action plugin koophone_reset_waves passes its module runs), so that the
loop is tested without Ansible. Each wave's record is koophone_summary.wave_record; what the run keeps grows by one
record a wave, and no wave copies the records before it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.koophone_summary import wave_record

LIST_STEP = "List the tenant's instances and read the fleet's status"


def plan(instance_ids, listing, wave_size):
    """(waves, frozen, unknown): the instances in waves of wave_size, frozen and unknown ones left out.

    ``listing`` is the registered result of koophone_instance_info with list_instances, or None when not listed.
    """
    if wave_size < 1:
        raise ValueError('wave_size must be at least 1, got %r' % (wave_size,))
    frozen, unknown = [], []
    if listing:
        asked = set(instance_ids)
        frozen = [item['instance_id'] for item in listing.get('instances') or []
                  if item.get('frozen') and item.get('instance_id') in asked]
        unknown = list(listing.get('unknown_instance_ids') or [])
    left_out = set(frozen) | set(unknown)
    kept = [iid for iid in instance_ids if iid not in left_out]
    return [kept[start:start + wave_size] for start in range(0, len(kept), wave_size)], frozen, unknown


def run(instance_ids, wave_size, max_failed_share, expected_status, pause_seconds, check_mode, list_fleet, reset, check,
        pause=time.sleep, progress=None, clock=time.monotonic):
    """Every wave of the chore, or until one fails more than max_failed_share.

    list_fleet(ids) -> the listing result (list_fleet None: no listing, nothing left out); reset(wave) and check(wave) -> the module results
    of koophone_instance_reset and koophone_instance_info for a wave; pause(seconds) waits between two waves (not in
    check mode, not after the last wave, not when the wave reset nothing); progress(text) hears each wave's outcome.
    Returns planned_waves, waves (the records), frozen, unknown, stopped, errors, changed, and the time spent:
    module_seconds (in the module calls) and wave_seconds (each wave's cost, its pause left out: seconds, and of them
    module_seconds in its two module calls).
    """
    result = dict(planned_waves=[], waves=[], frozen=[], unknown=[], stopped=False, errors=[], changed=False,
                  module_seconds=0.0, wave_seconds=[])

    def timed(call, *args):
        started = clock()
        try:
            return call(*args)
        finally:
            result['module_seconds'] += clock() - started

    listing = timed(list_fleet, instance_ids) if instance_ids and list_fleet else None
    if listing and listing.get('failed'):
        result['errors'].append(dict(scope='chore', step=LIST_STEP, msg=str(listing.get('msg') or 'failed')))
        return result
    result['planned_waves'], result['frozen'], result['unknown'] = plan(instance_ids, listing, wave_size)
    total = len(result['planned_waves'])
    for index, wave in enumerate(result['planned_waves']):
        try:
            _run_wave(result, index, total, wave, max_failed_share, expected_status, check_mode, reset, check, timed,
                      clock, progress)
        except Exception as exc:  # pylint: disable=broad-except
            # as the role's rescue did: the waves before it stay recorded, the chore fails with the error
            result['errors'].append(dict(scope='chore', step='wave %d of %d' % (index + 1, total),
                                         msg=str(exc) or type(exc).__name__))
            return result
        if result['stopped']:
            break
        if pause_seconds > 0 and not check_mode and result['waves'][-1]['changed'] and index + 1 < total:
            pause(pause_seconds)
    return result


def _run_wave(result, index, total, wave, max_failed_share, expected_status, check_mode, reset, check, timed, clock,
              progress):
    """Reset one wave, check it, record it and whether it stops the run."""
    started, modules_before = clock(), result['module_seconds']
    reset_result = timed(reset, wave)
    status_result = timed(check, wave)
    record = wave_record(wave, index + 1, reset_result, status_result, expected_status, check_mode)
    result['waves'].append(record)
    result['changed'] = result['changed'] or record['changed']
    result['stopped'] = record['share_failed'] > max_failed_share
    result['wave_seconds'].append(dict(wave=index + 1, seconds=round(clock() - started, 3),
                                       module_seconds=round(result['module_seconds'] - modules_before, 3)))
    if progress:
        progress('wave %d of %d: %d instance(s), %d failed%s' % (
            index + 1, total, record['size'], record['failed'],
            '; more than the tolerated share, the remaining waves are not sent' if result['stopped'] else ''))
