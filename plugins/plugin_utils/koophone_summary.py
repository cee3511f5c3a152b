# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The KooPhone wave reset's part of the run report: what became of each instance, wave by wave."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.chore_results import chore_failure, count, failure_text

# Outcomes that count against a wave's failed share.
FAILED_OUTCOMES = ('not reset', 'outcome unknown', 'failed', 'unchecked', 'unknown', 'unhealthy')
# A journal's holds: not a failure of the wave (the waves go on), but the chore fails until someone checks them.
HELD_BACK = 'held back'
ALREADY_RESET = 'already reset'


def wave_record(wave, number, reset, status, expected_status, check_mode):
    """One wave: the outcome of each of its instances (and why), and its failed share.

    ``reset`` and ``status`` are the registered results of koophone_instance_reset and koophone_instance_info.
    """
    reset, status = reset or {}, status or {}
    jobs = dict((item.get('instance_id'), item) for item in reset.get('results') or [])
    statuses = dict((item.get('instance_id'), item) for item in status.get('status_results') or [])
    instances = []
    for iid in wave:
        outcome, reason = _outcome(iid, reset, status, jobs.get(iid, {}), statuses.get(iid), expected_status, check_mode)
        current = statuses.get(iid)
        instances.append(dict(instance_id=iid, outcome=outcome, reason=reason, job_id=jobs.get(iid, {}).get('job_id'),
                              status=current.get('status') if current else None))
    failed = len([item for item in instances if item['outcome'] in FAILED_OUTCOMES])
    journal = reset.get('journal')
    return dict(wave=number, size=len(wave), failed=failed, share_failed=round(float(failed) / len(wave), 3) if wave else 0.0,
                changed=bool(reset.get('changed')), task_ids=list(reset.get('task_ids') or []),
                error=failure_text(reset) if reset.get('failed') and not _only_held_back(reset) else None,
                journal=dict((key, journal[key]) for key in ('path', 'resumed', 'started', 'finished')) if journal else None,
                instances=instances)


def _only_held_back(reset):
    """Whether the reset call failed only because its journal held instances back (the rest went through)."""
    journal = reset.get('journal') or {}
    return bool(journal.get('held_back')) and 'failed_batch' not in reset and 'error' not in reset


def _journal_outcome(iid, reset, check_mode):
    """(outcome, reason) of an instance the journal skipped or held back, else None."""
    journal = reset.get('journal') or {}
    if iid in (journal.get('skipped') or []):
        return ALREADY_RESET, 'the journal records it as reset by an earlier run of this campaign'
    if iid in (journal.get('held_back') or []):
        return HELD_BACK, ('%san earlier run sent its reset and got no answer, so it may have been reset already: check '
                           'it, then reset it again only if it needs it (allow_double_reset)' % ('would be held back: ' if check_mode else ''))
    return None


def _outcome(iid, reset, status, job, current, expected_status, check_mode):
    """(outcome, reason) of one instance of a wave."""
    journaled = _journal_outcome(iid, reset, check_mode)
    if journaled:
        return journaled
    if check_mode:
        if iid in (reset.get('would_reset') or []):
            return 'would reset', ''
        return 'unknown', 'the vendor reports no status for it'
    if reset.get('failed') and iid in (reset.get('outcome_unknown_items') or []):
        return 'outcome unknown', failure_text(reset)
    if reset.get('failed') and iid not in (reset.get('reset_instance_ids') or []):
        return 'not reset', failure_text(reset)
    if job.get('evidence'):
        return 'reset', 'the answer to its reset was lost; proven by its status: %s' % job['evidence']
    if job.get('status') == 'failed':
        return 'failed', ' '.join(str(part) for part in (job.get('error_code'), job.get('error_msg')) if part)
    if status.get('failed'):
        return 'unchecked', 'status check failed: ' + failure_text(status)
    if current is None:
        return 'unknown', 'no status after the reset'
    if current.get('status') != expected_status:
        return 'unhealthy', 'status after the reset: %s' % (current.get('status_name') or current.get('status'))
    if job.get('status') == 'succeeded':
        return 'reset', ''
    return job.get('status') or 'requested', ''


def summarize(instance_ids, planned_waves, waves, frozen, unknown, stopped, errors, wave_size, max_failed_share, check_mode):
    """The chore's report entry: per instance its outcome, per wave its figures, and the failures."""
    failures = list(errors or [])
    items = []
    for wave in waves:
        items.extend(dict(item, wave=wave['wave']) for item in wave['instances'])
        if not wave['failed']:
            continue
        bad = [item['instance_id'] for item in wave['instances'] if item['outcome'] in FAILED_OUTCOMES]
        if wave['share_failed'] > max_failed_share:
            msg = ('%d of %d instance(s) of wave %d failed (more than %s%%); the remaining waves were not sent%s'
                   % (wave['failed'], wave['size'], wave['wave'], round(max_failed_share * 100, 1),
                      ': ' + wave['error'] if wave['error'] else ''))
            failures.append(chore_failure('wave %d' % wave['wave'], 'reset', msg, instances=bad))
        else:
            msg = '%d of %d instance(s) of wave %d failed (within the tolerated share)' % (wave['failed'], wave['size'], wave['wave'])
            failures.append(chore_failure('wave %d' % wave['wave'], 'reset', msg, instances=bad, tolerated=True))
    sent = set(item['instance_id'] for item in items)
    items += [dict(instance_id=iid, outcome='not sent', reason='an earlier wave failed too much', wave=None)
              for wave in planned_waves for iid in wave if iid not in sent]
    items += [dict(instance_id=iid, outcome='skipped', reason='frozen', wave=None) for iid in frozen]
    items += [dict(instance_id=iid, outcome='skipped', reason='unknown to the vendor', wave=None) for iid in unknown]
    counts = {}
    for item in items:
        counts[item['outcome']] = counts.get(item['outcome'], 0) + 1
    held = [item['instance_id'] for item in items if item['outcome'] == HELD_BACK]
    if held:
        failures.append(chore_failure('journal', 'reset', '%s held back: an earlier run sent their reset and got no '
                                      'answer; check each before resetting it again' % count(len(held), 'instance'),
                                      instances=held))
    hard = [failure for failure in failures if not failure.get('tolerated')]
    journal = None
    if waves and waves[0].get('journal'):  # resumed or not: as the first wave found it; finished: after the last
        journal = dict(waves[0]['journal'], finished=(waves[-1].get('journal') or {}).get('finished'))
    return dict(
        chore='koophone', title='Huawei Cloud KooPhone', status='failed' if hard else 'ok',
        changed=any(wave['changed'] for wave in waves), check_mode=check_mode,
        headline=_headline(instance_ids, waves, wave_size, counts, failures, stopped, check_mode, journal),
        summary=dict(counts, instances=len(instance_ids), waves=len(waves), planned_waves=len(planned_waves),
                     stopped=bool(stopped)),
        journal=journal,
        waves=[dict((key, value) for key, value in wave.items() if key != 'instances') for wave in waves],
        instances=items, failures=failures,
    )


def _headline(instance_ids, waves, wave_size, counts, failures, stopped, check_mode, journal):
    tolerated = len([failure for failure in failures if failure.get('tolerated')])
    outcomes = ', '.join('%s %s' % (number, outcome) for outcome, number in sorted(counts.items())) or 'nothing to do'
    text = 'KooPhone: %s in %s of %s; %s; %s' % (
        count(len(instance_ids), 'instance'), count(len(waves), 'wave'), wave_size, outcomes, count(len(failures), 'failure'))
    if tolerated:
        text += ' (%d within the tolerated share)' % tolerated
    if stopped:
        text += '; STOPPED after wave %d' % len(waves)
    if journal and journal['resumed']:
        text += '; resumed the campaign journal %s (started %s)' % (journal['path'], journal['started'])
    if check_mode:
        text += ' (check mode: nothing was reset)'
    return text
