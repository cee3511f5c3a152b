#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wfbss_reset
short_description: Reset counters or live status icons of Trend Micro WFBS-SVC customers
version_added: 0.1.0
description:
  - Asks Trend Micro Worry-Free Business Security Services (WFBS-SVC) to reset the counters or the live
    status icons of any number of customers, through the Service Management API C(commands/reset) call.
  - Customers are sent in batches of at most 10 (the API's limit per call); each batch starts one
    asynchronous task on the vendor side, whose id and status are returned.
  - The module does not wait for the tasks to finish; see the notes.
author: fleetops maintainers (@fleetops)
options:
  customer_ids:
    description:
      - The customers (GUIDs) to reset. Duplicates are sent once; the order is kept.
    type: list
    elements: str
    required: true
  type:
    description:
      - C(counter) resets the counters; C(livestatus) resets the live status icons.
    type: str
    required: true
    choices: [counter, livestatus]
  events:
    description:
      - Only with O(type=livestatus) - reset only the live status of these events.
      - When not set, all live status is reset.
    type: list
    elements: str
    choices:
      - virus_incidents
      - spyware_incidents
      - wtp_incidents
      - urlfilter_incidents
      - behavior_monitoring_incidents
      - network_virus_incidents
      - virus_unsuccessful
      - spyware_unsuccessful
      - device_control_incidents
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.wfbss
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details: Sends nothing and returns the batches that would be sent, with no task id.
  diff_mode:
    support: none
  idempotent:
    support: none
    details: A reset is an action; every run that is not in check mode requests it again.
  action_group:
    membership:
      - fleetops.maintenance.wfbss
notes:
  - Trend Micro documents no endpoint to read the status of the returned task, so the module cannot wait
    for the reset to finish or tell whether it succeeded; the task status returned is the one answered when
    the reset was requested (normally C(PENDING)).
  - The API answers one task per call and does not say whether it ignored a customer ID it does not know;
    the module cannot detect unknown customer IDs (M(fleetops.maintenance.wfbss_report_info) shows which IDs the API answers for).
  - A reset request that failed with HTTP 500, 502, 503 or 504 or timed out while waiting for the answer is not sent
    again, because it may have been applied; the error then says that its outcome is unknown.
    No batch is sent after a failure (with O(concurrency) above 1, those already in flight finish); the result lists
    the tasks of the batches that completed.
  - Trend Micro does not document the error answers of the API; the message of a failure shows what the
    API returned.
'''

EXAMPLES = r'''
- name: Reset the counters of three customers
  fleetops.maintenance.wfbss_reset:
    access_token: "{{ wfbss_access_token }}"
    secret_key: "{{ wfbss_secret_key }}"
    customer_ids:
      - 640FE47F-5118-4D79-8221-A35D0DE2EE2C
      - 549390C2-61B3-417E-B1F0-8955A63C08F3
      - 0C9B4E5A-3D1F-4A8E-9B7C-2E6D5F4A3B21
    type: counter

- name: Reset virus and spyware incident icons of every managed customer
  module_defaults:
    group/fleetops.maintenance.wfbss:
      access_token: "{{ wfbss_access_token }}"
      secret_key: "{{ wfbss_secret_key }}"
  block:
    - name: Reset live status
      fleetops.maintenance.wfbss_reset:
        customer_ids: "{{ wfbss_customer_ids }}"
        type: livestatus
        events:
          - virus_incidents
          - spyware_incidents
      register: reset

    - name: Show the vendor task ids
      ansible.builtin.debug:
        msg: "{{ reset.tasks | map(attribute='id') | list }}"
'''

RETURN = r'''
tasks:
  description:
    - One entry per batch of at most 10 customers, in the order sent.
    - In check mode, the batches that would be sent, with a null RV(tasks[].id) and RV(tasks[].status).
    - When a batch fails, the tasks of the batches that completed.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 4cab9d44-ea63-41dd-9215-ac261a3bdcff
      status: PENDING
      customer_ids:
        - 640FE47F-5118-4D79-8221-A35D0DE2EE2C
        - 549390C2-61B3-417E-B1F0-8955A63C08F3
  contains:
    id:
      description: The id of the vendor's asynchronous reset task (null in check mode).
      type: str
      sample: 4cab9d44-ea63-41dd-9215-ac261a3bdcff
    status:
      description: The task status the API answered (C(PENDING), C(STARTED), C(SUCCESS), C(FAILURE) or C(REVOKED)); null in check mode.
      type: str
      sample: PENDING
    customer_ids:
      description: The customers of this batch.
      type: list
      elements: str
      sample: [640FE47F-5118-4D79-8221-A35D0DE2EE2C]
error:
  description: What the failed call was and what the API answered (no credentials).
  returned: when a batch failed
  type: dict
  sample: {method: POST, path: /commands/reset, status: 504, vendor_code: null,
           vendor_message: null, request_id: 0f9c5bb4-9a51-4d0e-9f86-5e0c9f6c1a11, outcome_unknown: true, kind: api}
failed_batch:
  description: The number (1-based) of the batch that failed.
  returned: when a batch failed
  type: int
  sample: 2
outcome_unknown_items:
  description:
    - The customers of the failed batch when its outcome is unknown (the request may have reached the API before the
      answer was lost). Check them before sending them again; they are not in RV(unprocessed).
  type: list
  elements: str
  returned: when a batch failed with an unknown outcome
  sample: [549390C2-61B3-417E-B1F0-8955A63C08F3]
unprocessed:
  description: The customers of the failed batches (unless their outcome is unknown) and of the batches not sent.
  returned: when a batch failed
  type: list
  elements: str
  sample: [549390C2-61B3-417E-B1F0-8955A63C08F3]
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import chunks
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput, unique
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import RESET_EVENTS, RESET_TYPES
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_options import WFBSS, unique_customer_ids

ARGUMENT_SPEC = dict(
    customer_ids=dict(type='list', elements='str', required=True),
    type=dict(type='str', required=True, choices=list(RESET_TYPES)),
    events=dict(type='list', elements='str', choices=list(RESET_EVENTS)),
)


def main():
    module = FleetModule(WFBSS, ARGUMENT_SPEC, concurrency=True)
    params = module.params
    with module.inputs():
        customer_ids = unique_customer_ids(params['customer_ids'])
        if params['events'] and params['type'] != 'livestatus':
            raise InvalidInput('events can only be used with type=livestatus (got type=%s)' % params['type'])
    events = unique(params['events'] or []) or None

    if module.check_mode:
        result = dict(changed=True, tasks=[dict(id=None, status=None, customer_ids=batch)
                                           for batch in chunks(customer_ids, module.batch_size)])
    else:
        with module.client() as api:
            tasks = module.batches(customer_ids, module.batch_size,
                                   lambda batch: dict(api.reset(batch, params['type'], events), customer_ids=batch),
                                   partial=lambda failure: dict(changed=bool(failure.completed), tasks=failure.completed))
        result = dict(changed=True, tasks=tasks)
    module.end(result)


if __name__ == '__main__':
    main()
