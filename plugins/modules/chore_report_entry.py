#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done by the action plugin of the same name, on the controller; this file documents it.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: chore_report_entry
short_description: Make a chore's entry of the fleet run report from its registered results
version_added: 0.3.0
description:
  - Does what P(fleetops.maintenance.chore_summary#filter) does, in Python on the controller - what was done per
    customer, instance, device batch or resource database, the counts, a headline and the failures - and returns it.
  - The inputs named in O(from_vars) are read from the task's variables as they were registered, without going
    through templating, which over the results of thousands of customers costs Ansible tens of seconds.
  - Runs on the controller only and never contacts a host; it changes nothing (C(changed=false)), also in check mode.
author: fleetops maintainers (@fleetops)
options:
  chore:
    description: Which chore.
    type: str
    choices: [altcraft, iot, koophone, wfbss]
    required: true
  inputs:
    description: The chore's inputs by name, as for P(fleetops.maintenance.chore_summary#filter).
    type: dict
    default: {}
  from_vars:
    description:
      - More inputs, each the name of a variable of the task (such as a registered result) that is read as it is
        set. A variable that is not set (for example the result of a task that did not run) is an empty list.
      - An input is either in O(inputs) or here.
    type: dict
    default: {}
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: Changes nothing in either mode.
  diff_mode:
    description: Returns details on what has changed when run in diff mode.
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
seealso:
  - module: fleetops.maintenance.fleet_run_report
'''

EXAMPLES = r'''
- name: Summarise the WFBS-SVC chores for the run report
  fleetops.maintenance.chore_report_entry:
    chore: wfbss
    inputs:
      accounts: "{{ accounts }}"
      errors: []
      catalogue: "{{ wfbss_maintenance_reports }}"
      retired: []
      resets: "{{ wfbss_maintenance_resets }}"
      accept_results: [created, updated]
      check_mode: "{{ ansible_check_mode }}"
    from_vars:
      customers: customers
      reset_results: reset
      report_results: report
      retire_results: retire
  register: wfbss_summary
  run_once: true
'''

RETURN = r'''
status:
  description: V(failed) when the chore has a failure that was not tolerated, else V(ok).
  returned: success
  type: str
  sample: ok
headline:
  description: The chore's headline.
  returned: success
  type: str
failure_messages:
  description: The message of each of the chore's failures.
  returned: success
  type: list
  elements: str
entry:
  description: The chore's report entry (see the fleet roles' README for its fields).
  returned: success
  type: dict
'''
