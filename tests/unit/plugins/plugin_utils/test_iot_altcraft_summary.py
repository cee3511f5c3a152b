# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The IoT Security and Altcraft chore summaries."""

from __future__ import annotations

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import altcraft_summary, iot_summary

TENANT = dict(host='tenant1', customer_id='t1', source='devices.csv')


def test_iot_counts_and_says_what_to_do_about_unmatched_devices():
    results = [dict(item=TENANT, changed=True, device_count=10, batch_count=2, sent_device_count=10,
                    updated_device_count=7, unmatched_device_count=3, batches=[dict(index=1, sent=5, updated=4)]),
               dict(item=dict(TENANT, host='tenant2'), changed=True, device_count=4, batch_count=1, sent_device_count=4,
                    updated_device_count=4, unmatched_device_count=0, batches=[])]
    summary = iot_summary.summarize(dict(results=results), [], False)
    first, second = summary['tenants']
    assert first['note'] == iot_summary.UNMATCHED_HINT and second['note'] is None
    assert summary['summary'] == dict(devices=14, sent=14, updated=11, unmatched=3, unknown=0, batches=3, tenants=2)
    assert summary['headline'] == ('IoT Security: 2 tenants; 14 devices in 3 batches, 14 sent, 11 updated, 3 not matched '
                                   '(the API does not say which; see the tenant rows); 0 failures')


def test_iot_failure_names_the_batch_and_what_was_not_processed():
    results = [dict(item=TENANT, failed=True, changed=True, msg='batch 2 of 3 failed: PUT /device/bulkUpdate: HTTP 403',
                    device_count=9, batch_count=3, sent_device_count=3, updated_device_count=3, failed_batch=2,
                    unprocessed=[dict(position=4), dict(position=5)], batches=[dict(index=1, sent=3, updated=3)])]
    summary = iot_summary.summarize(results, [], False)
    assert summary['status'] == 'failed' and summary['failures'][0]['failed_batch'] == 2
    assert summary['failures'][0]['unprocessed_devices'] == 2 and 'HTTP 403' in summary['tenants'][0]['error']


def test_iot_failure_says_how_many_devices_may_have_been_updated():
    results = [dict(item=TENANT, failed=True, changed=True, msg='batch 2 of 3 failed: PUT /device/bulkUpdate: timeout',
                    device_count=9, batch_count=3, sent_device_count=3, updated_device_count=3, failed_batch=2,
                    outcome_unknown_items=[dict(position=4), dict(position=5), dict(position=6)],
                    unprocessed=[dict(position=7)], batches=[dict(index=1, sent=3, updated=3)])]
    summary = iot_summary.summarize(results, [], False)
    assert summary['tenants'][0]['outcome_unknown'] == 3 and summary['tenants'][0]['unprocessed'] == 1
    assert summary['failures'][0]['outcome_unknown_devices'] == 3


def test_iot_check_mode_headline():
    results = [dict(item=TENANT, changed=True, device_count=10, batch_count=1, sent_device_count=10, batches=[])]
    headline = iot_summary.summarize(results, [], True)['headline']
    assert headline == 'IoT Security: 1 tenant; 10 devices in 1 batch, 10 would be sent; 0 failures (check mode: nothing was sent)'


TARGETS = [dict(host='res1', resource_id=1, list_id=1), dict(host='res1', resource_id=1, list_id=2),
           dict(host='res2', resource_id=2, list_id=1)]
COUNTERS = {'email': {'all': 10, 'subscribed': 8}}


def test_altcraft_actions_per_database():
    refreshed = [
        dict(item=TARGETS[0], changed=True, task_id='t', counters=COUNTERS, updated='2024-04-19T13:31:08.927Z', age_seconds=1.0),
        dict(item=TARGETS[1], changed=False, counters=COUNTERS, age_seconds=None),
        dict(item=TARGETS[2], failed=True, msg='HTTP 200, 402 Tariff limit reached'),
    ]
    summary = altcraft_summary.summarize(TARGETS, refreshed, [], [], False)
    assert [item['action'] for item in summary['resources']] == ['refreshed', 'fresh', 'failed']
    assert summary['resources'][0]['note'] is None
    assert summary['resources'][1]['note'] == 'counted at an unknown time (the API did not say)'
    assert summary['failures'][0]['scope'] == 'resource res2 (2/1)' and summary['status'] == 'failed'
    assert summary['summary'] == dict(databases=3, refreshed=1, failed=1)
    assert summary['headline'] == 'Altcraft: 3 resource databases; 1 refreshed, 0 would be refreshed, 1 already fresh; 1 failure'


def test_altcraft_a_failed_refresh_says_whether_it_may_have_been_applied():
    refreshed = [
        dict(item=TARGETS[0], failed=True, changed=True, task_id=None, msg='task t1 did not complete in time'),
        dict(item=TARGETS[1], failed=True, changed=False, msg='HTTP 504. The outcome is unknown',
             error=dict(outcome_unknown=True)),
        dict(item=TARGETS[2], failed=True, changed=False, msg='HTTP 200, 402 Tariff limit reached',
             error=dict(outcome_unknown=False)),
    ]
    summary = altcraft_summary.summarize(TARGETS, refreshed, [], [], False)
    assert [item['action'] for item in summary['resources']] == ['requested', 'outcome unknown', 'failed']
    assert [item['error'] for item in summary['resources']] == [
        'task t1 did not complete in time', 'HTTP 504. The outcome is unknown', 'HTTP 200, 402 Tariff limit reached']
    assert summary['summary'] == dict(databases=3, refreshed=0, failed=3) and summary['changed'] is True


def test_altcraft_check_mode_reads_and_predicts():
    refreshed = [dict(item=TARGETS[0], changed=True, would_refresh=True), dict(item=TARGETS[1], changed=False, would_refresh=False)]
    reads = [dict(item=TARGETS[0], counters=COUNTERS, updated='u', age_seconds=5.0), dict(item=TARGETS[2], skipped=True)]
    summary = altcraft_summary.summarize(TARGETS[:2], refreshed, reads, [], True)
    assert [item['action'] for item in summary['resources']] == ['would refresh', 'fresh']
    assert summary['resources'][0]['counters'] == COUNTERS and summary['changed'] is False


def reconciled(host, sent, unknown, **extra):
    """An iot_device_bulk result with reconcile: ``unknown`` (ip_address, ipv6_address) pairs not sent."""
    return dict(dict(item=dict(TENANT, host=host), changed=True, device_count=sent + len(unknown), batch_count=1,
                     sent_device_count=sent, updated_device_count=sent, unmatched_device_count=0, batches=[],
                     unmatched_devices=[dict(position=n, ip_address=ip, ipv6_address=ip6)
                                        for n, (ip, ip6) in enumerate(unknown, 1)]), **extra)


def test_iot_unknown_devices_are_named_per_tenant_in_one_plain_list():
    results = [reconciled('tenant1', 5, [('10.99.0.1', None), (None, 'fd00:99::1')]),
               reconciled('tenant2', 3, []), reconciled('tenant3', 2, [('10.99.0.7', 'fd00:99::7')])]
    summary = iot_summary.summarize(results, [], False)
    assert summary['unmatched_devices'] == [
        dict(tenant='tenant1', ip_address='10.99.0.1', ipv6_address=None, reason=iot_summary.UNKNOWN_REASON),
        dict(tenant='tenant1', ip_address=None, ipv6_address='fd00:99::1', reason=iot_summary.UNKNOWN_REASON),
        dict(tenant='tenant3', ip_address='10.99.0.7', ipv6_address='fd00:99::7', reason=iot_summary.UNKNOWN_REASON)]
    assert [(t['unmatched'], t['unknown'], t['note']) for t in summary['tenants']] == [(2, 2, None), (0, 0, None), (1, 1, None)]
    assert summary['summary']['unknown'] == 3 and summary['summary']['unmatched'] == 3
    assert summary['headline'] == ('IoT Security: 3 tenants; 13 devices in 3 batches, 10 sent, 10 updated, 3 not matched '
                                   '(unknown to the tenant, not sent; named in the report); 0 failures')


def test_iot_check_mode_with_reconcile_names_what_would_not_be_sent():
    summary = iot_summary.summarize([reconciled('tenant1', 4, [('10.99.0.1', None)], updated_device_count=None)], [], True)
    assert summary['unmatched_devices'][0]['reason'] == iot_summary.UNKNOWN_REASON_CHECK
    assert summary['headline'] == ('IoT Security: 1 tenant; 5 devices in 1 batch, 4 would be sent, 1 unknown to the tenant '
                                   '(named in the report); 0 failures (check mode: nothing was sent)')


def test_iot_without_reconcile_has_no_named_devices():
    results = [dict(item=TENANT, changed=True, device_count=3, batch_count=1, sent_device_count=3,
                    updated_device_count=2, unmatched_device_count=1, batches=[])]
    summary = iot_summary.summarize(results, [], False)
    assert summary['unmatched_devices'] == [] and summary['tenants'][0]['reconciled'] is False
    assert summary['tenants'][0]['unmatched'] == 1 and summary['tenants'][0]['note'] == iot_summary.UNMATCHED_HINT
