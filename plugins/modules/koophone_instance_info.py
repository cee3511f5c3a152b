#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: koophone_instance_info
short_description: Read the status of Huawei Cloud KooPhone cloud phone instances
version_added: 0.1.0
author: fleetops maintainers (@fleetops)
description:
  - With O(instance_ids), asks for those instances' status with C(POST /v1/instances/batch-query-status),
    32 instances a call, and reports the IDs the vendor did not return.
  - Without O(instance_ids), or with O(list_instances=true), lists instances with C(GET /v1/instances/batch-query),
    page after page.
  - Status numbers are returned together with readable names.
options:
  instance_ids:
    description:
      - IDs of the instances whose status to read. Repeats are ignored.
      - Each ID must be non-empty and at most 32 characters long.
    type: list
    elements: str
  list_instances:
    description:
      - List instances with C(batch-query) even when O(instance_ids) is given.
      - Listing always happens when O(instance_ids) is not given.
    type: bool
    default: false
  instance_name:
    description:
      - Only list instances whose name matches this (the vendor's C(instance_name) filter).
    type: str
  page_size:
    description:
      - Instances asked for per C(batch-query) page.
      - The vendor documents no maximum; the simulator used in tests allows 100.
    type: int
    default: 100
  status_enum:
    description:
      - Which version of the vendor's status list names the numbers from C(batch-query-status)
        in RV(status_results[].status_name).
      - The two doc versions disagree. V(2024) is C(0) unknown, C(1) stopped, C(2) running, C(3) offline,
        C(4) starting, C(5) shut down. V(2025) is C(0) idle, C(1) restoring, C(2) data loaded, C(3) streaming,
        C(4) backing up, C(5) backup exception, C(6) restore exception, C(7) data loaded.
      - The default is V(2024), which the 2025 page's own summary also uses. The raw number is always returned.
    type: str
    choices: ['2024', '2025']
    default: '2024'
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.koophone
  - fleetops.maintenance.attributes
  - fleetops.maintenance.attributes.read_only
attributes:
  action_group:
    membership:
      - fleetops.maintenance.koophone
notes:
  - C(batch-query) returns C(running_status) with the 2024 list of names in every doc version; the module names it so.
  - How C(batch-query-status) reports an unknown instance is not documented; an ID missing from its
    C(status_results) is returned in RV(unknown_instance_ids).
  - C(batch-query-status) is a C(POST) that only reads, so it is retried like a read.
'''

EXAMPLES = r'''
- name: Status of two cloud phones
  fleetops.maintenance.koophone_instance_info:
    auth_token: "{{ koophone_token }}"
    instance_ids:
      - a44uhlf7
      - efjy72gs
  register: phones

- name: Fail on any phone that is not running
  ansible.builtin.assert:
    that:
      - phones.status_results | rejectattr('status_name', 'equalto', 'running') | list | length == 0
      - phones.unknown_instance_ids | length == 0

- name: List every instance with AK/SK from HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID
  fleetops.maintenance.koophone_instance_info:
  register: all_phones

- name: List every instance whose name contains "shop", with IAM login
  fleetops.maintenance.koophone_instance_info:
    username: "{{ vault_koophone_user }}"
    password: "{{ vault_koophone_password }}"
    domain_name: example-account
    instance_name: shop
  register: shop_phones
'''

RETURN = r'''
status_results:
  description: Status of each known instance from O(instance_ids), in the order given.
  type: list
  elements: dict
  returned: when O(instance_ids) is given
  contains:
    instance_id:
      description: The instance.
      type: str
      sample: a44uhlf7
    status:
      description: The vendor's status number.
      type: int
      sample: 2
    status_name:
      description: The status's name under O(status_enum) (C(status N) for a number not in that list).
      type: str
      sample: running
  sample:
    - {instance_id: a44uhlf7, status: 2, status_name: running}
unknown_instance_ids:
  description: IDs from O(instance_ids) the vendor returned no status for.
  type: list
  elements: str
  returned: when O(instance_ids) is given
  sample: [efjy72gs]
instances:
  description: The listed instances, as C(batch-query) returns them, with readable names added.
  type: list
  elements: dict
  returned: when instances are listed
  contains:
    instance_id:
      description: The instance.
      type: str
      sample: a44uhlf7
    instance_name:
      description: Its name.
      type: str
      sample: shop-phone-01
    region:
      description: Its region.
      type: str
      sample: cn-south-1
    instance_sku:
      description: Its SKU.
      type: str
      sample: kp.arm.standard
    frozen_status:
      description: C(1) when frozen, C(0) otherwise.
      type: int
      sample: 0
    frozen:
      description: Whether the instance is frozen.
      type: bool
      sample: false
    running_status:
      description: The vendor's running status number.
      type: int
      sample: 2
    running_status_name:
      description: The running status's name (2024 list).
      type: str
      sample: running
  sample:
    - {instance_id: a44uhlf7, instance_name: shop-phone-01, region: cn-south-1, instance_sku: kp.arm.standard,
       frozen_status: 0, frozen: false, running_status: 2, running_status_name: running}
total_count:
  description: The number of instances the vendor reported for the listing.
  type: int
  returned: when instances are listed
  sample: 80
failed_batch:
  description: The 1-based number of the status batch that failed.
  type: int
  returned: on failure of a status batch
  sample: 2
unprocessed:
  description: IDs whose status was not read because their batch failed or was not sent after the failure.
  type: list
  elements: str
  returned: on failure of a status batch
  sample: [efjy72gs]
error:
  description: Details of the failed API call (no secrets).
  type: dict
  returned: on an API failure
  sample: {method: GET, path: /v1/instances/batch-query, status: 401, vendor_code: APIGW.0301,
           vendor_message: Incorrect IAM authentication information, request_id: 3f2b6c1e-8d4a-4b9e-a1c2-7e6f5d4c3b2a, outcome_unknown: false, kind: auth}
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import at_least
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import RUNNING_STATUS_ENUM, status_name
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone_options import KOOPHONE, unique_instance_ids
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule

ARGUMENT_SPEC = dict(
    instance_ids=dict(type='list', elements='str'),
    list_instances=dict(type='bool', default=False),
    instance_name=dict(type='str'),
    page_size=dict(type='int', default=100),
    status_enum=dict(type='str', choices=['2024', '2025'], default='2024'),
)


def read_status(client, instance_ids, enum):
    known, unknown = client.query_status(instance_ids)
    return dict(status_results=[dict(instance_id=item.get('instance_id'), status=item.get('status'),
                                     status_name=status_name(item.get('status'), enum)) for item in known],
                unknown_instance_ids=unknown)


def list_instances(client, page_size, instance_name):
    instances, total = client.list_instances(page_size, dict(instance_name=instance_name) if instance_name else None)
    return dict(total_count=total, instances=[
        dict(item, frozen=item.get('frozen_status') == 1,
             running_status_name=status_name(item.get('running_status'), RUNNING_STATUS_ENUM)) for item in instances])


def main():
    module = FleetModule(KOOPHONE, ARGUMENT_SPEC, concurrency=True)
    params = module.params
    with module.inputs():
        instance_ids = None if params['instance_ids'] is None else unique_instance_ids(params['instance_ids'])
        at_least('page_size', params['page_size'], 1)
    result = dict(changed=False)
    with module.client(result) as client:
        if instance_ids is not None:
            result.update(read_status(client, instance_ids, params['status_enum']))
        if instance_ids is None or params['list_instances']:
            result.update(list_instances(client, params['page_size'], params['instance_name']))
    module.exit(**result)


if __name__ == '__main__':
    main()
