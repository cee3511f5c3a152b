# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A write-ahead journal of destructive batches, so that a run that was interrupted can resume without
destroying anything twice.

One JSON object a line. The first line says what the journal is for (the module, the target and the items);
then every batch gets an ``intent`` record before it is sent and an ``outcome`` record after its answer, each
flushed and fsync'd before anything else happens. Reading it back, an item is:

- ``done``: its batch was sent and accepted;
- ``unknown``: its batch was sent (or may have been) and no answer was recorded, or the answer was lost: the
  vendor may have applied it;
- ``refused``: its batch was answered with a refusal, so it was not applied and may be sent again;
- ``done`` also when a ``resolved`` record says it was proven applied after its batch's answer was lost;
- absent: never sent.

A last line cut short (the process died while writing it) is ignored: an intent that was not written whole was
never followed by a send, and an outcome that was not written whole leaves its batch ``unknown``.
Nothing here knows about Ansible; failures raise JournalError with a message a person can act on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import json
import os
import threading
import time

from ansible_collections.fleetops.maintenance.plugins.module_utils.common import FleetError

JOURNAL_FORMAT = 'fleetops.maintenance/journal'
JOURNAL_VERSION = 1
DONE, UNKNOWN, REFUSED = 'done', 'unknown', 'refused'
OUTCOMES = (DONE, UNKNOWN, REFUSED)


class JournalError(FleetError):
    """The journal cannot be used: locked by another run, for other work, unreadable or unwritable. When the journal
    could not record a batch that was sent, the batch's outcome is unknown (``outcome_unknown``)."""

    kind = 'journal'


def fingerprint(items):
    """A short, stable digest of a set of item ids (the order does not matter)."""
    digest = hashlib.sha256('\n'.join(sorted(set(items))).encode('utf-8')).hexdigest()
    return digest[:16]


class Journal(object):
    """An open, locked journal file. Use as a context manager; ``open_journal`` creates or resumes one."""

    def __init__(self, path, handle, header, states, batches, finished, resumed=False):
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()  # batches in flight at once record through one journal
        self.header = header
        self.states = states      # item -> DONE / UNKNOWN / REFUSED (items never sent are absent)
        self.batches = batches    # how many batches the journal records (the next one is batches + 1)
        self.finished = finished  # the time the campaign was recorded as finished, or None
        self.resumed = resumed    # the journal existed before this run

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def items_in(self, state):
        """The journal's items in that state, in the journal's order of items."""
        return [item for item in self.header['items'] if self.states.get(item) == state]

    def intent(self, items):
        """Record that a batch is about to be sent; returns its number. Durable before it returns."""
        with self._lock:
            number = self.batches + 1
            self._write(dict(event='intent', batch=number, items=list(items)))
            self.batches = number
            for item in items:
                self.states[item] = UNKNOWN
        return number

    def outcome(self, batch, items, outcome, **details):
        """Record a batch's answer: DONE (accepted), REFUSED (not applied) or UNKNOWN (may have been applied)."""
        if outcome not in OUTCOMES:
            raise ValueError('outcome must be one of %s' % ', '.join(OUTCOMES))
        record = dict(event='outcome', batch=batch, outcome=outcome)
        record.update(details)
        with self._lock:
            self._write(record)
            for item in items:
                self.states[item] = outcome

    def resolved(self, batch, items, evidence):
        """Record that these items of a batch with an unknown outcome were proven applied (``evidence``: {item: why}).
        A separate record, so that a reader that does not know it leaves them unknown (the safe side)."""
        record = dict(event='resolved', batch=batch, items=list(items), evidence=dict(evidence))
        with self._lock:
            self._write(record)
            for item in items:
                self.states[item] = DONE

    def finish(self):
        """Record that the campaign ended with every item done: a later run must start a new journal."""
        with self._lock:
            self.finished = self._write(dict(event='finished'))

    def _write(self, record):
        """Append the record, flushed and fsync'd; returns its time."""
        record.setdefault('time', round(time.time(), 3))
        line = json.dumps(record, sort_keys=True, separators=(',', ':')) + '\n'
        try:
            self._handle.write(line)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except (IOError, OSError) as exc:
            raise JournalError('journal %s could not be written (%s): nothing more is sent' % (self.path, exc.strerror or exc))
        return record['time']

    def close(self):
        if self._handle is not None:
            try:
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            finally:
                self._handle.close()
                self._handle = None


def open_journal(path, module, target, items, read_only=False):
    """Create the journal at ``path`` for these items, or resume the one there; lock it for this run.

    ``target`` names what the items belong to (for example the API URL and the account), never a secret.
    A journal written for another module, target or set of items raises JournalError, as does one that
    another run holds. With ``read_only`` (check mode) nothing is created or written.
    """
    exists = os.path.exists(path)
    if read_only and not exists:
        return Journal(path, None, _header(module, target, items), {}, 0, None)
    handle = _open_locked(path, read_only)
    try:
        if not exists or os.fstat(handle.fileno()).st_size == 0:
            header = _header(module, target, items)
            journal = Journal(path, handle, header, {}, 0, None)
            if not read_only:
                journal._write(dict(header))
            return journal
        header, states, batches, finished, whole = _read(path, handle)
        _check_header(path, header, module, target, items)
        if not read_only and whole < os.fstat(handle.fileno()).st_size:
            os.ftruncate(handle.fileno(), whole)  # drop a last line cut short, so the next record starts a line
        return Journal(path, handle, header, states, batches, finished, resumed=True)
    except Exception:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
        raise


def _header(module, target, items):
    return dict(event='journal', format=JOURNAL_FORMAT, version=JOURNAL_VERSION, module=module, target=target,
                items=list(items), items_fingerprint=fingerprint(items), time=round(time.time(), 3))


def _open_locked(path, read_only):
    try:
        handle = open(path, 'r' if read_only else 'a+', encoding='utf-8')
    except (IOError, OSError) as exc:
        raise JournalError('journal %s cannot be %s (%s): choose a path this run may %s'
                           % (path, 'read' if read_only else 'written', exc.strerror or exc,
                              'read' if read_only else 'write, on storage that outlives the job'))
    try:
        fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except (IOError, OSError) as exc:
        handle.close()
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise JournalError('journal %s is in use by another run: two runs on one journal would send the same '
                               'batches; wait for the other run to end' % path)
        raise JournalError('journal %s cannot be locked (%s)' % (path, exc.strerror or exc))
    return handle


def _read(path, handle):
    """(header, item states, batches recorded, finished (its time), length of the whole lines) from the journal.

    A last line cut short (no newline: the process died while writing it) is ignored.
    """
    handle.seek(0)
    text = handle.read()
    whole = text.rfind('\n') + 1
    records = []
    for number, line in enumerate(text[:whole].split('\n'), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            raise JournalError('journal %s line %d is not a journal record: it was changed by hand, or it is not a '
                               'journal' % (path, number))
    if not records or records[0].get('format') != JOURNAL_FORMAT:
        raise JournalError('%s is not a fleetops.maintenance journal' % path)
    header, states, intents, batches, finished = records[0], {}, {}, 0, None
    for record in records[1:]:
        event = record.get('event')
        if event == 'intent':
            batches = max(batches, record['batch'])
            intents[record['batch']] = record['items']
            for item in record['items']:
                states[item] = UNKNOWN
        elif event == 'outcome':
            for item in intents.get(record['batch'], []):
                states[item] = record['outcome']
        elif event == 'resolved':
            for item in record.get('items') or []:
                states[item] = DONE
        elif event == 'finished':
            finished = record.get('time')
    return header, states, batches, finished, len(text[:whole].encode('utf-8'))


def _check_header(path, header, module, target, items):
    if header.get('version') != JOURNAL_VERSION:
        raise JournalError('journal %s has version %s; this collection reads version %d'
                           % (path, header.get('version'), JOURNAL_VERSION))
    if header.get('module') != module:
        raise JournalError('journal %s was written by %s, not %s: use a journal per chore'
                           % (path, header.get('module'), module))
    if header.get('target') != target:
        raise JournalError('journal %s was written for %s, not for %s: use a journal per tenant'
                           % (path, _describe(header.get('target')), _describe(target)))
    if header.get('items_fingerprint') != fingerprint(items):
        theirs, ours = set(header.get('items') or []), set(items)
        raise JournalError('journal %s was written for another set of items (%d in the journal, %d asked for; %d in '
                           'both): resume with the same items, or start a new campaign with a new journal path'
                           % (path, len(theirs), len(ours), len(theirs & ours)))


def _describe(target):
    if isinstance(target, dict):
        return ', '.join('%s=%s' % (key, target[key]) for key in sorted(target))
    return str(target)
