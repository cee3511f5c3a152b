# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the run report shows, computed once from the chores' report entries: one row per item, the totals and
aggregates per account, tenant or wave, and the failures grouped by cause with what to do about them.

The Markdown, HTML and CSV writers only render what this returns (see docs/run-report.md for the schema).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.koophone_summary import FAILED_OUTCOMES, HELD_BACK

# The item columns, in the order of fleet-items.csv and of the HTML tables.
ITEM_FIELDS = ('vendor', 'item_id', 'name', 'group', 'action', 'outcome', 'reason', 'task_id')
# How many failed items the Markdown summary lists before it gives a count and points at the HTML and CSV files.
FAILURE_LIST_LIMIT = 200
VENDOR_TITLES = (('wfbss', 'Trend Micro WFBS-SVC'), ('koophone', 'Huawei Cloud KooPhone'),
                 ('iot', 'Palo Alto Networks IoT Security'), ('altcraft', 'Altcraft'))
GROUP_NAMES = dict(wfbss='account', koophone='wave', iot='tenant', altcraft='resource')
REJECTED = 'rejected'
LEFT_OUT = 'left out: bad id'
NOT_MATCHED = 'not matched'
# Outcomes of an item that count as a failure of the run (KooPhone's own, and the other chores').
FAILED = frozenset(FAILED_OUTCOMES + (HELD_BACK, 'not sent', 'not done', 'failed', REJECTED))
# Outcomes where nothing was done because nothing needed doing, or the item was left out on purpose.
UNCHANGED = frozenset(('unchanged', 'fresh', 'already reset', 'read'))
SKIPPED = frozenset(('skipped',))
PLANNED_PREFIX = 'would '

# "HTTP 403, CODE message" (http_client.ApiError's message): the status, and the vendor's code when it looks like one.
_HTTP_STATUS = re.compile(r'\bHTTP (\d{3})\b(?:[^,.]*?, (\d[\w.-]*|[A-Za-z][\w.-]*\d[\w.-]*|[A-Z][A-Z_.]{2,}[A-Z0-9])\b)?')
_LEADING_CODE = re.compile(r'^([A-Z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)+)\b')
_REQUEST_ID = re.compile(r'\s*\(request id [^)]*\)')


def status_class(outcome):
    """failed, planned, unchanged, skipped or done: how an outcome is shown and counted (never by colour alone)."""
    if outcome in FAILED or outcome == NOT_MATCHED:
        return 'failed' if outcome != NOT_MATCHED else 'attention'
    if outcome.startswith(PLANNED_PREFIX):
        return 'planned'
    if outcome in UNCHANGED:
        return 'unchanged'
    if outcome in SKIPPED:
        return 'skipped'
    return 'done'


def _row(vendor, item_id, name, group, action, outcome, reason='', task_id=''):
    return dict(vendor=vendor, item_id='' if item_id is None else str(item_id), name=name or '', group=group or '',
                action=action, outcome=outcome, reason=reason or '', task_id=task_id or '')


def _wfbss_rows(chore):
    check_mode = chore.get('check_mode')
    for customer in chore.get('customers') or []:
        resets = customer.get('resets') or []
        reports = [report for report in customer.get('reports') or [] if report['action'] not in ('unchanged', 'already absent')]
        actions = ['reset %s%s' % (reset['type'], _unsent(reset)) for reset in resets]
        actions += ['report %s: %s' % (report['name'], report['action']) for report in reports]
        if customer.get('failed'):
            outcome = 'failed'
        elif actions:
            outcome = 'would change' if check_mode else 'changed'
        else:
            outcome = 'unchanged'
        tasks = [reset['task_id'] for reset in resets if reset.get('task_id')]
        yield _row('wfbss', customer['id'], customer.get('name'), customer.get('account'), '; '.join(actions) or 'no change',
                   outcome, '; '.join(customer.get('problems') or []), '; '.join(tasks))


def _unsent(reset):
    return ' (%s)' % reset['status'] if reset.get('status') in ('not sent', 'outcome unknown') else ''


def _koophone_rows(chore):
    for instance in chore.get('instances') or []:
        wave = instance.get('wave')
        yield _row('koophone', instance['instance_id'], instance.get('host'), 'wave %d' % wave if wave else 'no wave',
                   'reset', instance['outcome'], instance.get('reason'), instance.get('job_id'))


def _iot_rows(chore):
    check_mode = chore.get('check_mode')
    # the devices a tenant does not know (reconcile): one list for the chore, each device naming its tenant
    unmatched = {}
    for device in chore.get('unmatched_devices') or []:
        unmatched.setdefault(device.get('tenant'), []).append(device)
    for tenant in chore.get('tenants') or []:
        if tenant.get('failed'):
            outcome = 'failed'
        else:
            outcome = 'would send' if check_mode else 'sent'
        action = 'bulk update of %s device(s) in %s batch(es)' % (tenant.get('devices') or 0, tenant.get('batch_count') or 0)
        reason = tenant.get('error') or ''
        if not reason and tenant.get('unmatched'):
            reason = '%d device(s) not matched' % tenant['unmatched']
        yield _row('iot', tenant.get('tsg_id') or tenant.get('customer_id'), tenant['tenant'], tenant['tenant'], action,
                   outcome, reason, 'batch %s' % tenant['failed_batch'] if tenant.get('failed_batch') else '')
        for device in unmatched.get(tenant['tenant'], []):
            yield _row('iot', device.get('ip_address') or device.get('ipv6_address'), device.get('ipv6_address') or '',
                       tenant['tenant'], 'bulk update', NOT_MATCHED, device.get('reason'))


def _altcraft_rows(chore):
    for database in chore.get('resources') or []:
        reason = database.get('error') or database.get('note') or (
            'counted %s' % database['updated'] if database.get('updated') else '')
        yield _row('altcraft', '%s/%s' % (database['resource_id'], database['list_id']), database['resource'],
                   database['resource'], 'refresh counters', database['action'], reason, database.get('task_id'))


ROWS = dict(wfbss=_wfbss_rows, koophone=_koophone_rows, iot=_iot_rows, altcraft=_altcraft_rows)


def rejected_row(rejected):
    """A host the fleet's data check left out: named by its inventory name, with the value and the reason."""
    value = rejected.get('value')
    return _row(rejected['kind'], '' if value is None else value, rejected['host'], LEFT_OUT,
                'none (left out before anything was sent)', REJECTED,
                '%s %s' % (rejected['variable'], rejected['reason']))


def item_rows(chores, rejected=()):
    """Every item of the run, one row each (see ITEM_FIELDS), the hosts left out for bad data first."""
    rows = [rejected_row(entry) for entry in rejected or []]
    for chore in chores:
        rows.extend(ROWS[chore['chore']](chore))
    return rows


def vendor_overviews(chores, rows, rejected=()):
    """Per vendor that ran: its headline, totals per outcome, and the aggregates per account / tenant / wave."""
    by_vendor = {}
    for row in rows:
        by_vendor.setdefault(row['vendor'], []).append(row)
    overviews = []
    for chore in chores:
        vendor = chore['chore']
        vendor_rows = by_vendor.get(vendor, [])
        totals, groups = {}, {}
        for row in vendor_rows:
            totals[row['outcome']] = totals.get(row['outcome'], 0) + 1
            group = groups.setdefault(row['group'], {})
            group[row['outcome']] = group.get(row['outcome'], 0) + 1
        overviews.append(dict(
            chore=vendor, title=chore.get('title') or dict(VENDOR_TITLES).get(vendor, vendor), status=chore.get('status'),
            changed=bool(chore.get('changed')), headline=chore.get('headline'), items=len(vendor_rows),
            rejected=len([entry for entry in rejected or [] if entry['kind'] == vendor]),
            totals=dict(sorted(totals.items())), group_name=GROUP_NAMES.get(vendor, 'group'),
            groups=[dict(group=name, items=sum(counts.values()), outcomes=dict(sorted(counts.items())))
                    for name, counts in groups.items()],
            picture=PICTURES[vendor](chore, groups), notes=_notes(chore),
        ))
    return overviews


def _notes(chore):
    """What a reader of the summary needs besides the counts: the catalogue, the journal, the tenants' notes."""
    if chore['chore'] == 'wfbss':
        return ['Catalogue: %s; retired: %s; resets: %s.' % (
            ', '.join(chore.get('catalogue') or []) or '(none)', ', '.join(chore.get('retired') or []) or '(none)',
            ', '.join(reset['type'] for reset in chore.get('resets') or []) or '(none)')]
    if chore['chore'] == 'koophone' and chore.get('journal'):
        journal, summary = chore['journal'], chore.get('summary') or {}
        return ['Journal `%s` (%s): %d already reset by an earlier run, %d held back%s.' % (
            journal['path'], ('resumed, started %s' % journal['started']) if journal.get('resumed') else 'new',
            summary.get('already reset', 0), summary.get(HELD_BACK, 0),
            ('; the campaign finished %s' % journal['finished']) if journal.get('finished') else '')]
    if chore['chore'] == 'iot':
        return ['%s: %s device(s) not matched - %s.' % (tenant['tenant'], tenant.get('unmatched'), tenant['note'])
                for tenant in chore.get('tenants') or [] if tenant.get('note')]
    return []


def _outcome_bars(chore, groups):
    return [dict(label=name, values=dict(counts)) for name, counts in groups.items()]


def _koophone_picture(chore, groups):
    """Per wave: reset, failed, skipped or held back (the instances in no wave in a bar of their own)."""
    bars = []
    for name, counts in groups.items():
        values = dict(reset=0, failed=0, skipped=0)
        values[HELD_BACK] = 0
        for outcome, number in counts.items():
            if outcome == HELD_BACK:
                values[HELD_BACK] += number
            elif outcome in FAILED:
                values['failed'] += number
            elif outcome in ('skipped', 'already reset', 'not sent'):
                values['skipped'] += number
            else:
                values['reset'] += number
        bars.append(dict(label=name, values=values))
    return bars


def _iot_picture(chore, groups):
    """Per tenant and batch: devices sent, updated, and not matched (sent but not updated)."""
    bars = []
    for tenant in chore.get('tenants') or []:
        for batch in tenant.get('batches') or []:
            sent, updated = batch.get('sent') or 0, batch.get('updated')
            values = dict(updated=updated or 0, unmatched=max(sent - (updated or 0), 0) if updated is not None else 0)
            values['sent, not confirmed'] = sent if updated is None else 0
            bars.append(dict(label='%s #%s' % (tenant['tenant'], batch.get('index')), values=values))
        if not tenant.get('batches'):
            bars.append(dict(label=tenant['tenant'], values={'sent, not confirmed': tenant.get('sent') or 0}))
    return bars


def _altcraft_picture(chore, groups):
    """Per database: how it stands (refreshed, fresh, would refresh, failed) and when its counters were counted."""
    return [dict(label='%s/%s' % (database['resource'], database['list_id']), values={database['action']: 1},
                 note=database.get('updated') or database.get('note') or 'not counted')
            for database in chore.get('resources') or []]


PICTURES = dict(wfbss=_outcome_bars, koophone=_koophone_picture, iot=_iot_picture, altcraft=_altcraft_picture)


def vendor_code(message):
    """The vendor's code in a failure message (HTTP status and the vendor's own code when it gave one), or ''."""
    match = _HTTP_STATUS.search(message or '')
    if match:
        return 'HTTP %s%s' % (match.group(1), ' (vendor code %s)' % match.group(2) if match.group(2) else '')
    match = _LEADING_CODE.match(message or '')
    return match.group(1) if match else ''


def advice(outcome, code, message):
    """What to do about a failure, in a sentence an operator can act on."""
    status = code[5:8] if code.startswith('HTTP ') else ''
    if outcome == REJECTED:
        return ('fix the host variable in the inventory (or remove the host), then run again for these hosts '
                'with --limit; nothing was sent for them')
    if outcome == 'outcome unknown':
        return ('the request may have been applied: check these items in the vendor console before sending it again')
    if outcome == HELD_BACK:
        return ('an earlier run may have reset these already: check each one, then reset it again only if it needs it '
                '(allow_double_reset)')
    if outcome in ('not sent', 'not done'):
        return 'nothing was sent for these: fix the cause of the failure that stopped them and run again'
    if status in ('401', '403'):
        return 'check the credentials and the permissions of this account or tenant, then run again'
    if status == '429':
        return 'the API rate-limited the run: lower the concurrency (or requests per minute) and run again'
    if status.startswith('5'):
        return ('the vendor service failed: run again later; if it persists, give the vendor the request id from '
                'the message')
    if outcome == 'unhealthy':
        return 'check the instance in the KooPhone console: it did not come back in the expected state'
    if outcome == NOT_MATCHED:
        return 'add the device to the tenant (or correct its address in the source of truth)'
    return 'read the message, fix the cause and run again for these items (--limit)'


def failure_groups(rows, failures):
    """The failures grouped by cause: failed items with the same vendor, outcome and message are one cause.

    A chore failure that names no item (an unexpected error of a step, a whole account or wave) is a cause of its own.
    """
    groups = {}
    order = []
    for row in rows:
        if status_class(row['outcome']) not in ('failed', 'attention'):
            continue
        message = _REQUEST_ID.sub('', row['reason']) or row['outcome']
        key = (row['vendor'], row['outcome'], message)
        if key not in groups:
            code = vendor_code(row['reason'])
            groups[key] = dict(vendor=row['vendor'], outcome=row['outcome'], code=code, message=message,
                               advice=advice(row['outcome'], code, message), scopes=[], items=[])
            order.append(key)
        group = groups[key]
        group['items'].append(dict(item_id=row['item_id'], name=row['name'], group=row['group']))
        if row['group'] and row['group'] not in group['scopes']:
            group['scopes'].append(row['group'])
    covered = set(row['item_id'].upper() for row in rows if status_class(row['outcome']) == 'failed')
    for failure in failures:
        if 'host' in failure:  # a host the data check left out: its row is above
            continue
        named = [str(item) for key in ('customers', 'instances') for item in failure.get(key) or []]
        if named and all(item.upper() in covered for item in named):
            continue
        if failure.get('scope', '').startswith('tenant ') and failure['scope'][7:].upper() in _failed_names(rows):
            continue
        code = vendor_code(failure.get('msg'))
        key = (failure.get('chore'), failure.get('scope'), failure.get('msg'))
        groups[key] = dict(vendor=failure.get('chore'), outcome='failed', code=code, message=failure.get('msg') or 'failed',
                           advice=advice('failed', code, failure.get('msg')), scopes=[failure.get('scope')],
                           step=failure.get('step'), items=[dict(item_id=item, name='', group=failure.get('scope'))
                                                            for item in named])
        order.append(key)
    return [dict(groups[key], count=len(groups[key]['items'])) for key in order]


def _failed_names(rows):
    return set(row['name'].upper() for row in rows if row['vendor'] == 'iot' and row['outcome'] == 'failed')


def failure_listing(groups, limit=FAILURE_LIST_LIMIT):
    """The failure groups with at most ``limit`` failed items listed in all, and how many were left out."""
    shown, budget, hidden = [], limit, 0
    for group in groups:
        items = group['items'][:max(budget, 0)]
        budget -= len(items)
        hidden += len(group['items']) - len(items)
        shown.append(dict(group, items=items, hidden=len(group['items']) - len(items)))
    return shown, hidden
