# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The IoT Security cellular sync's part of the run report: per tenant what was sent and what the API matched."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.chore_results import chore_failure, count, failure_text, loop_results

UNMATCHED_HINT = ('the API reports only how many devices it did not match, not which: compare the addresses of the '
                  'source of truth with the tenant\'s device inventory (IoT Security > Devices, or GET device/list)')


def summarize(results, errors, check_mode):
    """The chore's report entry from the registered loop of iot_device_bulk calls (one per tenant)."""
    failures = list(errors or [])
    tenants = []
    for result in loop_results(results):
        target = result['item']
        failed = bool(result.get('failed'))
        tenant = dict(tenant=target['host'], api=target.get('api'), customer_id=target.get('customer_id'),
                      tsg_id=target.get('tsg_id'), source=target.get('source'),
                      devices=result.get('device_count'), sent=result.get('sent_device_count') or 0,
                      updated=result.get('updated_device_count'), unmatched=result.get('unmatched_device_count'),
                      batches=result.get('batches') or [], batch_count=result.get('batch_count') or 0, failed=failed,
                      failed_batch=result.get('failed_batch'), unprocessed=len(result.get('unprocessed') or []),
                      outcome_unknown=len(result.get('outcome_unknown_items') or []),
                      error=failure_text(result) if failed else None,
                      note=UNMATCHED_HINT if result.get('unmatched_device_count') else None)
        tenants.append(tenant)
        if failed:
            failures.append(chore_failure('tenant %s' % target['host'], 'bulk update', tenant['error'],
                                          failed_batch=tenant['failed_batch'], unprocessed_devices=tenant['unprocessed'],
                                          outcome_unknown_devices=tenant['outcome_unknown']))
    totals = dict(devices=sum(t['devices'] or 0 for t in tenants), sent=sum(t['sent'] for t in tenants),
                  updated=sum(t['updated'] or 0 for t in tenants), unmatched=sum(t['unmatched'] or 0 for t in tenants),
                  batches=sum(t['batch_count'] for t in tenants))
    return dict(
        chore='iot', title='Palo Alto Networks IoT Security', status='failed' if failures else 'ok',
        changed=any(result.get('changed') for result in loop_results(results)), check_mode=check_mode,
        headline=_headline(tenants, totals, failures, check_mode), summary=dict(totals, tenants=len(tenants)),
        tenants=tenants, failures=failures,
    )


def _headline(tenants, totals, failures, check_mode):
    if check_mode:
        sent = '%d would be sent' % totals['sent']
    else:
        sent = '%d sent, %d updated, %d not matched' % (totals['sent'], totals['updated'], totals['unmatched'])
        if totals['unmatched']:
            sent += ' (the API does not say which; see the tenant rows)'
    return 'IoT Security: %s; %s in %s, %s; %s%s' % (
        count(len(tenants), 'tenant'), count(totals['devices'], 'device'), count(totals['batches'], 'batch', 'batches'),
        sent, count(len(failures), 'failure'), ' (check mode: nothing was sent)' if check_mode else '')
