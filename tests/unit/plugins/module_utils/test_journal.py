# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The reset journal: durable intents and outcomes, resuming, a cut-short last line, the lock, wrong journals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import journal as journal_utils
from ansible_collections.fleetops.maintenance.plugins.module_utils.journal import DONE, REFUSED, UNKNOWN, JournalError

MODULE = 'koophone_instance_reset'
TARGET = {'api_url': 'https://koophone.example', 'project_id': 'p1'}
ITEMS = ('a', 'b', 'c', 'd', 'e', 'f')


def open_journal(path, items=ITEMS, **kwargs):
    return journal_utils.open_journal(str(path), kwargs.pop('module', MODULE), kwargs.pop('target', TARGET), list(items),
                                      **kwargs)


def records(path):
    return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()]


def test_a_new_journal_records_intent_then_outcome_durably(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        first = journal.intent(['a', 'b'])
        assert records(path)[-1]['event'] == 'intent'  # on disk before the batch is sent
        journal.outcome(first, ['a', 'b'], DONE, task_id='t1')
        second = journal.intent(['c', 'd'])
    lines = records(path)
    assert [line['event'] for line in lines] == ['journal', 'intent', 'outcome', 'intent']
    assert lines[0]['items'] == list(ITEMS) and lines[0]['module'] == MODULE and lines[0]['target'] == TARGET
    assert (lines[2]['batch'], lines[2]['outcome'], lines[2]['task_id']) == (first, DONE, 't1')
    assert second == 2


def test_resuming_knows_what_was_done_what_is_unknown_and_what_was_refused(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        journal.outcome(journal.intent(['a', 'b']), ['a', 'b'], DONE)
        journal.outcome(journal.intent(['c']), ['c'], REFUSED, error='KOOPHONE.API.2004')
        journal.intent(['d'])  # killed before the answer was recorded
    with open_journal(path) as journal:
        assert journal.items_in(DONE) == ['a', 'b']
        assert journal.items_in(REFUSED) == ['c']
        assert journal.items_in(UNKNOWN) == ['d']
        assert [item for item in ITEMS if item not in journal.states] == ['e', 'f']
        assert journal.intent(['e', 'f']) == 4


def test_a_last_line_cut_short_is_dropped_and_its_batch_stays_unknown(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        batch = journal.intent(['a', 'b'])
    with open(path, 'a', encoding='utf-8') as handle:  # the outcome was being written when the process died
        handle.write('{"batch":%d,"event":"outcome","outc' % batch)
    with open_journal(path) as journal:
        assert journal.items_in(UNKNOWN) == ['a', 'b']
        journal.outcome(journal.intent(['c']), ['c'], DONE)
    assert [line['event'] for line in records(path)] == ['journal', 'intent', 'intent', 'outcome']


def test_a_line_broken_in_the_middle_is_refused(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        journal.intent(['a'])
    text = path.read_text(encoding='utf-8').splitlines()
    path.write_text('\n'.join([text[0], 'garbage', text[1]]) + '\n', encoding='utf-8')
    with pytest.raises(JournalError, match='line 2 is not a journal record'):
        open_journal(path)


@pytest.mark.parametrize('change, words', [
    (dict(items=['a', 'b', 'x']), 'another set of items (6 in the journal, 3 asked for; 2 in both)'),
    (dict(target={'api_url': 'https://other.example', 'project_id': 'p1'}), 'not for api_url=https://other.example'),
    (dict(module='wfbss_reset'), 'written by koophone_instance_reset, not wfbss_reset'),
])
def test_a_journal_for_other_work_is_a_clear_error(tmp_path, change, words):
    path = tmp_path / 'reset.journal'
    open_journal(path).close()
    with pytest.raises(JournalError) as caught:
        open_journal(path, **change)
    assert words in str(caught.value)


def test_the_order_of_items_does_not_matter(tmp_path):
    path = tmp_path / 'reset.journal'
    open_journal(path).close()
    open_journal(path, items=list(reversed(ITEMS))).close()


def test_a_second_run_on_the_same_journal_is_refused_while_the_first_holds_it(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path):
        code = ('from ansible_collections.fleetops.maintenance.plugins.module_utils.journal import open_journal, JournalError\n'
                'try:\n    open_journal(%r, "koophone_instance_reset", {}, ["a"])\n'
                'except JournalError as exc:\n    print(exc)\n' % str(path))
        # the other run imports the collection from where this one does
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
        answer = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, env=environment)
    assert 'is in use by another run' in answer.stdout
    open_journal(path).close()  # free again once the first run ended


@pytest.mark.parametrize('where', ['missing/reset.journal', '.'])
def test_a_path_that_cannot_be_written_is_a_clear_error(tmp_path, where):
    with pytest.raises(JournalError, match='cannot be written .*: choose a path this run may write, on storage that outlives'):
        open_journal(tmp_path / where)


def test_check_mode_reads_a_journal_it_may_not_write(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        journal.outcome(journal.intent(['a']), ['a'], DONE)
    os.chmod(path, 0o400)
    try:
        with open_journal(path, read_only=True) as journal:
            assert journal.items_in(DONE) == ['a']
        assert len(records(path)) == 3  # nothing was written
    finally:
        os.chmod(path, 0o600)


def test_check_mode_reads_without_creating(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path, read_only=True) as journal:
        assert journal.states == {} and journal.batches == 0
    assert not path.exists()


def test_a_finished_campaign_is_recorded_with_its_time(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        assert not journal.resumed and journal.finished is None
        journal.outcome(journal.intent(list(ITEMS)), list(ITEMS), DONE)
        journal.finish()
    with open_journal(path) as journal:
        assert journal.resumed and journal.items_in(DONE) == list(ITEMS)
        assert journal.finished == records(path)[-1]['time'] >= journal.header['time']


def test_batches_in_flight_at_once_get_their_own_numbers_and_whole_lines(tmp_path):
    path = tmp_path / 'reset.journal'
    items = ['i%03d' % number for number in range(200)]

    def one_batch(item):
        number = journal.intent([item])
        journal.outcome(number, [item], DONE)
        return number

    with open_journal(path, items=items) as journal:
        with ThreadPoolExecutor(8) as pool:
            numbers = list(pool.map(one_batch, items))
    assert sorted(numbers) == list(range(1, 201))
    lines = records(path)  # every line parses: no two records interleaved
    assert len(lines) == 1 + 2 * 200
    with open_journal(path, items=items) as journal:
        assert journal.items_in(DONE) == items and journal.batches == 200


def test_a_file_that_is_not_a_journal_is_refused(tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('{"hello": "world"}\n', encoding='utf-8')
    with pytest.raises(JournalError, match='is not a fleetops.maintenance journal'):
        open_journal(path)


def test_items_proven_applied_after_an_unknown_outcome_read_back_as_done(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        batch = journal.intent(['a', 'b', 'c'])
        journal.outcome(batch, ['a', 'b', 'c'], UNKNOWN, error='connection failed')
        journal.resolved(batch, ['a', 'c'], {'a': 'status 2 then 4', 'c': 'status 2 then 4'})
        assert journal.states == {'a': DONE, 'b': UNKNOWN, 'c': DONE}
    assert records(path)[-1] == dict(records(path)[-1], event='resolved', batch=batch, items=['a', 'c'],
                                     evidence={'a': 'status 2 then 4', 'c': 'status 2 then 4'})
    with open_journal(path) as journal:
        assert journal.items_in(DONE) == ['a', 'c'] and journal.items_in(UNKNOWN) == ['b']
