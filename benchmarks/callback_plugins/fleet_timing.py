# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's task timer: how long every task took, which of them ran a fleetops.maintenance module, peak RSS.

Enable it with ANSIBLE_CALLBACK_PLUGINS=<this directory> ANSIBLE_CALLBACKS_ENABLED=fleet_timing and name the JSON file
it writes in FLEETOPS_TIMING_FILE. It is part of the benchmark, not of the collection.

A task's time runs from its start to the start of the next task (or of the next play, or the end of the run), so the
tasks' times add up to the run from the first play on. A task "is a module task" when it runs a module of
fleetops.maintenance (plugins/modules/); a task whose result says how long the modules it called took
(``module_seconds``, e.g. the KooPhone wave loop) counts that much as module time and the rest as bookkeeping; its
``wave_seconds`` (each wave's cost) is kept with the task.
Peak RSS is the largest sum of RSS over the ansible-playbook process and all its descendants (workers, modules),
sampled every 50 ms.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: fleet_timing
    type: aggregate
    short_description: times every task and samples the peak RSS of the process tree (benchmark only)
    description:
      - Writes a JSON file named by the FLEETOPS_TIMING_FILE environment variable at the end of the run.
'''

COLLECTION = 'fleetops.maintenance.'
MODULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           'plugins', 'modules')
SAMPLE_SECONDS = 0.05


# An action of the collection that calls no vendor API (it writes the run report): bookkeeping, not module time.
CONTROLLER_ONLY = ('fleet_run_report',)


def collection_modules():
    """The fully qualified names of the collection's modules that call a vendor's API (a module file that only
    documents an action plugin counts too when that action calls the modules: its task reports its own module time)."""
    return set(COLLECTION + name[:-3] for name in os.listdir(MODULES_DIR)
               if name.endswith('.py') and name != '__init__.py' and name[:-3] not in CONTROLLER_ONLY)


def tree_rss(root_pid):
    """Sum of RSS (bytes) over root_pid and its descendants, read from /proc (Linux: the threads' children files)."""
    page = os.sysconf('SC_PAGE_SIZE')
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            with open('/proc/%d/statm' % pid, 'rb') as handle:
                total += int(handle.read().split()[1]) * page
            for thread in os.listdir('/proc/%d/task' % pid):
                with open('/proc/%d/task/%s/children' % (pid, thread), 'rb') as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we read it
    return total


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'fleet_timing'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.modules = collection_modules()
        self.tasks = []
        self.current = None
        self.play = None
        self.started = time.time()
        self.peak_rss = 0
        self.stop = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self):
        pid = os.getpid()
        while not self.stop.is_set():
            try:
                self.peak_rss = max(self.peak_rss, tree_rss(pid))
            except OSError:
                return
            self.stop.wait(SAMPLE_SECONDS)

    def _close(self):
        if self.current is not None:
            self.current['seconds'] = time.time() - self.current.pop('start')
            self.tasks.append(self.current)
            self.current = None

    def _open(self, name, action, path):
        self._close()
        self.current = dict(play=self.play, name=name, action=action, path=path, start=time.time(),
                            module_task=action in self.modules, module_seconds=None, results=0)

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()
        self._open('(play start: %s)' % self.play, 'play', None)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._open(task.get_name(), getattr(task, 'resolved_action', None) or task.action, task.get_path())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _result(self, result):
        if self.current is None:
            return
        self.current['results'] += 1
        seconds = result._result.get('module_seconds')
        if isinstance(seconds, (int, float)):
            self.current['module_seconds'] = (self.current['module_seconds'] or 0.0) + seconds
        if isinstance(result._result.get('wave_seconds'), list):  # the KooPhone wave loop: each wave's cost
            self.current['wave_seconds'] = result._result['wave_seconds']

    v2_runner_on_ok = _result
    v2_runner_on_failed = _result
    v2_runner_on_skipped = _result
    v2_runner_on_unreachable = _result

    def v2_playbook_on_stats(self, stats):
        self._close()
        self.stop.set()
        self.sampler.join()
        path = os.environ.get('FLEETOPS_TIMING_FILE')
        if not path:
            return
        for task in self.tasks:
            if task['module_seconds'] is not None:
                task['module_seconds'] = min(task['module_seconds'], task['seconds'])
            else:
                task['module_seconds'] = task['seconds'] if task['module_task'] else 0.0
        with open(path, 'w') as handle:
            json.dump(dict(started=self.started, ended=time.time(), peak_rss_bytes=self.peak_rss,
                           module_seconds=sum(task['module_seconds'] for task in self.tasks),
                           task_seconds=sum(task['seconds'] for task in self.tasks), tasks=self.tasks), handle, indent=1)
