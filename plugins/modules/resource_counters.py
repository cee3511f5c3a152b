#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: resource_counters
short_description: Refresh the subscription counters of an Altcraft resource
version_added: 0.1.0
description:
  - Asks Altcraft Platform to recount the subscription statistics of a resource for one database
    (C(POST /api/v1.1/resources/refresh_counters)) and, by default, waits for the task to complete
    (C(POST /api/v1.1/tasks/status)), returning the new counters per channel.
  - With O(max_age), the current counters are read first (C(resources/get_counters)) and the refresh is
    only sent when they were counted longer ago than that, so a fresh count is C(changed=false).
  - To read the counters without refreshing them, use M(fleetops.maintenance.resource_counters_info).
author: fleetops maintainers (@fleetops)
options:
  resource_id:
    description:
      - ID of the resource whose counters are refreshed (sent as C(id)).
      - A positive integer, or a string of its digits.
    type: raw
    required: true
  list_id:
    description:
      - ID of the database (list) the counters are counted for.
      - A positive integer, or a string of its digits.
    type: raw
    required: true
  feedback_url:
    description:
      - An C(http://) or C(https://) URL to which Altcraft sends the statistics once they are updated
        (sent as C(feedback.url)).
      - The callback's payload, method, retries and signing are not documented by Altcraft.
    type: str
  feedback_type:
    description:
      - The format or method Altcraft uses to send the statistics to O(feedback_url) (sent as C(feedback.type)).
      - Only V(JSON) appears in the vendor's documentation. Ignored when O(feedback_url) is not set.
    type: str
    default: JSON
  wait:
    description:
      - Wait until the refresh task is C(completed) and return the new counters.
      - When V(false), return the O(ignore:task_id) and its first status (V(queued)) without polling.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the task to complete before failing (the refresh keeps running on the server).
    type: float
    default: 300
  poll_interval:
    description:
      - Seconds between two C(tasks/status) requests while waiting.
    type: float
    default: 2
  max_age:
    description:
      - Refresh only when the current counters were counted longer ago than this; otherwise nothing is sent
        and the result is C(changed=false).
      - Seconds as an integer (V(3600)) or a string made of a number and a unit C(s), C(m), C(h), C(d) or C(w),
        for example V(90s), V(30m), V(12h), V(1d) or V(1h30m). A number without a unit is seconds.
      - The age is taken from the counters' C(updated) time, or else from the time in C(last_count_time)
        (C(counted at <time> in ...)). Counters that were never counted are always refreshed.
      - B(Altcraft's documented C(get_counters) answers carry no count time) (a list of channels with their
        counters). When the answer does not say when the counters were counted, their age cannot be known,
        so they are refreshed and a warning says so. O(max_age) skips a refresh only when the server answers
        with a count time.
      - When not set, every run refreshes the counters and reports C(changed=true).
    type: str
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.altcraft
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details:
      - Never sends C(refresh_counters). With O(max_age) it reads the current counters to predict whether a
        refresh would be sent (RV(would_refresh)).
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - Only with O(max_age) set, only when the server says when the counters were counted (see O(max_age)),
        and only for as long as the counters stay younger than O(max_age). Otherwise every run is a refresh.
  action_group:
    membership:
      - fleetops.maintenance.altcraft
notes:
  - Only the task status C(completed) is documented. Any other status is treated as still running until
    O(wait_timeout); the statuses C(error), C(failed), C(failure) and C(cancelled) fail the task, reporting
    the O(ignore:task_id) and the last state.
  - The page of C(resources/get_counters) (used with O(max_age)) could not be found; the module reads the shape
    of its documented siblings C(databases/get_counters) and C(segments/get_counters) (C(data) is a list of
    C({channel, status})), and also the richer C(result) entries of a completed refresh task
    (C(channels), C(list_id), C(updated), C(last_count_time)) should a server answer with those.
  - A refresh only recounts, so repeating one is harmless; it is still sent as a write, so if its answer is
    lost (timeout, HTTP 500, 502, 503 or 504) it is not retried and the failure says that its outcome is unknown.
seealso:
  - module: fleetops.maintenance.resource_counters_info
  - name: Altcraft API, update statistics on resource
    description: The vendor's documentation of C(resources/refresh_counters) and C(tasks/status).
    link: https://guides.altcraft.com/en/developer-guide/resources/refresh-counters
'''

EXAMPLES = r'''
- name: Refresh counters of resource 24 for database 1 and wait for them
  fleetops.maintenance.resource_counters:
    api_url: https://ru.altkraft.com
    api_token: "{{ altcraft_token }}"
    resource_id: 24
    list_id: 1
  register: refreshed

- name: Show the number of email subscribers
  ansible.builtin.debug:
    msg: "{{ refreshed.counters.email.subscribed }} subscribed of {{ refreshed.counters.email.all }}"

- name: Refresh only counters older than 12 hours, for several databases
  fleetops.maintenance.resource_counters:
    resource_id: 24
    list_id: "{{ item }}"
    max_age: 12h
  loop: [1, 2, 3]
  module_defaults:
    group/fleetops.maintenance.altcraft:
      api_url: https://ru.altkraft.com
      api_token: "{{ altcraft_token }}"

- name: Start a refresh, let Altcraft post the statistics to a receiver, do not wait
  fleetops.maintenance.resource_counters:
    resource_id: 24
    list_id: 1
    wait: false
    feedback_url: https://hooks.example.com/altcraft/counters
  environment:
    ALTCRAFT_API_URL: https://ru.altkraft.com
    ALTCRAFT_API_TOKEN: "{{ altcraft_token }}"
'''

RETURN = r'''
would_refresh:
  description:
    - Whether the counters needed a refresh (always V(true) without O(max_age)).
    - In check mode, whether a refresh would have been sent.
  returned: always
  type: bool
  sample: true
task_id:
  description: ID of the refresh task; V(null) when no refresh was sent.
  returned: always
  type: str
  sample: c9c3ec48-1bef-4969-9c1a-df39f0c179bb
status:
  description:
    - Status of the refresh task, V(completed) after waiting, the first status (V(queued)) with O(wait=false).
    - V(null) when no refresh was sent.
  returned: always
  type: str
  sample: completed
progress:
  description: Progress of the refresh task in percent; V(null) when it is not known.
  returned: always
  type: int
  sample: 100
counters:
  description:
    - Counters per channel (for example C(sms), C(push), C(email), whichever Altcraft returns), each a dict of
      C(all), C(complained), C(hardbounced), C(invalid), C(subscribed), C(subscribed_sendable), C(suspended),
      C(unconfirmed), C(unconfirmed_sendable) and C(unsubscribed).
    - The new counters after waiting; the current counters when O(max_age) made the module read them and no
      refresh was waited for; otherwise empty.
  returned: always
  type: dict
  sample:
    email: {all: 1336, complained: 0, hardbounced: 434, invalid: 0, subscribed: 842, subscribed_sendable: 842,
            suspended: 0, unconfirmed: 0, unconfirmed_sendable: 0, unsubscribed: 60}
    sms: {all: 1336, complained: 0, hardbounced: 0, invalid: 0, subscribed: 0, subscribed_sendable: 0,
          suspended: 0, unconfirmed: 0, unconfirmed_sendable: 0, unsubscribed: 0}
last_count_time:
  description: Altcraft's description of the last count, as in RV(counters); V(null) when not known.
  returned: always
  type: str
  sample: counted at 2024-04-19T13:31:08Z in 231.374251ms
updated:
  description: When the counters in RV(counters) were last updated (ISO 8601, UTC); V(null) when not known.
  returned: always
  type: str
  sample: "2024-04-19T13:31:08.927Z"
age_seconds:
  description:
    - Seconds between the last count of RV(counters) and the end of the module run; V(null) when not known
      or never counted.
  returned: always
  type: float
  sample: 12.5
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft import age_unknown, pick_entry, summarize
from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft_options import ALTCRAFT, TARGET_ARGUMENT_SPEC, refresh_options
from ansible_collections.fleetops.maintenance.plugins.module_utils.polling import TaskFailed
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule

ARGUMENT_SPEC = dict(
    TARGET_ARGUMENT_SPEC,
    feedback_url=dict(type='str'),
    feedback_type=dict(type='str', default='JSON'),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='float', default=300),
    poll_interval=dict(type='float', default=2),
    max_age=dict(type='str'),
)


def needs_refresh(module, client, oldest, result):
    """Read the current counters into the result; True when they are older than ``oldest`` or of unknown age."""
    params = module.params
    current = summarize(client.get_counters(params['resource_id'], params['list_id']))
    result.update(current)
    if age_unknown(current):
        module.warn('Altcraft did not say when the counters of resource %s, database %s were counted (its documented '
                    'get_counters answer has no count time), so max_age cannot tell their age: they %s refreshed'
                    % (params['resource_id'], params['list_id'], 'would be' if module.check_mode else 'are'))
    return current['age_seconds'] is None or current['age_seconds'] > oldest


def refresh(module, client, result):
    """Start the recount and, with wait, wait for it; the result gets the task and the new counters."""
    params = module.params
    task = client.refresh_counters(params['resource_id'], params['list_id'], feedback_url=params['feedback_url'],
                                   feedback_type=params['feedback_type'])
    result.update(changed=True, task_id=task['task_id'], status=task.get('status') or 'queued', progress=task.get('progress'))
    if not params['wait']:
        return
    try:
        state = client.wait_for_task(task['task_id'], params['wait_timeout'], params['poll_interval'])
    except TaskFailed as exc:
        last = exc.last_state or {}
        result.update(status=last.get('status'), progress=last.get('progress'))
        result.pop('task_id')  # reported from the failure
        raise
    result.update(status=state.get('status'), progress=state.get('progress'))
    result.update(summarize(pick_entry(state.get('result'), params['list_id'])))


def main():
    module = FleetModule(ALTCRAFT, ARGUMENT_SPEC)
    with module.inputs():
        oldest = refresh_options(module.params)
    result = dict(changed=False, would_refresh=True, task_id=None, status=None, progress=None, **summarize(None))
    with module.client(result) as client:
        if oldest is not None:
            result['would_refresh'] = needs_refresh(module, client, oldest, result)
        if result['would_refresh'] and not module.check_mode:
            refresh(module, client, result)
        else:
            result['changed'] = result['would_refresh']
    module.exit(**result)


if __name__ == '__main__':
    main()
