# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet roles' computations, in Python with unit tests: who is in the fleet, what each chore did, the run report.

The roles call these filters; the fleet_run_report action writes the report files from what they return.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import (
    altcraft_summary,
    fleet_report,
    iot_summary,
    koophone_summary,
    wfbss_summary,
)

SUMMARIES = {
    'wfbss': wfbss_summary.summarize,
    'koophone': koophone_summary.summarize,
    'iot': iot_summary.summarize,
    'altcraft': altcraft_summary.summarize,
}


def fleet_members(play_hosts, hostvars, kind, **options):
    try:
        return fleet_report.members(play_hosts, hostvars, kind, **options)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError('fleet_members(%s): %s' % (kind, exc))


def fleet_member_vars(play_hosts, hostvars, groups):
    try:
        return fleet_report.member_vars(play_hosts, hostvars, groups)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError('fleet_member_vars: %s' % exc)


def chore_summary(inputs, chore):
    if chore not in SUMMARIES:
        raise AnsibleFilterError('chore_summary: unknown chore %r (one of %s)' % (chore, ', '.join(sorted(SUMMARIES))))
    try:
        return SUMMARIES[chore](**inputs)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError('chore_summary(%s): %s' % (chore, exc))


def koophone_wave(wave, number, reset, status, expected_status, check_mode):
    return koophone_summary.wave_record(wave, number, reset, status, expected_status, check_mode)


def run_report(chores, check_mode, limit=None, awx_job_id=None, started_at=None, rejected=None):
    return fleet_report.report(chores, check_mode, limit=limit, awx_job_id=awx_job_id, started_at=started_at,
                               rejected=rejected)


class FilterModule(object):
    def filters(self):
        return {
            'fleet_members': fleet_members,
            'fleet_member_vars': fleet_member_vars,
            'chore_summary': chore_summary,
            'koophone_wave': koophone_wave,
            'run_report': run_report,
        }
