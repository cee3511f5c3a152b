# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wfbss_report_info end to end against the simulator over loopback HTTP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.modules import wfbss_report, wfbss_report_info
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

UNKNOWN = '00000000-1111-2222-3333-444444444444'


def create(run_module, wfbss_connection, ids, **options):
    args = dict(wfbss_connection, customer_ids=ids, name='weekly report', schedule='weekly', weekday='monday', time='03:05',
                recipients=['a@example.com'], group_ids=[2], contents=['virus_summary', '700'])
    args.update(options)
    result, failed = run_module(wfbss_report, dict((k, v) for k, v in args.items() if v is not None))
    assert not failed, result


def test_reports_in_readable_form(simulator, run_module, wfbss_connection, customers):
    create(run_module, wfbss_connection, customers[:11])
    create(run_module, wfbss_connection, customers[:1], name='monthly', schedule='monthly', weekday=None, monthday=5,
           recipients=[], group_ids=[], enabled=False, contents=['spyware_summary'])
    simulator.clear_log()
    result, failed = run_module(wfbss_report_info, dict(wfbss_connection, customer_ids=customers[:12]), check_mode=True)
    assert not failed, result
    assert result['changed'] is False
    # the two reads may be in flight together (concurrency): the calls, not their order, are the contract
    assert sorted((entry['method'], entry['query']) for entry in simulator.requests) == sorted([
        ('GET', 'cids=' + ','.join(customers[:10])), ('GET', 'cids=' + ','.join(customers[10:12]))])
    first = result['customers'][0]
    assert first['id'] == customers[0] and first['found'] is True and first['eid']
    weekly, monthly = first['reports']
    raw = weekly.pop('raw')
    assert weekly == dict(rtid=1, name='weekly report', schedule='weekly', weekday='monday', monthday=None, time='03:05',
                          enabled=True, recipients=['a@example.com'], group_ids=[2],
                          contents=['virus_summary', 'top_programs_device_control'], history_count=0)
    assert raw['setting']['parameter']['time'] == 11100 and raw['type'] == 3
    assert (monthly['schedule'], monthly['monthday'], monthly['weekday'], monthly['enabled'], monthly['contents']) == (
        'monthly', 5, None, False, ['spyware_summary'])
    assert [len(entry['reports']) for entry in result['customers']] == [2] + [1] * 10 + [0]


def test_filter_by_name_and_unknown_customer(simulator, run_module, wfbss_connection, customers):
    create(run_module, wfbss_connection, customers[:2])
    create(run_module, wfbss_connection, customers[:2], name='other')
    simulator.clear_log()
    result, failed = run_module(wfbss_report_info, dict(wfbss_connection, name='other report',
                                                        customer_ids=[customers[0].lower(), UNKNOWN, customers[0]]))
    assert not failed, result
    assert simulator.requests[0]['query'] == 'cids=%s,%s&name=other%%20report' % (customers[0].lower(), UNKNOWN)
    assert [(entry['id'], entry['found'], entry['reports']) for entry in result['customers']] == [
        (customers[0].lower(), True, []), (UNKNOWN, False, [])]
    assert any(UNKNOWN in warning for warning in result['warnings'])

    result, failed = run_module(wfbss_report_info, dict(wfbss_connection, name='other', customer_ids=customers[:1]))
    assert [report['name'] for report in result['customers'][0]['reports']] == ['other']


def test_bad_id_and_api_failure(simulator, run_module, wfbss_connection, customers):
    result, failed = run_module(wfbss_report_info, dict(wfbss_connection, customer_ids=['nope']))
    assert failed and "customer_ids[0] (item 1)" in result['msg']
    assert simulator.requests == []

    simulator.inject(vendor='wfbss', method='GET', skip=1, action='malformed')
    result, failed = run_module(wfbss_report_info, dict(wfbss_connection, customer_ids=customers[:15], concurrency=1))
    assert failed
    assert result['failed_batch'] == 2 and result['unprocessed'] == customers[10:15]
    assert result['error']['kind'] == 'malformed'


def test_wire_one_read_per_10_customers(simulator, run_module, wfbss_connection, customers):
    result, failed = run_module(wfbss_report_info, dict(wfbss_connection, customer_ids=customers[:12], name='weekly report',
                                                        concurrency=1))  # one read after the other, in order
    assert not failed, result
    path = '/SMPI/v2.8/service/wfbss/api/report'
    assert_calls(simulator, [
        Call('GET', path, query=dict(cids=','.join(customers[:10]), name='weekly report')),
        Call('GET', path, query=dict(cids=','.join(customers[10:12]), name='weekly report')),
    ])
