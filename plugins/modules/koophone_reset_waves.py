#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: koophone_reset_waves
short_description: Reset Huawei Cloud KooPhone cloud phones in waves, checking each wave before the next
version_added: 0.3.0
author: fleetops maintainers (@fleetops)
description:
  - Runs a whole wave reset as one task on the controller (an action plugin). It lists the tenant's instances with
    M(fleetops.maintenance.koophone_instance_info) and leaves out frozen and unknown ones, then, wave after wave,
    resets the wave with M(fleetops.maintenance.koophone_instance_reset) (waiting for its jobs), reads the wave's
    status with M(fleetops.maintenance.koophone_instance_info), records the outcome of each instance, stops when
    more than O(max_failed_share) of the wave failed, and pauses O(pause_seconds) before the next wave.
  - The C(fleetops.maintenance.koophone_fleet_reset) role runs it; its wave records are what the run report shows.
  - Options other than those below (the connection and credential options of the KooPhone modules) are passed to
    every module call, and C(module_defaults) of the modules and of C(group/fleetops.maintenance.koophone) apply.
options:
  instance_ids:
    description: IDs of the instances to reset, in the order of the waves.
    type: list
    elements: str
    required: true
  wave_size:
    description: Instances a wave (each wave is one reset call, sent in batches of 32 inside).
    type: int
    default: 50
  pause_seconds:
    description: Seconds to wait between two waves; not in check mode, not after the last wave, not after a wave that reset nothing.
    type: float
    default: 60
  max_failed_share:
    description:
      - Stop when more than this share (0.0 to 1.0) of a wave failed; the remaining waves are not sent.
      - An instance failed when its batch was refused, its outcome is unknown, its reset job failed, or its status after
        the wave could not be read or is not O(expected_status).
    type: float
    default: 0.1
  expected_status:
    description: Status number (2024 list) every instance must have after its wave; V(2) is running.
    type: int
    default: 2
  skip_frozen:
    description: List the tenant's instances first and leave out frozen and unknown ones (a frozen instance makes its whole batch fail).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for a wave's reset jobs.
    type: float
    default: 900
  poll_interval:
    description: Seconds between two polls of a reset task.
    type: float
    default: 5
  journal:
    description: The campaign's reset journal (see O(fleetops.maintenance.koophone_instance_reset#module:journal)).
    type: path
  campaign_instance_ids:
    description: Every instance of the journal's campaign (see O(fleetops.maintenance.koophone_instance_reset#module:campaign_instance_ids)).
    type: list
    elements: str
  allow_double_reset:
    description: Reset the instances the journal holds back too; B(they may be reset twice).
    type: bool
    default: false
extends_documentation_fragment:
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details: In check mode the reset calls only read the instances' status and report what would be reset; nothing is reset and there is no pause.
  diff_mode:
    support: none
  idempotent:
    support: none
    details: A reset is an action; with O(journal), a rerun of the campaign does not reset again what it records as reset.
  action_group:
    membership:
      - fleetops.maintenance.koophone
notes:
  - The module calls run where the task runs; in a play of many hosts give the task C(run_once) and delegate it to
    C(localhost).
  - The module calls are those of M(fleetops.maintenance.koophone_instance_reset) and
    M(fleetops.maintenance.koophone_instance_info); their notes on retries, unknown outcomes and the journal apply.
'''

EXAMPLES = r'''
- name: Reset the fleet in waves of 100, a minute apart
  fleetops.maintenance.koophone_reset_waves:
    instance_ids: "{{ phone_ids }}"
    wave_size: 100
    pause_seconds: 60
  run_once: true
  delegate_to: localhost
  register: reset_waves
'''

RETURN = r'''
summary:
  description:
    - What the wave reset did, as the run report of the C(fleetops.maintenance.koophone_fleet_reset) role shows it.
    - C(status) (C(ok) or C(failed)), C(headline), C(summary) (counts per outcome, C(instances), C(waves),
      C(planned_waves), C(stopped)), C(waves) (per wave sent - its number, size, failed count and share, whether it
      changed anything, task ids, error, journal), C(instances) (per instance - its wave, outcome and reason; frozen and
      unknown ones C(skipped), those of waves not sent C(not sent)), C(journal) and C(failures).
  type: dict
  returned: always
stopped:
  description: Whether a wave failed more than O(max_failed_share) and the remaining waves were not sent.
  type: bool
  returned: always
module_seconds:
  description: Seconds spent in the module calls (the rest of the task is its own bookkeeping and the pauses).
  type: float
  returned: always
wave_seconds:
  description:
    - How long each sent wave took, its pause left out - C(wave) (its number), C(seconds), and C(module_seconds) (of
      them, in its two module calls).
  type: list
  elements: dict
  returned: always
'''
