# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report's action reads the chores' entries from localhost as they were set, not through templating."""

from __future__ import annotations

import json
from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.fleetops.maintenance.plugins.action import fleet_run_report
from ansible_collections.fleetops.maintenance.plugins.filter.fleet import FilterModule

A1 = 'AAAAAAAA-0000-4000-8000-000000000001'
CUSTOMERS = [dict(host='a1', id=A1, name='Alpha', account='acct-a')]
COUNTER = dict(type='counter')
RESET = dict(results=[dict(item=['acct-a', COUNTER], changed=True, tasks=[dict(id='t-1', status='PENDING', customer_ids=[A1])])])
SMALL = dict(accounts=['acct-a'], errors=[], catalogue=[], retired=[], resets=[COUNTER], accept_results=[], check_mode=False)


def action(plugin, args):
    task = MagicMock(args=args, async_val=0, check_mode=False, diff=False)
    task.action = 'fleetops.maintenance.%s' % plugin.__name__.rsplit('.', 1)[1]
    return plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)


class Hostvars(object):
    """The part of Ansible's hostvars the report uses: raw_get gives a host's variables without templating them."""

    def __init__(self, hosts):
        self.hosts = hosts

    def raw_get(self, host):
        return self.hosts[host]

    def __getitem__(self, host):
        raise AssertionError('templated access to %s' % host)


def test_the_report_reads_the_chores_entries_from_localhost_as_set(tmp_path):
    entry = FilterModule().filters()['chore_summary'](
        dict(SMALL, customers=CUSTOMERS, reset_results=RESET, report_results=[], retire_results=[]), 'wfbss')
    iot = FilterModule().filters()['chore_summary'](dict(results=[], errors=[], check_mode=False), 'iot')
    hostvars = Hostvars(dict(localhost=dict(wfbss_maintenance_result=entry, iot_cellular_sync_result=iot)))
    result = action(fleet_run_report, dict(
        chore_facts=['iot_cellular_sync_result', 'koophone_fleet_reset_result', 'wfbss_maintenance_result'],
        dest=str(tmp_path), check_mode=False)).run(task_vars=dict(hostvars=hostvars))
    report = json.loads((tmp_path / 'fleet-report.json').read_text(encoding='utf-8'))
    assert [chore['chore'] for chore in report['chores']] == ['iot', 'wfbss'], 'in order; a chore that did not run is left out'
    assert report['chores'][1]['customers'][0]['resets'][0]['task_id'] == 't-1'
    assert result['headlines'] == dict(iot=iot['headline'], wfbss=entry['headline']) and result['status'] == 'ok'


def test_chores_given_as_entries_come_first():
    first = FilterModule().filters()['chore_summary'](dict(results=[], errors=[], check_mode=False), 'iot')
    plugin = action(fleet_run_report, {})
    assert plugin._controller_facts([], {}) == []
    hostvars = Hostvars(dict(localhost=dict(altcraft_counters_result=dict(first, chore='altcraft'))))
    entries = [first] + plugin._controller_facts(['altcraft_counters_result'], dict(hostvars=hostvars))
    assert [entry['chore'] for entry in entries] == ['iot', 'altcraft']
    with pytest.raises(AnsibleActionFail, match='chore_facts needs the hostvars'):
        plugin._controller_facts(['wfbss_maintenance_result'], {})
