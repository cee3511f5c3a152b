# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The journal's rules an operator or a later version depends on: a version 1 journal written by hand resumes, the
state of a batch in flight, an empty file, check mode on a cut-short line, blank lines, and each refusal's words."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import journal as journal_utils
from ansible_collections.fleetops.maintenance.plugins.module_utils.journal import DONE, REFUSED, UNKNOWN, JournalError

MODULE = 'koophone_instance_reset'
TARGET = {'api_url': 'https://koophone.example', 'project_id': 'p1'}
ITEMS = ('b', 'a', 'c')
# The header a version 1 journal of ITEMS starts with: the fingerprint is the first 16 hex digits of the SHA-256 of
# the sorted item ids joined by a newline, sha256(b'a\nb\nc'), pinned here so that a journal written by this version
# still resumes after an upgrade.
HEADER = {'event': 'journal', 'format': 'fleetops.maintenance/journal', 'version': 1, 'module': MODULE,
          'target': TARGET, 'items': list(ITEMS), 'items_fingerprint': 'ea7fb08b7a2dc461', 'time': 1700000000.0}


def open_journal(path, items=ITEMS, **kwargs):
    return journal_utils.open_journal(str(path), kwargs.pop('module', MODULE), kwargs.pop('target', TARGET),
                                      list(items), **kwargs)


def write_lines(path, *records):
    path.write_text(''.join(json.dumps(record) + '\n' for record in records), encoding='utf-8')


def refusal(path, **kwargs):
    with pytest.raises(JournalError) as caught:
        open_journal(path, **kwargs)
    return str(caught.value)


def test_the_items_fingerprint_is_pinned():
    assert journal_utils.fingerprint(ITEMS) == 'ea7fb08b7a2dc461'
    assert journal_utils.fingerprint(['a', 'a', 'c', 'b']) == 'ea7fb08b7a2dc461'  # a set: repeats do not count


def test_a_version_1_journal_written_by_hand_resumes(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER,
                {'event': 'intent', 'batch': 1, 'items': ['b'], 'time': 1700000001.0},
                {'event': 'outcome', 'batch': 1, 'outcome': 'done', 'time': 1700000002.0})
    with open_journal(path) as journal:
        assert journal.resumed and journal.items_in(DONE) == ['b']
        assert journal.intent(['a']) == 2


def test_a_journal_with_no_batch_yet_numbers_its_first_batch_1(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER)
    with open_journal(path) as journal:
        assert journal.resumed and journal.batches == 0
        assert journal.intent(['a']) == 1


def test_a_batch_in_flight_is_unknown_until_its_answer(tmp_path):
    with open_journal(tmp_path / 'reset.journal') as journal:
        batch = journal.intent(['a', 'c'])
        assert journal.items_in(UNKNOWN) == ['a', 'c'] and journal.states == {'a': UNKNOWN, 'c': UNKNOWN}
        journal.outcome(batch, ['a', 'c'], REFUSED)
        assert journal.items_in(REFUSED) == ['a', 'c'] and journal.items_in(UNKNOWN) == []


def test_an_outcome_that_is_not_one_of_the_three_is_refused_and_not_written(tmp_path):
    path = tmp_path / 'reset.journal'
    with open_journal(path) as journal:
        batch = journal.intent(['a'])
        with pytest.raises(ValueError) as caught:
            journal.outcome(batch, ['a'], 'maybe')
        assert str(caught.value) == 'outcome must be one of done, unknown, refused'
        assert journal.items_in(UNKNOWN) == ['a']
    assert [json.loads(line)['event'] for line in path.read_text(encoding='utf-8').splitlines()] == [
        'journal', 'intent']


def test_an_empty_file_at_the_path_starts_a_new_journal(tmp_path):
    path = tmp_path / 'reset.journal'
    path.write_text('', encoding='utf-8')  # created by hand, or the run died before the header was written
    with open_journal(path) as journal:
        assert not journal.resumed and journal.batches == 0
    lines = path.read_text(encoding='utf-8').splitlines()
    assert len(lines) == 1 and json.loads(lines[0])['items'] == list(ITEMS)


def test_check_mode_leaves_a_cut_short_last_line_where_it_is(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER, {'event': 'intent', 'batch': 1, 'items': ['a'], 'time': 1700000001.0})
    with open(path, 'a', encoding='utf-8') as handle:
        handle.write('{"batch":1,"event":"outc')
    before = path.read_bytes()
    with open_journal(path, read_only=True) as journal:
        assert journal.items_in(UNKNOWN) == ['a']
    assert path.read_bytes() == before


def test_resuming_a_journal_of_whole_lines_does_not_touch_the_file(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER, {'event': 'intent', 'batch': 1, 'items': ['a'], 'time': 1700000001.0})
    os.utime(path, ns=(1700000000 * 10 ** 9, 1700000000 * 10 ** 9))  # an old time: any write would change it
    with open_journal(path) as journal:
        assert journal.items_in(UNKNOWN) == ['a']
    assert os.stat(path).st_mtime_ns == 1700000000 * 10 ** 9


def test_a_blank_line_does_not_hide_the_records_after_it(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER, {'event': 'intent', 'batch': 1, 'items': ['a'], 'time': 1700000001.0})
    with open(path, 'a', encoding='utf-8') as handle:
        handle.write('\n   \n')  # an editor's blank lines
        handle.write(json.dumps({'event': 'intent', 'batch': 2, 'items': ['b'], 'time': 1700000002.0}) + '\n')
    with open_journal(path) as journal:
        assert journal.items_in(UNKNOWN) == ['b', 'a'] and journal.intent(['c']) == 3


def test_a_broken_line_is_named_in_full(tmp_path):
    path = tmp_path / 'reset.journal'
    path.write_text(json.dumps(HEADER) + '\nnot json\n', encoding='utf-8')
    assert refusal(path) == ('journal %s line 2 is not a journal record: it was changed by hand, or it is not a '
                             'journal' % path)


def test_a_file_of_other_records_is_named_in_full(tmp_path):
    path = tmp_path / 'notes.txt'
    write_lines(path, {'hello': 'world'})
    assert refusal(path) == '%s is not a fleetops.maintenance journal' % path


def test_a_journal_of_another_version_says_both_versions(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, dict(HEADER, version=2))
    assert refusal(path) == 'journal %s has version 2; this collection reads version 1' % path


def test_a_journal_of_another_module_says_both_modules(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER)
    assert refusal(path, module='wfbss_reset') == (
        'journal %s was written by koophone_instance_reset, not wfbss_reset: use a journal per chore' % path)


def test_a_journal_of_another_target_describes_both_targets(tmp_path):
    path = tmp_path / 'reset.journal'
    write_lines(path, HEADER)
    assert refusal(path, target={'api_url': 'https://other.example', 'project_id': 'p2'}) == (
        'journal %s was written for api_url=https://koophone.example, project_id=p1, not for '
        'api_url=https://other.example, project_id=p2: use a journal per tenant' % path)
