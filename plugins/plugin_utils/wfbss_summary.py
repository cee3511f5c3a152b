# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The WFBS-SVC chore's part of the run report, from the results of its module calls.

Per customer: each reset (requested with its task id, not sent, or with an unknown outcome) and each
report of the catalogue (created, updated, ... or why not), and the problems in words a person can act on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.chore_results import chore_failure, count, failure_text, loop_results

REPORT_COUNTS = (('created', 'reports_created'), ('deleted', 'reports_deleted'), ('updated', 'reports_updated'),
                 ('replaced', 'reports_replaced'), ('differs', 'reports_differing'), ('unchanged', 'reports_unchanged'))
NOT_SENT = 'not sent'
OUTCOME_UNKNOWN = 'outcome unknown'


def summarize(customers, accounts, reset_results, report_results, retire_results, errors, catalogue, retired,
              resets, accept_results, check_mode):
    """The chore's report entry (see the role's README for its fields)."""
    people = dict((customer['id'], dict(customer, resets=[], reports=[], problems=[], failed=False))
                  for customer in customers)
    counts = dict((key, 0) for key in ['resets_requested'] + [name for action, name in REPORT_COUNTS])
    failures = list(errors or [])
    for result in loop_results(reset_results):
        _record_resets(result, people, counts, failures)
    for result in loop_results(report_results) + loop_results(retire_results):
        _record_reports(result, people, counts, failures, accept_results)
    items = list(people.values())
    changed = any(result.get('changed') for result in loop_results(reset_results) + loop_results(report_results) +
                  loop_results(retire_results))
    return dict(
        chore='wfbss', title='Trend Micro WFBS-SVC', status='failed' if failures else 'ok', changed=changed,
        check_mode=check_mode, headline=_headline(items, accounts, counts, failures, check_mode),
        summary=dict(counts, customers=len(items), accounts=len(accounts),
                     failed_customers=len([item for item in items if item['failed']])),
        accounts=list(accounts), resets=list(resets), catalogue=[report['name'] for report in catalogue],
        retired=list(retired), customers=items, failures=failures,
    )


def _record_resets(result, people, counts, failures):
    """One wfbss_reset call (an account and a reset type): the tasks per customer, or why a reset was not done."""
    account, reset = result['item'][0], result['item'][1]
    for task in result.get('tasks') or []:
        for cid in task.get('customer_ids') or []:
            customer = people.get(str(cid).upper())
            if customer is not None:
                customer['resets'].append(dict(type=reset['type'], events=reset.get('events') or [],
                                               task_id=task.get('id'), status=task.get('status')))
                counts['resets_requested'] += 1
    if not result.get('failed'):
        return
    why = failure_text(result)
    failures.append(chore_failure('account %s' % account, 'reset %s' % reset['type'], why,
                                  customers=(result.get('outcome_unknown_items') or []) + (result.get('unprocessed') or [])))
    for status, ids in ((OUTCOME_UNKNOWN, result.get('outcome_unknown_items')), (NOT_SENT, result.get('unprocessed'))):
        for customer in [people.get(str(cid).upper()) for cid in ids or []]:
            if customer is not None:
                customer['failed'] = True
                customer['resets'].append(dict(type=reset['type'], task_id=None, status=status, reason=why))
                customer['problems'].append(_reset_problem(reset['type'], status, why))


def _record_reports(result, people, counts, failures, accept_results):
    """One wfbss_report call (an account and a report of the catalogue, or a retired one): its action per customer."""
    account, wanted = result['item'][0], result['item'][1]
    retiring = not isinstance(wanted, dict)
    name = wanted if retiring else wanted['name']
    why = failure_text(result) if result.get('failed') else ''
    unknown = set(str(cid).upper() for cid in result.get('outcome_unknown_items') or [])
    unsent = set(str(cid).upper() for cid in result.get('unprocessed') or [])
    entries = dict((str(entry.get('id')).upper(), entry) for entry in result.get('customers') or [])
    refused = []
    for customer in [person for person in people.values() if person['account'] == account]:
        entry = entries.get(customer['id'])
        if customer['id'] in unknown | unsent or (entry is None and result.get('failed')):
            state = OUTCOME_UNKNOWN if customer['id'] in unknown else 'not done'
            customer['reports'].append(dict(name=name, action=state, result=None, message=why, rtid=None, differences=[]))
            customer['problems'].append('report %s: %s - %s' % (name, state, why))
            customer['failed'] = True
        elif entry is not None:
            if not _record_report(customer, name, entry, retiring, counts, accept_results):
                refused.append(entry.get('id'))
    if result.get('failed'):
        step = ('retire report ' if retiring else 'report ') + name
        failures.append(chore_failure('account %s' % account, step, why, customers=refused + sorted(unknown | unsent)))


def _record_report(customer, name, entry, retiring, counts, accept_results):
    """One customer's answer for one report; False when the API refused it (and that was not accepted)."""
    action = entry.get('action') or 'unknown'
    if retiring and action in ('unchanged', 'none'):
        action = 'already absent'
    customer['reports'].append(dict(name=name, action=action, result=entry.get('result'), message=entry.get('message') or '',
                                    rtid=entry.get('rtid'), differences=entry.get('differences') or []))
    if entry.get('result') in (None, 'Done') or entry.get('result') in accept_results:
        key = dict(REPORT_COUNTS).get(action)
        if key:
            counts[key] += 1
        return True
    customer['failed'] = True
    detail = ' - %s' % entry['message'] if entry.get('message') else ''
    customer['problems'].append('report %s: %s%s' % (name, entry.get('result'), detail))
    return False


def _reset_problem(reset_type, status, why):
    if status == OUTCOME_UNKNOWN:
        return ('reset %s: outcome unknown (the request may have been applied; check before sending it again) - %s'
                % (reset_type, why))
    return 'reset %s: not sent - %s' % (reset_type, why)


def _headline(items, accounts, counts, failures, check_mode):
    resets = count(counts['resets_requested'], 'reset')
    resets += ' would be requested' if check_mode else ' requested'
    reports = '%d created, %d deleted, %d updated, %d replaced, %d differing, %d unchanged' % (
        counts['reports_created'], counts['reports_deleted'], counts['reports_updated'], counts['reports_replaced'],
        counts['reports_differing'], counts['reports_unchanged'])
    return 'WFBS-SVC: %s in %s; %s; reports%s %s; %s%s' % (
        count(len(items), 'customer'), count(len(accounts), 'account'), resets, ' (would be)' if check_mode else '',
        reports, count(len(failures), 'failure'), ' (check mode: nothing was written)' if check_mode else '')
