#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done by the action plugin of the same name, on the controller; this file documents it.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: fleet_run_report
short_description: Write the fleet run report (JSON, Markdown, HTML and CSV) on the controller
version_added: 0.3.0
description:
  - Computes the run report from the chores' report entries (P(fleetops.maintenance.chore_summary#filter)) and
    writes, in O(dest), C(fleet-report.json) (everything, with a schema version), C(fleet-report.md) (a summary that
    stays small at any fleet size), C(fleet-report.html) (one self-contained page with pictures, the failures grouped
    by cause, and searchable item tables) and C(fleet-items.csv) (one row per item).
  - Runs on the controller only and never contacts a host. Writing the report is not a change of the fleet, so the
    task reports C(changed=false), also in check mode, where the report is still written.
  - The schema of C(fleet-report.json) is in the collection's C(docs/run-report.md).
author: fleetops maintainers (@fleetops)
options:
  chores:
    description: The chores' report entries, in the order the report shows them; empty ones are left out.
    type: list
    elements: raw
    default: []
  chore_facts:
    description:
      - The names of the facts of C(localhost) that hold chores' report entries (such as C(wfbss_maintenance_result)),
        in the order the report shows them, after O(chores). A fact that is not set (its chore did not run) is left out.
      - They are read as they were set, without templating them again, which over the entries of 25,000 hosts costs
        Ansible tens of seconds.
    type: list
    elements: str
    default: []
    version_added: 0.3.0
  dest:
    description: The directory the four files are written to (created when missing).
    type: path
    required: true
  copy_to:
    description:
      - A directory (for example a volume mounted into the execution environment) the four files are copied to after
        they are written, for runs whose working directory does not outlive them, such as AWX jobs.
    type: path
  check_mode:
    description: Whether the run is a check run; its report is labelled as a plan in which nothing was changed.
    type: bool
    required: true
  limit:
    description: The run's C(--limit).
    type: str
  awx_job_id:
    description: The AWX job that ran it.
    type: raw
  started_at:
    description: When the run started (ISO 8601, UTC), for the report's start, end and duration.
    type: str
  rejected:
    description:
      - The hosts the fleet's data check left out (C(rejected) of P(fleetops.maintenance.fleet_members#filter)); each is
        a failure of the run, named by its inventory host name.
    type: list
    elements: dict
    default: []
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: Writes the report on the controller in check mode too; it never writes to the fleet.
  diff_mode:
    description: Returns details on what has changed when run in diff mode.
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
    details: Writes the same files from the same results (but for the times in them) and never reports a change.
seealso:
  - module: fleetops.maintenance.wfbss_reset
'''

EXAMPLES = r'''
- name: Write the run report
  fleetops.maintenance.fleet_run_report:
    chores: "{{ [wfbss_result, koophone_result] }}"
    dest: /srv/reports/fleet
    check_mode: "{{ ansible_check_mode }}"
  register: report
'''

RETURN = r'''
status:
  description: V(failed) when a chore has a failure that was not tolerated, or a host was left out for bad data; else V(ok).
  returned: success
  type: str
  sample: ok
check_mode:
  description: Whether the report is that of a check run.
  returned: success
  type: bool
mode:
  description: V(plan) for a check run, V(live) otherwise.
  returned: success
  type: str
  sample: live
headlines:
  description: Each chore's headline, by chore.
  returned: success
  type: dict
  sample: {wfbss: "WFBS-SVC: 48 customers in 3 accounts; ..."}
failure_count:
  description: How many failures the report lists.
  returned: success
  type: int
failure_messages:
  description: The first 20 failure messages (the report has all of them).
  returned: success
  type: list
  elements: str
files:
  description: The paths of the four files, by file name.
  returned: success
  type: dict
  sample: {fleet-report.html: /srv/reports/fleet/fleet-report.html}
copies:
  description: The paths of the copies in O(copy_to) (empty without it).
  returned: success
  type: list
  elements: str
'''
