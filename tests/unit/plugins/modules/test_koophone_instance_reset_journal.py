# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""koophone_instance_reset with a journal: a rerun never resets twice, against the simulator over loopback.

The simulator counts the resets of every instance, so each test can say exactly which instances were reset how
often across the interrupted run and its rerun.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import journal as journal_utils
from ansible_collections.fleetops.maintenance.plugins.modules import koophone_instance_reset as module

RESET_PATH = '/v1/instances/batch-reset'


@pytest.fixture
def ids(simulator):
    """79 instance ids of the simulator (the frozen one left out): batches of 32, 32 and 15."""
    instances = list(simulator.state('koophone')['instances'])
    return instances[:7] + instances[8:]


@pytest.fixture
def journal_path(tmp_path):
    return str(tmp_path / 'campaign.journal')


@pytest.fixture
def args(koophone_connection, journal_path):
    def build(**extra):
        base = dict(koophone_connection, retries=1, retry_backoff=0.01, journal=journal_path, concurrency=1)
        base.update(extra)
        return base
    return build


def resets(simulator, instance_ids):
    state = simulator.state('koophone')['instances']
    return [state[iid]['resets'] for iid in instance_ids]


def reset_calls(simulator):
    return [entry for entry in simulator.requests if entry['path'] == RESET_PATH]


def records(path):
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line) for line in handle]


def batches_of(ids):
    return [ids[0:32], ids[32:64], ids[64:]]


def test_every_batch_is_journaled_and_a_finished_campaign_is_not_reset_again(simulator, run_module, args, ids, journal_path):
    result, failed = run_module(module, args(instance_ids=ids))
    assert not failed, result
    assert result['journal']['resumed'] is False and result['journal']['skipped'] == []
    assert result['journal']['finished'] is not None
    events = [(line['event'], line.get('outcome')) for line in records(journal_path)]
    assert events == [('journal', None)] + [('intent', None), ('outcome', 'done')] * 3 + [('finished', None)]
    assert [line['items'] for line in records(journal_path) if line['event'] == 'intent'] == batches_of(ids)
    assert args()['auth_token'] not in open(journal_path, encoding='utf-8').read()

    simulator.clear_log()
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and 'records a finished campaign' in result['msg'] and 'new journal path' in result['msg']
    assert reset_calls(simulator) == []
    assert resets(simulator, ids) == [1] * len(ids)


def test_a_rerun_skips_what_was_reset_holds_back_what_is_unknown_and_sends_the_rest(simulator, run_module, args, ids):
    first, second, third = batches_of(ids)
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='drop')
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['outcome_unknown_items'] == second and result['unprocessed'] == third

    result, failed = run_module(module, args(instance_ids=ids))
    assert failed, result
    assert result['journal']['resumed'] is True
    assert result['journal']['skipped'] == first
    assert result['journal']['held_back'] == second == result['outcome_unknown_items']
    assert result['reset_instance_ids'] == third and result['changed'] is True
    assert '%d instance(s) held back' % len(second) in result['msg'] and 'allow_double_reset=true' in result['msg']
    assert resets(simulator, first + third) == [1] * len(first + third)
    assert resets(simulator, second) == [0] * len(second)  # the simulator dropped it before applying it
    assert result['journal']['finished'] is None


def test_held_back_and_this_runs_unknown_batch_are_both_reported(simulator, run_module, args, ids):
    """The journal holds back batch 2 of an earlier run, and this run's batch 3 ends with an unknown outcome:
    outcome_unknown_items names both."""
    first, second, third = batches_of(ids)
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='drop')
    run_module(module, args(instance_ids=ids))
    simulator.clear_faults()
    simulator.inject(vendor='koophone', path_contains='batch-reset', action='drop')
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed
    assert result['journal']['held_back'] == second
    assert result['outcome_unknown_items'] == second + third
    assert result['unprocessed'] == []


def status_calls(simulator):
    return [entry for entry in simulator.requests if entry['path'] == '/v1/instances/batch-query-status']


@pytest.mark.parametrize('fault', [dict(action='drop', applied=True), dict(action='html', applied=True),
                                   dict(action='status', status=504, applied=True)], ids=['drop', 'html-502', '504'])
def test_a_batch_applied_with_its_answer_lost_is_proven_reset_by_the_status(simulator, run_module, args, ids,
                                                                            journal_path, fault):
    """Batch 2 is applied and its answer lost: its phones were running before and are resetting right after, so the
    journal and the result record them as reset, with that evidence; nothing is held back and the rerun resets none
    of them again."""
    first, second, third = batches_of(ids)
    simulator.configure(koophone_job_seconds=5)
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, **fault)
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['failed_batch'] == 2
    assert result['reset_instance_ids'] == first + second
    assert result.get('outcome_unknown_items') == [] and result['unprocessed'] == third
    proven = [item for item in result['results'] if item['batch'] == 2]
    assert [item['instance_id'] for item in proven] == second
    assert proven[0]['evidence'] == 'status 2 (running) before the batch was sent, 4 (resetting) after it'
    assert len(status_calls(simulator)) == 3  # before batches 1 and 2, and right after batch 2
    resolved = [line for line in records(journal_path) if line['event'] == 'resolved']
    assert [(line['batch'], line['items']) for line in resolved] == [(2, second)]

    simulator.configure(koophone_job_seconds=0.01)
    result, failed = run_module(module, args(instance_ids=ids))
    assert not failed, result
    assert result['journal']['skipped'] == first + second and result['journal']['held_back'] == []
    assert result['reset_instance_ids'] == third and result['journal']['finished'] is not None
    assert resets(simulator, ids) == [1] * len(ids)


def test_a_batch_dropped_before_it_was_applied_stays_held_back(simulator, run_module, args, ids, journal_path):
    """Not applied: its phones are still running right after, so nothing proves them reset."""
    second = batches_of(ids)[1]
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='drop')
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['outcome_unknown_items'] == second
    assert not [line for line in records(journal_path) if line['event'] == 'resolved']
    result, failed = run_module(module, args(instance_ids=ids))
    assert result['journal']['held_back'] == second


def test_a_status_read_that_fails_proves_nothing(simulator, run_module, args, ids):
    second = batches_of(ids)[1]
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='drop', applied=True)
    simulator.inject(vendor='koophone', path_contains='batch-query-status', skip=2, count=-1, action='status', status=500)
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result.get('outcome_unknown_items') == second, result['msg']
    assert 'evidence' not in str(result['results'])


def test_allow_double_reset_resends_the_held_back_instances_and_finishes(simulator, run_module, args, ids):
    second = batches_of(ids)[1]
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='drop')
    run_module(module, args(instance_ids=ids))
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['journal']['held_back'] == second

    result, failed = run_module(module, args(instance_ids=second, campaign_instance_ids=ids, allow_double_reset=True))
    assert not failed, result
    assert result['journal']['resent'] == second and result['journal']['held_back'] == []
    assert result['reset_instance_ids'] == second
    assert result['journal']['finished'] is not None
    assert resets(simulator, ids) == [1] * len(ids)


def test_a_refused_batch_is_sent_again_on_the_rerun(simulator, run_module, args, ids):
    second = batches_of(ids)[1]
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='vendor_error',
                     error_code='KOOPHONE.API.1001')
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and 'outcome_unknown_items' not in result
    assert [line['outcome'] for line in records(args()['journal']) if line['event'] == 'outcome'] == ['done', 'refused']

    result, failed = run_module(module, args(instance_ids=ids))
    assert not failed, result
    assert result['reset_instance_ids'] == second + batches_of(ids)[2]
    assert resets(simulator, ids) == [1] * len(ids)


def test_failure_while_other_batches_are_in_flight(simulator, run_module, args, ids):
    """The first batch to arrive fails with an unknown outcome while the two others are in flight: they finish
    and are journaled."""
    simulator.inject(vendor='koophone', path_contains='batch-reset', count=1, action='drop')
    simulator.inject(vendor='koophone', path_contains='batch-reset', count=-1, action='delay', delay=0.3)
    result, failed = run_module(module, args(instance_ids=ids, concurrency=4))
    dropped = result['outcome_unknown_items']
    assert failed and dropped in batches_of(ids) and result['unprocessed'] == []
    others = [iid for iid in ids if iid not in dropped]

    simulator.clear_faults()
    result, failed = run_module(module, args(instance_ids=ids, concurrency=4))
    assert result['journal']['skipped'] == others and result['journal']['held_back'] == dropped
    assert result['reset_instance_ids'] == [] and result['changed'] is False
    assert resets(simulator, others) == [1] * len(others) and resets(simulator, dropped) == [0] * len(dropped)


def test_check_mode_reads_the_journal_and_writes_nothing(simulator, run_module, args, ids, journal_path):
    first, second, third = batches_of(ids)
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=1, count=1, action='drop')
    run_module(module, args(instance_ids=ids))
    before = open(journal_path, encoding='utf-8').read()
    simulator.clear_log()

    result, failed = run_module(module, args(instance_ids=ids), check_mode=True)
    assert not failed, result
    assert result['would_reset'] == third
    assert result['journal']['skipped'] == first and result['journal']['held_back'] == second
    assert '%d skipped (already reset), %d held back' % (len(first), len(second)) in result['msg']
    assert open(journal_path, encoding='utf-8').read() == before
    assert reset_calls(simulator) == []


def test_check_mode_does_not_create_a_journal(simulator, run_module, args, ids, journal_path):
    result, failed = run_module(module, args(instance_ids=ids[:3]), check_mode=True)
    assert not failed and result['would_reset'] == ids[:3] and result['journal']['resumed'] is False
    assert not os.path.exists(journal_path)


def test_a_journal_of_other_instances_or_another_tenant_is_a_clear_error(simulator, run_module, args, ids):
    run_module(module, args(instance_ids=ids[:40]))
    simulator.clear_log()
    result, failed = run_module(module, args(instance_ids=ids[:41]))
    assert failed and result['msg'].startswith('journal: ') and 'another set of items (40 in the journal, 41 asked' in result['msg']
    result, failed = run_module(module, args(instance_ids=ids[:40], api_url=simulator.url.replace('127.0.0.1', 'localhost')))
    assert failed and 'use a journal per tenant' in result['msg']
    assert reset_calls(simulator) == []


def test_a_second_run_on_a_journal_in_use_is_refused(simulator, run_module, args, ids, journal_path):
    with journal_utils.open_journal(journal_path, 'koophone_instance_reset', {'api_url': simulator.url}, ids[:3]):
        result, failed = run_module(module, args(instance_ids=ids[:3]))
    assert failed and 'is in use by another run' in result['msg']
    assert reset_calls(simulator) == []


@pytest.mark.parametrize('where', ['missing/campaign.journal', ''])
def test_a_journal_path_that_cannot_be_written_sends_nothing(simulator, run_module, args, ids, tmp_path, where):
    result, failed = run_module(module, args(instance_ids=ids[:3], journal=str(tmp_path / where)))
    assert failed and result['msg'].startswith('journal: ') and 'cannot be written' in result['msg']
    assert reset_calls(simulator) == []


def test_a_journal_that_cannot_be_written_mid_run_stops_and_says_the_batch_is_unknown(
        simulator, run_module, args, ids, monkeypatch):
    first, second, third = batches_of(ids)
    real_outcome = journal_utils.Journal.outcome

    def outcome(self, batch, items, result, **details):
        if batch == 2:
            raise journal_utils.JournalError('journal could not be written (No space left on device)')
        return real_outcome(self, batch, items, result, **details)

    monkeypatch.setattr(journal_utils.Journal, 'outcome', outcome)
    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['error']['kind'] == 'journal'
    assert 'the vendor accepted the batch, but the journal could not record it' in result['msg']
    assert result['outcome_unknown_items'] == second and result['unprocessed'] == third
    assert resets(simulator, ids) == [1] * 64 + [0] * len(third)


def test_a_truncated_last_line_is_dropped_and_the_rerun_goes_on(simulator, run_module, args, ids, journal_path):
    """Killed while writing batch 2's outcome: the line is cut short, batch 2 stays unknown, batch 3 is sent."""
    first, second, third = batches_of(ids)
    simulator.inject(vendor='koophone', path_contains='batch-reset', skip=2, count=1, action='status', status=400)
    run_module(module, args(instance_ids=ids))
    lines = open(journal_path, encoding='utf-8').read().splitlines(True)
    events = [json.loads(line)['event'] for line in lines]
    assert events == ['journal', 'intent', 'outcome', 'intent', 'outcome', 'intent', 'outcome']
    with open(journal_path, 'w', encoding='utf-8') as handle:  # batch 2's outcome cut short, batch 3 never sent
        handle.write(''.join(lines[:4]) + lines[4][:20])

    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['journal']['skipped'] == first and result['journal']['held_back'] == second
    assert result['reset_instance_ids'] == third
    assert [line['event'] for line in records(journal_path)][-2:] == ['intent', 'outcome']  # whole lines again


def test_campaign_instance_ids_let_waves_share_one_journal(simulator, run_module, args, ids):
    waves = [ids[:40], ids[40:]]
    result, failed = run_module(module, args(instance_ids=waves[0], campaign_instance_ids=ids))
    assert not failed and result['journal']['finished'] is None
    result, failed = run_module(module, args(instance_ids=waves[1], campaign_instance_ids=ids))
    assert not failed and result['journal']['resumed'] is True and result['journal']['finished'] is not None
    assert resets(simulator, ids) == [1] * len(ids)

    result, failed = run_module(module, args(instance_ids=['not-in-it'], campaign_instance_ids=ids))
    assert failed and 'not in campaign_instance_ids: not-in-it' in result['msg']
    result, failed = run_module(module, args(instance_ids=ids[:2], campaign_instance_ids=ids, journal=None))
    assert failed and 'campaign_instance_ids needs journal' in result['msg']


KILL_AFTER_ANSWER = textwrap.dedent('''
    import os, signal
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.fleetops.maintenance.plugins.module_utils import journal
    from ansible_collections.fleetops.maintenance.plugins.modules import koophone_instance_reset
    real_outcome = journal.Journal.outcome

    def outcome(self, batch, items, result, **details):
        if batch == 2:  # the vendor has answered batch 2: die before its outcome is on disk
            os.kill(os.getpid(), signal.SIGKILL)
        return real_outcome(self, batch, items, result, **details)

    journal.Journal.outcome = outcome
    with patch_module_args({args!r}):
        koophone_instance_reset.main()
''')


def test_killed_between_the_answer_and_the_journal_write(simulator, run_module, args, ids, journal_path):
    first, second, third = batches_of(ids)
    code = KILL_AFTER_ANSWER.format(args=args(instance_ids=ids))
    # the killed run imports the collection from where this one does
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
    died = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120, check=False,
                          env=environment)
    assert died.returncode == -9, died.stderr
    assert resets(simulator, first + second) == [1] * 64  # the vendor applied batch 2

    result, failed = run_module(module, args(instance_ids=ids))
    assert failed and result['journal']['skipped'] == first and result['journal']['held_back'] == second
    assert result['reset_instance_ids'] == third
    assert resets(simulator, ids) == [1] * len(ids)  # nobody reset twice
