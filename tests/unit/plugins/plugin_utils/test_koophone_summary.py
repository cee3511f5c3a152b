# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The KooPhone wave classifier and chore summary, from module results of the shapes the modules return."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.plugin_utils import koophone_summary

RUNNING = 2


def status(*pairs, failed=False, msg=''):
    return dict(failed=failed, msg=msg, status_results=[dict(instance_id=iid, status=code, status_name=name)
                                                        for iid, code, name in pairs])


def reset(results, **extra):
    return dict(dict(changed=True, task_ids=['t1'], reset_instance_ids=[r['instance_id'] for r in results],
                     results=results), **extra)


def job(iid, state, **extra):
    return dict(dict(instance_id=iid, batch=1, job_id='job-' + iid, status=state), **extra)


def outcomes(record):
    return {item['instance_id']: (item['outcome'], item['reason']) for item in record['instances']}


def test_every_outcome_of_a_wave_and_its_failed_share():
    wave = ['ok', 'jobfail', 'sick', 'gone', 'plain']
    record = koophone_summary.wave_record(
        wave, 3,
        reset([job('ok', 'succeeded'), job('jobfail', 'failed', error_code='KOOPHONE.API.9999', error_msg='reset failed'),
               job('sick', 'succeeded'), job('gone', 'succeeded'), job('plain', 'requested')]),
        status(('ok', RUNNING, 'running'), ('jobfail', RUNNING, 'running'), ('sick', 4, 'starting'), ('plain', RUNNING, 'running')),
        RUNNING, False)
    assert outcomes(record) == {
        'ok': ('reset', ''),
        'jobfail': ('failed', 'KOOPHONE.API.9999 reset failed'),
        'sick': ('unhealthy', 'status after the reset: starting'),
        'gone': ('unknown', 'no status after the reset'),
        'plain': ('requested', ''),
    }
    assert (record['wave'], record['size'], record['failed'], record['share_failed']) == (3, 5, 3, 0.6)
    assert record['task_ids'] == ['t1'] and record['error'] is None and record['changed'] is True
    assert record['instances'][0]['job_id'] == 'job-ok' and record['instances'][0]['status'] == RUNNING


def test_a_failed_reset_call_tells_not_reset_from_outcome_unknown():
    failed_reset = reset([job('a', 'requested')], failed=True, msg='batch 2 of 2 failed:\n HTTP 504',
                         outcome_unknown_items=['b'])
    record = koophone_summary.wave_record(['a', 'b', 'c'], 1, failed_reset, status(('a', RUNNING, 'running')), RUNNING, False)
    assert outcomes(record) == {
        'a': ('requested', ''),
        'b': ('outcome unknown', 'batch 2 of 2 failed: HTTP 504'),
        'c': ('not reset', 'batch 2 of 2 failed: HTTP 504'),
    }
    assert record['error'] == 'batch 2 of 2 failed: HTTP 504' and record['failed'] == 2


def test_an_instance_proven_reset_after_its_answer_was_lost_is_reset_with_the_evidence():
    evidence = 'status 2 (running) before the batch was sent, 4 (resetting) after it'
    failed_reset = reset([job('a', 'requested', job_id=None, evidence=evidence)], failed=True, msg='batch 1 of 1 failed',
                         outcome_unknown_items=['b'])
    record = koophone_summary.wave_record(['a', 'b'], 1, failed_reset, status(('a', 4, 'starting')), RUNNING, False)
    assert outcomes(record) == {
        'a': ('reset', 'the answer to its reset was lost; proven by its status: ' + evidence),
        'b': ('outcome unknown', 'batch 1 of 1 failed'),
    }


def test_a_failed_status_check_leaves_reset_instances_unchecked():
    record = koophone_summary.wave_record(['a'], 1, reset([job('a', 'succeeded')]), status(failed=True, msg='HTTP 503'),
                                          RUNNING, False)
    assert outcomes(record) == {'a': ('unchecked', 'status check failed: HTTP 503')}


def test_check_mode_says_would_reset_or_unknown():
    record = koophone_summary.wave_record(['a', 'b'], 1, dict(changed=True, would_reset=['a']), {}, RUNNING, True)
    assert outcomes(record) == {'a': ('would reset', ''), 'b': ('unknown', 'the vendor reports no status for it')}


def wave(number, failed, size=4):
    instances = [dict(instance_id='w%d-%d' % (number, i), outcome='failed' if i < failed else 'reset', reason='',
                      job_id=None, status=None) for i in range(size)]
    return dict(wave=number, size=size, failed=failed, share_failed=round(failed / size, 3), changed=True,
                task_ids=['t%d' % number], error=None, instances=instances)


def test_a_wave_over_the_share_stops_the_chore_and_says_what_was_not_sent():
    planned = [['w1-%d' % i for i in range(4)], ['w2-%d' % i for i in range(4)], ['x1', 'x2']]
    summary = koophone_summary.summarize(
        [iid for batch in planned for iid in batch] + ['frozen1', 'ghost'], planned, [wave(1, 1), wave(2, 2)],
        ['frozen1'], ['ghost'], True, [], 4, 0.3, False)
    assert summary['status'] == 'failed'
    assert [(f['scope'], f.get('tolerated', False)) for f in summary['failures']] == [('wave 1', True), ('wave 2', False)]
    assert 'more than 30.0%' in summary['failures'][1]['msg'] and summary['failures'][1]['instances'] == ['w2-0', 'w2-1']
    by_id = {item['instance_id']: item for item in summary['instances']}
    assert by_id['x1']['outcome'] == 'not sent' and by_id['x1']['reason'] == 'an earlier wave failed too much'
    assert (by_id['frozen1']['outcome'], by_id['frozen1']['reason']) == ('skipped', 'frozen')
    assert by_id['ghost']['reason'] == 'unknown to the vendor' and by_id['w2-0']['wave'] == 2
    assert summary['summary'] == {'failed': 3, 'reset': 5, 'not sent': 2, 'skipped': 2, 'instances': 12, 'waves': 2,
                                  'planned_waves': 3, 'stopped': True}
    assert summary['headline'] == ('KooPhone: 12 instances in 2 waves of 4; 3 failed, 2 not sent, 5 reset, 2 skipped; '
                                   '2 failures (1 within the tolerated share); STOPPED after wave 2')
    assert 'instances' not in summary['waves'][0]


@pytest.mark.parametrize('check_mode, suffix', [(False, ''), (True, ' (check mode: nothing was reset)')])
def test_a_clean_run_is_ok_and_its_headline_counts_no_failure(check_mode, suffix):
    summary = koophone_summary.summarize(['w1-0'], [['w1-0']], [wave(1, 0, size=1)], [], [], False, [], 50, 0.1, check_mode)
    assert summary['status'] == 'ok' and summary['failures'] == [] and summary['changed'] is True
    assert summary['headline'] == 'KooPhone: 1 instance in 1 wave of 50; 1 reset; 0 failures' + suffix


def journal(**extra):
    return dict(dict(path='/srv/journals/dec.journal', resumed=True, started='2026-12-01T02:10:44Z', skipped=[],
                     held_back=[], resent=[], finished=None), **extra)


def test_a_resumed_wave_says_already_reset_and_held_back_and_only_the_rest_counts_against_the_share():
    # the module failed only because its journal held 'b' back; 'c' was reset now, 'a' by the interrupted run
    resumed = reset([job('c', 'succeeded')], failed=True, msg='reset 1 instance(s); 1 instance(s) held back',
                    outcome_unknown_items=['b'], journal=journal(skipped=['a'], held_back=['b']))
    record = koophone_summary.wave_record(['a', 'b', 'c'], 1, resumed, status(('a', RUNNING, 'running'), ('c', RUNNING, 'running')),
                                          RUNNING, False)
    assert outcomes(record)['a'] == ('already reset', 'the journal records it as reset by an earlier run of this campaign')
    assert outcomes(record)['b'][0] == 'held back' and 'may have been reset already' in outcomes(record)['b'][1]
    assert outcomes(record)['c'] == ('reset', '')
    assert record['failed'] == 0 and record['error'] is None
    assert record['journal'] == dict(path='/srv/journals/dec.journal', resumed=True, started='2026-12-01T02:10:44Z',
                                     finished=None)

    summary = koophone_summary.summarize(['a', 'b', 'c'], [['a', 'b', 'c']], [record], [], [], False, [], 3, 0.1, False)
    assert summary['status'] == 'failed'
    assert [(f['scope'], f['instances']) for f in summary['failures']] == [('journal', ['b'])]
    assert summary['summary']['already reset'] == 1 and summary['summary']['held back'] == 1
    assert summary['headline'].endswith('; resumed the campaign journal /srv/journals/dec.journal (started 2026-12-01T02:10:44Z)')
    assert summary['journal']['resumed'] is True


def test_the_journal_of_a_campaign_is_reported_as_the_first_wave_found_it_and_the_last_left_it():
    first = koophone_summary.wave_record(['a'], 1, reset([job('a', 'succeeded')], journal=journal(resumed=False)),
                                         status(('a', RUNNING, 'running')), RUNNING, False)
    last = koophone_summary.wave_record(['b'], 2, reset([job('b', 'succeeded')], journal=journal(finished='2026-12-01T03:00:00Z')),
                                        status(('b', RUNNING, 'running')), RUNNING, False)
    summary = koophone_summary.summarize(['a', 'b'], [['a'], ['b']], [first, last], [], [], False, [], 1, 0.1, False)
    assert summary['status'] == 'ok'
    assert (summary['journal']['resumed'], summary['journal']['finished']) == (False, '2026-12-01T03:00:00Z')
    assert 'resumed' not in summary['headline']


def test_check_mode_says_what_the_journal_would_skip_and_hold_back():
    preview = dict(changed=True, would_reset=['c'], journal=journal(skipped=['a'], held_back=['b']))
    record = koophone_summary.wave_record(['a', 'b', 'c'], 1, preview, {}, RUNNING, True)
    assert outcomes(record)['a'][0] == 'already reset'
    assert outcomes(record)['b'][0] == 'held back' and outcomes(record)['b'][1].startswith('would be held back: ')
    assert outcomes(record)['c'] == ('would reset', '')
