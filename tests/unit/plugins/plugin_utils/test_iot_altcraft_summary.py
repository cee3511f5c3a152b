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
    assert summary['summary'] == dict(devices=14, sent=14, updated=11, unmatched=3, batches=3, tenants=2)
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
