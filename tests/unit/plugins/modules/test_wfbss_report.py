# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wfbss_report end to end against the simulator over loopback HTTP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import WfbssClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_reports import report_body
from ansible_collections.fleetops.maintenance.plugins.modules import wfbss_report
from ansible_collections.fleetops.maintenance.tests.unit.conftest import Call, assert_calls

PATH = '/SMPI/v2.8/service/wfbss/api/report'
UNKNOWN = '00000000-1111-2222-3333-444444444444'


@pytest.fixture
def args(wfbss_connection):
    def build(**extra):
        base = dict(wfbss_connection, name='weekly report', schedule='weekly', weekday='monday', time='08:00',
                    recipients=['secops@example.com'], contents=['virus_summary', '101'])
        base.update(extra)
        return dict((key, value) for key, value in base.items() if value is not None)  # None = leave the option out
    return build


def calls(simulator):
    return [(entry['method'], entry['query']) for entry in simulator.requests if entry['vendor'] == 'wfbss']


def methods(simulator):
    return [entry['method'] for entry in simulator.requests if entry['vendor'] == 'wfbss']


def reports_of(simulator, cid):
    return simulator.state('wfbss')['customers'][cid]['reports']


def test_create_for_12_customers_then_idempotent(simulator, run_module, args, customers):
    ids = customers[:12]
    result, failed = run_module(wfbss_report, args(customer_ids=ids))
    assert not failed, result
    assert result['changed'] is True
    assert [entry['action'] for entry in result['customers']] == ['created'] * 12
    assert [entry['result'] for entry in result['customers']] == ['Done'] * 12
    assert all(entry['rtid'] == 1 for entry in result['customers'])
    # every read comes before every write; the batches of one step may be in flight together (concurrency)
    log = calls(simulator)
    assert sorted(log[:2]) == sorted([('GET', 'cids=%s&name=weekly%%20report' % ','.join(ids[:10])),
                                      ('GET', 'cids=%s&name=weekly%%20report' % ','.join(ids[10:]))])
    assert sorted(log[2:]) == sorted([('POST', 'cids=%s' % ','.join(ids[:10])), ('POST', 'cids=%s' % ','.join(ids[10:]))])
    stored = reports_of(simulator, ids[11])
    assert stored == [{'rtid': 1, 'type': 3, 'number': 0, 'setting': {'name': 'weekly report', 'enabled': 1, 'parameter': {
        'time': 28800, 'email': 1, 'contents': [{'tbl_type': 100}, {'tbl_type': 101}], 'weekday': 1,
        'address': ['secops@example.com']}}}]
    assert reports_of(simulator, customers[12]) == []

    simulator.clear_log()
    again, failed = run_module(wfbss_report, args(customer_ids=ids, contents=['top_devices_virus', 'virus_summary'],
                                                  recipients=['SecOps@example.com']))
    assert not failed, again
    assert again['changed'] is False
    assert [entry['action'] for entry in again['customers']] == ['unchanged'] * 12
    assert [entry['result'] for entry in again['customers']] == [None] * 12
    assert methods(simulator) == ['GET', 'GET']


def test_only_missing_customers_get_a_create(simulator, run_module, args, customers):
    run_module(wfbss_report, args(customer_ids=customers[:2]))
    simulator.clear_log()
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:3]))
    assert not failed, result
    assert [entry['action'] for entry in result['customers']] == ['unchanged', 'unchanged', 'created']
    assert calls(simulator)[1] == ('POST', 'cids=' + customers[2])


def test_check_mode_and_diff_write_nothing(simulator, run_module, args, customers):
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:2]), check_mode=True, diff=True)
    assert not failed, result
    assert result['changed'] is True
    assert [(e['action'], e['result']) for e in result['customers']] == [('created', None), ('created', None)]
    assert methods(simulator) == ['GET']
    assert reports_of(simulator, customers[0]) == []
    assert result['diff']['before'] == {}
    assert result['diff']['after'][customers[0]] == dict(
        name='weekly report', schedule='weekly', weekday='monday', monthday=None, time='08:00', enabled=True,
        recipients=['secops@example.com'], group_ids=[], contents=['virus_summary', 'top_devices_virus'])


def test_differing_report_is_left_alone_then_updated_in_place(simulator, run_module, args, customers):
    """replace=true updates the report with PUT report (Trend SMPI article 043): same rtid, history kept."""
    run_module(wfbss_report, args(customer_ids=customers[:2]))
    simulator.clear_log()
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:2], time='09:30', enabled=False),
                                check_mode=True, diff=True)
    assert not failed, result
    assert result['changed'] is False
    assert [e['action'] for e in result['customers']] == ['differs', 'differs']
    # --check --diff shows what differs, although nothing would change without replace=true
    assert result['diff']['before'][customers[0]]['time'] == '08:00'
    assert result['diff']['after'][customers[0]]['time'] == '09:30' and not result['diff']['after'][customers[0]]['enabled']
    assert result['customers'][0]['differences'] == ['enabled', 'time']
    assert result['customers'][0]['rtid'] == 1
    assert any('other settings' in warning and 'replace=true updates it' in warning for warning in result['warnings'])
    assert methods(simulator) == ['GET']

    result, failed = run_module(wfbss_report, args(customer_ids=customers[:2], time='09:30', enabled=False, replace=True),
                                check_mode=True, diff=True)
    assert result['changed'] is True and [e['action'] for e in result['customers']] == ['updated'] * 2
    assert result['diff']['before'][customers[0]]['time'] == '08:00'
    assert result['diff']['after'][customers[0]]['time'] == '09:30'
    assert methods(simulator) == ['GET', 'GET']

    simulator.clear_log()
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:2], time='09:30', enabled=False, replace=True))
    assert not failed, result
    assert result['changed'] is True
    assert [(e['action'], e['result'], e['rtid']) for e in result['customers']] == [('updated', 'Done', 1)] * 2
    assert calls(simulator)[1:] == [('PUT', 'cids=%s,%s&name=weekly%%20report' % tuple(customers[:2]))]
    stored = reports_of(simulator, customers[1])
    assert [(r['rtid'], r['setting']['enabled'], r['setting']['parameter']['time']) for r in stored] == [(1, 0, 34200)]

    simulator.clear_log()
    again, failed = run_module(wfbss_report, args(customer_ids=customers[:2], time='09:30', enabled=False, replace=True))
    assert not failed and again['changed'] is False and methods(simulator) == ['GET']


def test_duplicate_reports_of_a_name_are_replaced_by_one(simulator, run_module, args, customers, wfbss_connection):
    """Two reports of one name cannot be made one by an update: they are deleted and one is created."""
    run_module(wfbss_report, args(customer_ids=customers[:1]))
    run_module(wfbss_report, dict(args(customer_ids=customers[:1]), name='other'))
    # a second "weekly report", created through the API (the module never creates a duplicate)
    api = WfbssClient(dict(wfbss_connection, validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=0,
                           rate_limit_timeout=0, api_version='v2.8'))
    api.create_report(customers[:1], report_body('weekly report', 'weekly', True, 3600, weekday='friday', contents=[100]))
    api.close()
    simulator.clear_log()
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1], replace=True))
    assert not failed, result
    assert result['customers'][0]['action'] == 'replaced'
    assert '2 reports have this name' in result['customers'][0]['differences']
    assert methods(simulator) == ['GET', 'DELETE', 'POST']
    names = sorted(r['setting']['name'] for r in reports_of(simulator, customers[0]))
    assert names == ['other', 'weekly report']


def test_failed_update_reports_what_was_not_sent(simulator, run_module, args, customers):
    run_module(wfbss_report, args(customer_ids=customers[:12]))
    simulator.inject(vendor='wfbss', method='PUT', skip=1, count=-1, action='status', status=400)
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:12], time='10:00', replace=True, concurrency=1))
    assert failed
    assert result['failed_batch'] == 2 and result['unprocessed'] == customers[10:12]
    assert [e['result'] for e in result['customers']] == ['Done'] * 10 + [None] * 2
    assert 'not done' in result['customers'][11]['message']


def test_absent_deletes_then_idempotent(simulator, run_module, args, customers, wfbss_connection):
    run_module(wfbss_report, args(customer_ids=customers[:2]))
    simulator.clear_log()
    result, failed = run_module(wfbss_report, dict(args(customer_ids=customers[:3], state='absent')), diff=True)
    assert not failed, result
    assert result['changed'] is True
    assert [(e['action'], e['result']) for e in result['customers']] == [
        ('deleted', 'Done'), ('deleted', 'Done'), ('unchanged', None)]
    assert calls(simulator)[1] == ('DELETE', 'cids=%s,%s&name=weekly%%20report' % tuple(customers[:2]))
    assert set(result['diff']['before']) == set(customers[:2]) and result['diff']['after'] == {}
    assert reports_of(simulator, customers[0]) == []

    simulator.clear_log()
    again, failed = run_module(wfbss_report, dict(wfbss_connection, customer_ids=customers[:3], name='weekly report',
                                                  state='absent'))
    assert not failed and again['changed'] is False
    assert methods(simulator) == ['GET']


def test_unknown_customer_is_missing_and_fails_unless_accepted(simulator, run_module, args, customers):
    result, failed = run_module(wfbss_report, args(customer_ids=[customers[0], UNKNOWN]))
    assert failed
    assert '1 customer(s) failed' in result['msg'] and UNKNOWN in result['msg']
    assert result['customers'][1] == dict(id=UNKNOWN, rtid=None, result='Missing', action='none',
                                          message=wfbss_report.MISSING_MESSAGE)
    assert result['customers'][0]['result'] == 'Done' and result['changed'] is True
    assert calls(simulator)[1] == ('POST', 'cids=' + customers[0])  # the missing one is not sent

    result, failed = run_module(wfbss_report, args(customer_ids=[customers[0], UNKNOWN], accept_results=['Missing']))
    assert not failed, result
    assert any('accept_results' in warning for warning in result['warnings'])


def test_limit_error_per_customer(simulator, run_module, args, customers):
    for number in range(10):
        run_module(wfbss_report, args(customer_ids=[customers[0]], name='report %d' % number))
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:2]))
    assert failed
    assert [(e['result'], e['message']) for e in result['customers']] == [('LimitError', 'over the report limit'),
                                                                          ('Done', '')]
    assert result['changed'] is True
    assert 'LimitError' in result['msg']
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1], accept_results=['LimitError']))
    assert not failed and result['changed'] is False


def test_failure_in_batch_2_keeps_batch_1(simulator, run_module, args, customers):
    simulator.inject(vendor='wfbss', method='POST', path_contains='/report', skip=1, action='status', status=500)
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:15], retries=3, concurrency=1))
    assert failed
    assert result['changed'] is True
    assert result['failed_batch'] == 2 and result['outcome_unknown_items'] == customers[10:15]
    assert result['unprocessed'] == []
    assert result['error']['outcome_unknown'] is True and result['error']['status'] == 500
    assert [e['result'] for e in result['customers']] == ['Done'] * 10 + [None] * 5
    assert methods(simulator) == ['GET', 'GET', 'POST', 'POST']  # the POST that got a 500 is not replayed


@pytest.mark.parametrize('fault', [dict(action='html'), dict(action='status', status=502), dict(action='status', status=503)],
                         ids=['html-502', '502', '503'])
def test_a_create_applied_and_answered_by_a_gateway_error_is_not_sent_twice(simulator, run_module, args, customers, fault):
    """The POST was applied, then a gateway answered 502 (or 503) in its place: not resent, its outcome unknown; a clean
    rerun finds every report and creates none (each customer has it once)."""
    ids = customers[:12]
    simulator.inject(vendor='wfbss', method='POST', path_contains='/report', applied=True, count=-1, **fault)
    result, failed = run_module(wfbss_report, args(customer_ids=ids, concurrency=1, retries=3))
    assert failed and result['error']['outcome_unknown'] is True
    assert result['outcome_unknown_items'] == ids[:10] and result['unprocessed'] == ids[10:]
    assert methods(simulator).count('POST') == 1

    simulator.clear_faults()
    result, failed = run_module(wfbss_report, args(customer_ids=ids))
    assert not failed, result
    assert [entry['action'] for entry in result['customers']] == ['unchanged'] * 10 + ['created'] * 2
    assert [len(reports_of(simulator, cid)) for cid in ids] == [1] * 12


def test_read_failure_sends_no_write(simulator, run_module, args, customers):
    simulator.inject(vendor='wfbss', method='GET', action='status', status=500, count=5)
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:3], retries=1))
    assert failed
    assert result['changed'] is False and result['customers'] == []
    assert methods(simulator) == ['GET', 'GET']  # a read is retried


def test_vendor_error_inside_200(simulator, run_module, args, customers):
    simulator.inject(vendor='wfbss', method='GET', action='vendor_error', error_code='E9', error_text='maintenance')
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1]))
    assert failed and 'E9 maintenance' in result['msg']
    assert methods(simulator) == ['GET']


def test_monthly_end_of_month_warns(simulator, run_module, args, customers):
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1], schedule='monthly', weekday=None,
                                                   monthday=31, group_ids=[1, 2], recipients=[]))
    assert not failed, result
    assert any('monthday=31' in warning for warning in result['warnings'])
    parameter = reports_of(simulator, customers[0])[0]['setting']['parameter']
    assert parameter == {'time': 28800, 'email': 0, 'contents': [{'tbl_type': 100}, {'tbl_type': 101}],
                         'monthday': 31, 'gids': [1, 2]}


@pytest.mark.parametrize('schedule, weekday', [(3, 1), ('3', '1'), ('weekly', 1), (3, 'Monday')])
def test_the_vendors_codes_are_accepted_as_well_as_names(simulator, run_module, args, customers, schedule, weekday):
    """Trend documents weekdays as 0-6 (0 = Sunday) and the schedule as 3 (weekly) / 4 (monthly)."""
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1], schedule=schedule, weekday=weekday))
    assert not failed, result
    stored = reports_of(simulator, customers[0])
    assert [(r['type'], r['setting']['parameter']['weekday']) for r in stored] == [(3, 1)]
    again, failed = run_module(wfbss_report, args(customer_ids=customers[:1]))  # the same report, by its names
    assert not failed and again['changed'] is False


def test_monthly_by_the_vendors_code(simulator, run_module, args, customers):
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1], schedule=4, weekday=None, monthday=5))
    assert not failed, result
    assert [(r['type'], r['setting']['parameter']['monthday']) for r in reports_of(simulator, customers[0])] == [(4, 5)]


@pytest.mark.parametrize('extra, message', [
    (dict(name='a/b'), 'name must not contain'),
    (dict(name='  '), 'name must not be blank'),
    (dict(schedule='monthly', monthday=5), 'does not take weekday'),
    (dict(schedule='monthly', weekday=None), 'needs monthday'),
    (dict(monthday=3), 'does not take monthday'),
    (dict(schedule='monthly', weekday=None, monthday=32), 'monthday must be between 1 and 31'),
    (dict(time='24:00'), 'time must be HH:MM'),
    (dict(time='8am'), 'time must be HH:MM'),
    (dict(contents=['virus_summary', 'bogus']), "contents[1] is not a known report table: 'bogus'"),
    (dict(contents=[]), 'contents must list at least one'),
    (dict(recipients=['ops@example.com', 'nobody']), "recipients[1] is not an email address"),
    (dict(schedule=None), 'schedule'),
    (dict(schedule='daily'), "schedule must be weekly or monthly (or the vendor's code 3 or 4), got 'daily'"),
    (dict(weekday='7'), "weekday must be a day name (sunday ... saturday) or the vendor's number 0 (Sunday) to 6"),
    (dict(weekday='mon'), "weekday must be a day name"),
    (dict(customer_ids=['640FE47F-5118-4D79-8221-A35D0DE2EE2C', 'x']), 'customer_ids[1] (item 2)'),
    (dict(accept_results=['Done']), 'accept_results'),
])
def test_bad_input_fails_before_sending(simulator, run_module, args, customers, extra, message):
    values = dict(customer_ids=customers[:1])
    values.update(extra)
    result, failed = run_module(wfbss_report, args(**values))
    assert failed
    assert message in result['msg']
    assert simulator.requests == []


def test_wrong_token_is_an_auth_error(simulator, run_module, args, customers, wfbss_connection):
    result, failed = run_module(wfbss_report, args(customer_ids=customers[:1], access_token=UNKNOWN))
    assert failed and result['error']['kind'] == 'auth'
    assert 'clock' in result['msg'] and wfbss_connection['secret_key'] not in result['msg']


def report(time=28800):
    """The body of the `args` report (weekly on Monday, mailed, two contents) at `time` seconds after midnight."""
    return {'type': 3, 'setting': {'name': 'weekly report', 'enabled': 1, 'parameter': {
        'time': time, 'email': 1, 'contents': [{'tbl_type': 100}, {'tbl_type': 101}], 'weekday': 1,
        'address': ['secops@example.com']}}}


def test_wire_create_update_delete(simulator, run_module, args, customers):
    """Each run reads the customers' reports of that name first, then writes only what differs."""
    cids = ','.join(customers[:2])
    for extra in (dict(), dict(time='09:30', replace=True), dict(state='absent')):
        result, failed = run_module(wfbss_report, args(customer_ids=customers[:2], **extra))
        assert not failed and result['changed'] is True, result
    read = Call('GET', PATH, query=dict(cids=cids, name='weekly report'))
    assert_calls(simulator, [
        read, Call('POST', PATH, query=dict(cids=cids), body=report()),
        read, Call('PUT', PATH, query=dict(cids=cids, name='weekly report'), body=report(time=34200)),
        read, Call('DELETE', PATH, query=dict(cids=cids, name='weekly report')),
    ])
