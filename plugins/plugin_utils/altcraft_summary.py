# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Altcraft counters chore's part of the run report: per resource and database, what was done and the counters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.chore_results import chore_failure, count, failure_text, loop_results

# A refresh that failed: refused (not applied), of unknown outcome (the request may have been applied), or accepted and
# then not confirmed (waiting for its task failed).
FAILED_ACTIONS = ('failed', 'outcome unknown', 'requested')


def summarize(targets, refreshed, reads, errors, check_mode):
    """The chore's report entry from the registered loops of resource_counters and resource_counters_info."""
    failures = list(errors or [])
    refreshes = dict((_key(result['item']), result) for result in loop_results(refreshed))
    readings = dict((_key(result['item']), result) for result in loop_results(reads))
    items = []
    for target in targets:
        refresh, reading = refreshes.get(_key(target)), readings.get(_key(target))
        source = reading or refresh or {}
        action = _action(refresh, check_mode)
        scope = 'resource %s (%s/%s)' % (target['host'], target['resource_id'], target['list_id'])
        counters = source.get('counters') or {}
        items.append(dict(
            resource=target['host'], resource_id=target['resource_id'], list_id=target['list_id'], action=action,
            task_id=(refresh or {}).get('task_id'), updated=source.get('updated'),
            last_count_time=source.get('last_count_time'), counters=counters,
            error=failure_text(refresh) if action in FAILED_ACTIONS else None,
            note='counted at an unknown time (the API did not say)' if counters and source.get('age_seconds') is None else None,
        ))
        if action in FAILED_ACTIONS:
            failures.append(chore_failure(scope, 'refresh counters', failure_text(refresh)))
        if reading is not None and reading.get('failed'):
            failures.append(chore_failure(scope, 'read counters', failure_text(reading)))
    done = [item for item in items if item['action'] == 'refreshed']
    return dict(
        chore='altcraft', title='Altcraft', status='failed' if failures else 'ok',
        changed=any(item['action'] in ('refreshed', 'requested') for item in items),
        check_mode=check_mode, headline=_headline(items, failures, check_mode),
        summary=dict(databases=len(items), refreshed=len(done), failed=len(failures)),
        resources=items, failures=failures,
    )


def _key(target):
    return (target['host'], target['list_id'])


def _action(refresh, check_mode):
    if refresh is None:
        return 'read'
    if refresh.get('failed'):
        if refresh.get('changed'):
            return 'requested'
        return 'outcome unknown' if (refresh.get('error') or {}).get('outcome_unknown') else 'failed'
    if check_mode:
        return 'would refresh' if refresh.get('would_refresh', True) else 'fresh'
    return 'refreshed' if refresh.get('changed') else 'fresh'


def _headline(items, failures, check_mode):
    number = dict((action, len([item for item in items if item['action'] == action]))
                  for action in ('refreshed', 'would refresh', 'fresh'))
    return 'Altcraft: %s; %d refreshed, %d would be refreshed, %d already fresh; %s%s' % (
        count(len(items), 'resource database'), number['refreshed'], number['would refresh'], number['fresh'],
        count(len(failures), 'failure'), ' (check mode: nothing was refreshed)' if check_mode else '')
