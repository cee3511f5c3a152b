# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wait for an asynchronous vendor task on a monotonic clock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.fleetops.maintenance.plugins.module_utils.common import FleetError


class TaskFailed(FleetError):
    """The task ended badly or did not end in time; carries its id and last known state."""

    kind = 'task'

    def __init__(self, message, task_id, last_state, timed_out=False):
        super(TaskFailed, self).__init__(message)
        self.task_id = task_id
        self.last_state = last_state
        self.timed_out = timed_out


def wait_for_task(task_id, fetch, outcome, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """Poll ``fetch()`` until ``outcome(state)`` says 'done' or 'failed'.

    ``outcome`` returns 'done', 'failed' or anything else for "still running".
    Returns the final state; raises TaskFailed on failure or after ``timeout`` seconds.
    """
    deadline = clock() + timeout
    while True:
        state = fetch()
        result = outcome(state)
        if result == 'done':
            return state
        if result == 'failed':
            raise TaskFailed('task %s failed' % task_id, task_id, state)
        remaining = deadline - clock()
        if remaining <= 0:
            raise TaskFailed('task %s did not finish within %s seconds' % (task_id, timeout),
                             task_id, state, timed_out=True)
        sleep(min(interval, remaining))
