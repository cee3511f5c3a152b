# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The IoT Security cellular sync's part of the run report: per tenant what was sent and what the API matched.

Besides the per-tenant rows, the summary's ``unmatched_devices`` lists every device a tenant does not know (found by
iot_device_bulk's ``reconcile``), one plain dict each, across tenants in tenant order, for any renderer:
``{tenant, ip_address, ipv6_address, reason}``: the tenant's inventory host name, the addresses as given in the
source of truth (None where not given), and why it is listed (UNKNOWN_REASON; in check mode UNKNOWN_REASON_CHECK).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.chore_results import chore_failure, count, failure_text, loop_results

UNKNOWN_REASON = 'the tenant has no device with this address; not sent'
UNKNOWN_REASON_CHECK = 'the tenant has no device with this address; would not be sent'
UNMATCHED_HINT = ('the API reports only how many devices it did not match, not which: compare the addresses of the '
                  'source of truth with the tenant\'s device inventory (IoT Security > Devices, or GET device/list)')


def summarize(results, errors, check_mode):
    """The chore's report entry from the registered loop of iot_device_bulk calls (one per tenant)."""
    failures = list(errors or [])
    tenants, unknown = [], []
    reason = UNKNOWN_REASON_CHECK if check_mode else UNKNOWN_REASON
    for result in loop_results(results):
        target = result['item']
        failed = bool(result.get('failed'))
        named = result.get('unmatched_devices') or []
        unknown.extend(dict(tenant=target['host'], ip_address=device.get('ip_address'),
                            ipv6_address=device.get('ipv6_address'), reason=reason) for device in named)
        unnamed = result.get('unmatched_device_count')
        tenant = dict(tenant=target['host'], api=target.get('api'), customer_id=target.get('customer_id'),
                      tsg_id=target.get('tsg_id'), source=target.get('source'),
                      devices=result.get('device_count'), sent=result.get('sent_device_count') or 0,
                      updated=result.get('updated_device_count'),
                      unmatched=len(named) + unnamed if unnamed is not None else (len(named) if named else None),
                      unknown=len(named), reconciled='unmatched_devices' in result,
                      batches=result.get('batches') or [], batch_count=result.get('batch_count') or 0, failed=failed,
                      failed_batch=result.get('failed_batch'), unprocessed=len(result.get('unprocessed') or []),
                      outcome_unknown=len(result.get('outcome_unknown_items') or []),
                      error=failure_text(result) if failed else None,
                      note=UNMATCHED_HINT if unnamed else None)
        tenants.append(tenant)
        if failed:
            failures.append(chore_failure('tenant %s' % target['host'], 'bulk update', tenant['error'],
                                          failed_batch=tenant['failed_batch'], unprocessed_devices=tenant['unprocessed'],
                                          outcome_unknown_devices=tenant['outcome_unknown']))
    totals = dict(devices=sum(t['devices'] or 0 for t in tenants), sent=sum(t['sent'] for t in tenants),
                  updated=sum(t['updated'] or 0 for t in tenants), unmatched=sum(t['unmatched'] or 0 for t in tenants),
                  unknown=len(unknown), batches=sum(t['batch_count'] for t in tenants))
    return dict(
        chore='iot', title='Palo Alto Networks IoT Security', status='failed' if failures else 'ok',
        changed=any(result.get('changed') for result in loop_results(results)), check_mode=check_mode,
        headline=_headline(tenants, totals, failures, check_mode), summary=dict(totals, tenants=len(tenants)),
        tenants=tenants, unmatched_devices=unknown, failures=failures,
    )


def _headline(tenants, totals, failures, check_mode):
    if check_mode:
        sent = '%d would be sent' % totals['sent']
        if totals['unknown']:
            sent += ', %d unknown to the tenant (named in the report)' % totals['unknown']
    else:
        sent = '%d sent, %d updated, %d not matched' % (totals['sent'], totals['updated'], totals['unmatched'])
        if totals['unmatched'] > totals['unknown']:
            sent += ' (the API does not say which; see the tenant rows)'
        elif totals['unknown']:
            sent += ' (unknown to the tenant, not sent; named in the report)'
    return 'IoT Security: %s; %s in %s, %s; %s%s' % (
        count(len(tenants), 'tenant'), count(totals['devices'], 'device'), count(totals['batches'], 'batch', 'batches'),
        sent, count(len(failures), 'failure'), ' (check mode: nothing was sent)' if check_mode else '')
