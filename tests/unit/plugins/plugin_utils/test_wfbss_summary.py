# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The WFBS-SVC chore summary: every customer row says what really happened, and why."""

from __future__ import annotations

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import wfbss_summary

A1, A2, B1 = 'AAAAAAAA-0000-4000-8000-000000000001', 'AAAAAAAA-0000-4000-8000-000000000002', 'BBBBBBBB-0000-4000-8000-000000000001'
CUSTOMERS = [dict(host='a1', id=A1, name='Alpha', account='acct-a'), dict(host='a2', id=A2, name='Beta', account='acct-a'),
             dict(host='b1', id=B1, name='Gamma', account='acct-b')]
COUNTER = dict(type='counter')
WEEKLY = dict(name='Weekly', schedule='weekly')


def summarize(reset_results=(), report_results=(), retire_results=(), check_mode=False, accept=()):
    return wfbss_summary.summarize(CUSTOMERS, ['acct-a', 'acct-b'], list(reset_results), list(report_results),
                                   list(retire_results), [], [WEEKLY], ['Old'], [COUNTER], list(accept), check_mode)


def rows(summary):
    return {customer['id']: customer for customer in summary['customers']}


def test_requested_resets_carry_their_task_ids():
    summary = summarize(reset_results=[
        dict(item=['acct-a', COUNTER], changed=True, tasks=[dict(id='task-1', status='PENDING', customer_ids=[A1, A2.lower()])]),
        dict(item=['acct-b', COUNTER], changed=True, tasks=[dict(id='task-2', status='PENDING', customer_ids=[B1])])])
    assert rows(summary)[A2]['resets'] == [dict(type='counter', events=[], task_id='task-1', status='PENDING')]
    assert summary['summary']['resets_requested'] == 3 and summary['status'] == 'ok' and summary['changed'] is True
    assert 'WFBS-SVC: 3 customers in 2 accounts; 3 resets requested;' in summary['headline']


def test_a_failed_reset_says_per_customer_not_sent_or_outcome_unknown_and_why():
    failed = dict(item=['acct-a', COUNTER], failed=True, changed=False, tasks=[],
                  msg='batch 1 of 1 failed (0 batches completed before it): POST /commands/reset: HTTP 504',
                  outcome_unknown_items=[A1], unprocessed=[A2])
    summary = summarize(reset_results=[failed])
    alpha, beta, gamma = rows(summary)[A1], rows(summary)[A2], rows(summary)[B1]
    assert alpha['resets'][0]['status'] == 'outcome unknown' and alpha['failed'] is True
    assert alpha['problems'][0].startswith('reset counter: outcome unknown (the request may have been applied; check')
    assert beta['resets'][0]['status'] == 'not sent' and 'HTTP 504' in beta['resets'][0]['reason']
    assert beta['problems'] == ['reset counter: not sent - ' + failed['msg']]
    assert gamma['problems'] == [] and gamma['failed'] is False
    assert summary['failures'][0]['customers'] == [A1, A2] and summary['status'] == 'failed'
    assert summary['summary']['failed_customers'] == 2


def test_report_actions_are_counted_and_refusals_named():
    result = dict(item=['acct-a', WEEKLY], changed=True, failed=True, msg='1 customer(s) failed: ...', customers=[
        dict(id=A1, action='created', result='Done', rtid=1, message=''),
        dict(id=A2, action='created', result='LimitError', rtid=0, message='over the report limit')])
    other = dict(item=['acct-b', WEEKLY], changed=True, customers=[
        dict(id=B1, action='updated', result='Done', rtid=3, message='', differences=['time'])])
    retire = dict(item=['acct-b', 'Old'], changed=False, customers=[dict(id=B1, action='unchanged', result=None)])
    summary = summarize(report_results=[result, other], retire_results=[retire])
    assert rows(summary)[A2]['problems'] == ['report Weekly: LimitError - over the report limit']
    assert rows(summary)[B1]['reports'][0]['differences'] == ['time']
    assert rows(summary)[B1]['reports'][1]['action'] == 'already absent'
    counts = summary['summary']
    assert (counts['reports_created'], counts['reports_updated'], counts['reports_unchanged']) == (1, 1, 0)
    assert summary['failures'][0]['customers'] == [A2]


def test_accepted_results_are_not_failures():
    result = dict(item=['acct-a', WEEKLY], changed=True, customers=[
        dict(id=A1, action='created', result='LimitError', message='over the report limit'),
        dict(id=A2, action='created', result='Done')])
    summary = summarize(report_results=[result], accept=['LimitError'])
    assert all(not customer['failed'] for customer in summary['customers']) and summary['status'] == 'ok'


def test_a_report_call_that_failed_before_any_answer_marks_its_customers_not_done():
    result = dict(item=['acct-a', WEEKLY], failed=True, msg='batch 1 of 1 failed: GET /report: HTTP 401 (check access_token)',
                  customers=[], unprocessed=[A1, A2])
    summary = summarize(report_results=[result])
    assert [r['action'] for r in rows(summary)[A1]['reports']] == ['not done']
    assert rows(summary)[A2]['problems'] == ['report Weekly: not done - ' + result['msg']]
    assert rows(summary)[B1]['reports'] == []


def test_writes_not_sent_after_a_failed_batch_are_not_counted_as_done():
    result = dict(item=['acct-a', WEEKLY], failed=True, msg='batch 2 of 2 failed', unprocessed=[A2], customers=[
        dict(id=A1, action='created', result='Done', rtid=1),
        dict(id=A2, action='created', result=None, message='not done: the call for this batch failed or was not sent')])
    summary = summarize(report_results=[result])
    assert summary['summary']['reports_created'] == 1
    assert rows(summary)[A2]['reports'][0]['action'] == 'not done' and rows(summary)[A2]['failed'] is True


def test_check_mode_headline_reads_as_a_sentence():
    summary = summarize(reset_results=[dict(item=['acct-a', COUNTER], changed=True,
                                            tasks=[dict(id=None, status=None, customer_ids=[A1, A2])])], check_mode=True)
    assert '2 resets would be requested; reports (would be) 0 created' in summary['headline']
    assert summary['headline'].endswith('(check mode: nothing was written)')
