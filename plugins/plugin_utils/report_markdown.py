# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""fleet-report.md: the run's summary, small at any fleet size (per-item rows are in the HTML, JSON and CSV files)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.report_data import failure_listing

POINTER = 'fleet-report.html (every item, searchable) and fleet-items.csv (one row per item)'


def _cell(value):
    """Text that stays inside its Markdown table cell."""
    return ' '.join(str('' if value is None else value).split()).replace('|', '\\|') or '-'


def _table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(_cell(value) for value in row) + ' |' for row in rows]
    return lines


def render(report):
    """The Markdown text of the run report."""
    plan = report['mode'] == 'plan'
    lines = ['# Fleet maintenance run report', '']
    lines += _table(['', ''], [
        ('Status', '**%s**' % report['status'].upper()),
        ('Mode', 'PLAN - check run: nothing was changed; this shows what would be done' if plan else 'live run'),
        ('Limit', report['limit'] or '(whole inventory)'),
        ('Started', report['started_at'] or 'unknown'), ('Ended', report['finished_at']),
        ('Duration', '%s s' % report['duration_seconds'] if report['duration_seconds'] is not None else 'unknown'),
    ] + ([('AWX job', report['awx_job_id'])] if report['awx_job_id'] else []))
    lines.append('')
    for vendor in report['vendors']:
        changed = ', changed' if vendor['changed'] else ''
        lines.append('- **%s** (%s%s): %s' % (vendor['title'], vendor['status'], changed, vendor['headline']))
    if not report['vendors']:
        lines.append('No chore ran (no host of the inventory / limit belongs to a chore\'s group).')
    lines += ['', 'The items: ' + POINTER + '.', '']
    lines += _failures(report['failure_groups'])
    for vendor in report['vendors']:
        lines += ['', '## ' + vendor['title'], '', vendor['headline'] or '', '']
        lines += [note + '\n' for note in vendor['notes']]
        outcomes = sorted(vendor['totals'])
        lines += _table(['Total'] + outcomes + ['items'], [['all'] + [vendor['totals'][o] for o in outcomes] + [vendor['items']]])
        lines += ['', 'Per %s:' % vendor['group_name'], '']
        lines += _table([vendor['group_name'].capitalize()] + outcomes + ['items'],
                        [[group['group'] or '-'] + [group['outcomes'].get(o, 0) for o in outcomes] + [group['items']]
                         for group in vendor['groups']])
    return '\n'.join(lines) + '\n'


def _failures(groups):
    lines = ['## Failures', '']
    if not groups:
        return lines + ['None.']
    shown, hidden = failure_listing(groups)
    total = sum(group['count'] or 1 for group in groups)
    lines += ['%d failed item(s) in %d cause(s).' % (total, len(groups)), '']
    for number, group in enumerate(shown, 1):
        lines += ['### %d. %s: %s (%d)' % (number, group['vendor'], group['outcome'], group['count']), '',
                  '- Code: %s' % (group['code'] or '(none given)'), '- Message: %s' % _cell(group['message']),
                  '- What to do: %s' % group['advice']]
        if group['scopes']:
            lines.append('- Where: %s' % ', '.join(str(scope) for scope in group['scopes'][:20]) +
                         (' and %d more' % (len(group['scopes']) - 20) if len(group['scopes']) > 20 else ''))
        if group['items']:
            lines.append('- Items: ' + ', '.join('`%s`%s' % (item['item_id'] or '(none)', ' (%s)' % item['name'] if item['name'] else '')
                                                 for item in group['items']))
        if group['hidden']:
            lines.append('- and %d more item(s) of this cause' % group['hidden'])
        lines.append('')
    if hidden:
        lines.append('%d more failed item(s) are not listed here (the first %d are): see %s.'
                     % (hidden, total - hidden, POINTER))
    return lines
