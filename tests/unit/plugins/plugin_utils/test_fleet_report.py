# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fleet members from the inventory, the run report, and the filters the roles call."""

from __future__ import annotations

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.maintenance.plugins.filter.fleet import FilterModule
from ansible_collections.fleetops.maintenance.plugins.plugin_utils import fleet_report

HOSTVARS = {
    'c1': dict(wfbss_customer_id='640fe47f-5118-4d79-8221-a35d0de2ee2c', wfbss_account='north', wfbss_customer_name='Acme'),
    'c2': dict(wfbss_customer_id='549390C2-61B3-417E-B1F0-8955A63C08F3'),
    'p1': dict(koophone_instance_id='a44uhlf7'),
    'p2': dict(koophone_instance_id=12345),
    'p3': dict(koophone_instance_id='a44uhlf7'),
    't1': dict(iot_customer_id='tenant', iot_devices_source='data/devices.csv', inventory_dir='/srv/fleet/inventory'),
    't2': dict(iot_customer_id=7, iot_devices_source='/abs/devices.YAML'),
    't3': dict(iot_tsg_id=1234567890, iot_devices_source='scm.json', inventory_dir='/inv'),
    'r1': dict(altcraft_resource_id='3', altcraft_list_ids=[1, '2']),
    'r2': dict(altcraft_resource_id=4),
}
HOSTS = list(HOSTVARS)


def test_wfbss_customers_with_their_account():
    assert fleet_report.members(HOSTS, HOSTVARS, 'wfbss', default_account='default') == [
        dict(host='c1', id='640FE47F-5118-4D79-8221-A35D0DE2EE2C', name='Acme', account='north'),
        dict(host='c2', id='549390C2-61B3-417E-B1F0-8955A63C08F3', name='c2', account='default')]


def test_koophone_ids_as_strings_without_repeats():
    assert fleet_report.members(HOSTS, HOSTVARS, 'koophone') == ['a44uhlf7', '12345']


def test_iot_sources_relative_to_the_inventory():
    tenants = fleet_report.members(HOSTS, HOSTVARS, 'iot', base_dir='/play')
    assert tenants == [
        dict(host='t1', api='legacy', tsg_id=None, customer_id='tenant', source='data/devices.csv',
             path='/srv/fleet/inventory/data/devices.csv', format='file'),
        dict(host='t2', api='legacy', tsg_id=None, customer_id='7', source='/abs/devices.YAML', path='/abs/devices.YAML',
             format='yaml'),
        dict(host='t3', api='scm', tsg_id='1234567890', customer_id=None, source='scm.json', path='/inv/scm.json',
             format='file')]


def test_altcraft_one_target_per_database():
    assert fleet_report.members(HOSTS, HOSTVARS, 'altcraft', default_list_ids=[9]) == [
        dict(host='r1', resource_id=3, list_id=1), dict(host='r1', resource_id=3, list_id=2),
        dict(host='r2', resource_id=4, list_id=9)]


def test_the_play_order_and_limit_are_kept():
    assert fleet_report.members(['p3', 'p2'], HOSTVARS, 'koophone') == ['a44uhlf7', '12345']
    assert fleet_report.members(['c2'], HOSTVARS, 'wfbss')[0]['host'] == 'c2'


def test_run_report_fails_only_on_failures_that_were_not_tolerated():
    ok = dict(chore='koophone', changed=True, failures=[dict(scope='wave 1', step='reset', msg='1 of 4', tolerated=True)])
    bad = dict(chore='iot', changed=False, failures=[dict(scope='tenant t1', step='bulk update', msg='HTTP 403')])
    moment = datetime.datetime(2026, 12, 1, 8, 0, 5)
    report = fleet_report.report([ok, None, bad], False, limit='acct_a', awx_job_id=42, now=moment)
    assert report['status'] == 'failed' and report['changed'] is True
    assert report['failures'] == [dict(scope='tenant t1', step='bulk update', msg='HTTP 403', chore='iot')]
    assert [chore['chore'] for chore in report['chores']] == ['koophone', 'iot']
    assert (report['generated_at'], report['limit'], report['awx_job_id'], report['note']) == (
        '2026-12-01T08:00:05Z', 'acct_a', 42, None)
    checked = fleet_report.report([ok], True)
    assert checked['status'] == 'ok' and checked['note'] == fleet_report.CHECK_MODE_NOTE and checked['limit'] is None


def test_filters_report_bad_input_as_filter_errors():
    filters = FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match='unknown kind of fleet member'):
        filters['fleet_members'](HOSTS, HOSTVARS, 'nope')
    with pytest.raises(AnsibleFilterError, match="unknown chore 'nope'"):
        filters['chore_summary']({}, 'nope')
    with pytest.raises(AnsibleFilterError, match='chore_summary\\(iot\\)'):
        filters['chore_summary']({'results': []}, 'iot')
