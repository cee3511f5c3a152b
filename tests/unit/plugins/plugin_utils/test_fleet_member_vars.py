# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet members' variables read once for the run: each host once, only what members() reads, same members."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.fleetops.maintenance.plugins.filter.fleet import FilterModule
from ansible_collections.fleetops.maintenance.plugins.plugin_utils import fleet_report

GUID = '640FE47F-5118-4D79-8221-A35D0DE2EE2C'
FLEET = {
    'cust-1': dict(wfbss_customer_id=GUID, wfbss_customer_name='Acme', wfbss_account='north', ansible_connection='local'),
    'cust-2': dict(wfbss_customer_id=GUID.lower()),  # the same as cust-1's
    'cust-3': dict(wfbss_customer_name='No id'),
    'phone-1': dict(koophone_instance_id='a44uhlf7', ansible_python_interpreter='/usr/bin/python3'),
    'phone-2': dict(koophone_instance_id='b55vimg8'),
    'tenant-1': dict(iot_customer_id='acme', iot_devices_source='data/acme.csv', inventory_dir='/srv/inventory'),
    'res-1': dict(altcraft_resource_id=7, altcraft_list_ids=[1, 2]),
    'stray': dict(koophone_instance_id='not-in-the-group'),
}
GROUPS = dict(all=list(FLEET), wfbss_customers=['cust-1', 'cust-2', 'cust-3'], koophone_instances=['phone-1', 'phone-2'],
              iot_tenants=['tenant-1'], altcraft_resources=['res-1'])
KINDS = dict(wfbss=dict(default_account='default'), koophone={}, iot=dict(base_dir='/play'),
             altcraft=dict(default_list_ids=[9]))


class CountingHostvars(Mapping):
    """hostvars that counts how often each host's variables are read (what costs in a big inventory)."""

    def __init__(self, fleet):
        self.fleet, self.reads = fleet, {}

    def __getitem__(self, host):
        self.reads[host] = self.reads.get(host, 0) + 1
        return self.fleet[host]

    def __iter__(self):
        return iter(self.fleet)

    def __len__(self):
        return len(self.fleet)


def test_each_member_host_is_read_once_and_only_its_member_variables_are_kept():
    hostvars = CountingHostvars(FLEET)
    known = FilterModule().filters()['fleet_member_vars'](list(FLEET) + ['cust-1'], hostvars, GROUPS)
    assert hostvars.reads == dict((host, 1) for host in FLEET if host != 'stray'), 'a host outside the groups is not read'
    assert known['cust-1'] == dict(wfbss_customer_id=GUID, wfbss_customer_name='Acme', wfbss_account='north')
    assert known['phone-1'] == dict(koophone_instance_id='a44uhlf7') and known['cust-3'] == dict(wfbss_customer_name='No id')
    assert known['tenant-1'] == FLEET['tenant-1'] and known['res-1'] == FLEET['res-1']


def test_only_the_play_hosts_are_read():
    hostvars = CountingHostvars(FLEET)
    assert sorted(fleet_report.member_vars(['phone-2', 'res-1'], hostvars, GROUPS)) == ['phone-2', 'res-1']
    assert sorted(hostvars.reads) == ['phone-2', 'res-1']


def test_members_from_known_are_those_from_hostvars_without_reading_hostvars_again():
    known = fleet_report.member_vars(list(FLEET), FLEET, GROUPS)
    for kind, options in KINDS.items():
        hostvars = CountingHostvars(FLEET)
        from_known = fleet_report.members(list(FLEET), hostvars, kind, rejected=True, groups=GROUPS, known=known, **options)
        assert hostvars.reads == {}, kind
        assert from_known == fleet_report.members(list(FLEET), FLEET, kind, rejected=True, groups=GROUPS, **options), kind
    rejected = fleet_report.members(list(FLEET), {}, 'wfbss', rejected=True, groups=GROUPS, known=known)['rejected']
    assert [(bad['host'], bad['reason'].split(' (')[0]) for bad in rejected] == [
        ('cust-2', 'is the same as that of cust-1'), ('cust-3', 'is missing')], 'each bad host once'


def test_hosts_known_does_not_hold_are_read_from_hostvars():
    """A journal's campaign is the whole inventory's group, also when the check ran under --limit."""
    known = fleet_report.member_vars(['phone-1'], FLEET, GROUPS)
    hostvars = CountingHostvars(FLEET)
    found = FilterModule().filters()['fleet_members'](GROUPS['all'], hostvars, 'koophone', groups=GROUPS, known=known)
    assert found == ['a44uhlf7', 'b55vimg8'] and hostvars.reads == {'phone-2': 1}
