#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: resource_counters_info
short_description: Read the subscription counters of an Altcraft resource without refreshing them
version_added: 0.1.0
description:
  - Reads the current subscription counters of a resource for one database
    (C(POST /api/v1.1/resources/get_counters)), per channel, with when they were last counted when the
    answer says so.
  - Nothing is recounted; use M(fleetops.maintenance.resource_counters) to refresh the counters.
author: fleetops maintainers (@fleetops)
options:
  resource_id:
    description:
      - ID of the resource (sent as C(id)).
      - A positive integer, or a string of its digits.
    type: raw
    required: true
  list_id:
    description:
      - ID of the database (list) whose counters are read.
      - A positive integer, or a string of its digits.
    type: raw
    required: true
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.altcraft
  - fleetops.maintenance.attributes
  - fleetops.maintenance.attributes.read_only
attributes:
  action_group:
    membership:
      - fleetops.maintenance.altcraft
notes:
  - The page of C(resources/get_counters) could not be found. The module reads the shape of its documented siblings
    C(databases/get_counters) and C(segments/get_counters), where C(data) is a list of C({channel, status}) with no
    count time; then RV(updated), RV(last_count_time) and RV(age_seconds) are V(null). It also reads the richer C(result)
    entries of a completed refresh task (C(channels), C(in_progress), C(last_count_time), C(list_id), C(updated)),
    should a server answer with those; then the count time is returned.
seealso:
  - module: fleetops.maintenance.resource_counters
'''

EXAMPLES = r'''
- name: Read the counters of resource 24 for database 1
  fleetops.maintenance.resource_counters_info:
    api_url: https://ru.altkraft.com
    api_token: "{{ altcraft_token }}"
    resource_id: 24
    list_id: 1
  register: current

- name: Say when the counters are older than a day, or of unknown age
  ansible.builtin.debug:
    msg: >-
      Counters of database 1: {{ 'counted at an unknown time' if current.age_seconds is none
      else 'counted ' ~ (current.age_seconds | int) ~ ' seconds ago' }}
  when: current.age_seconds is none or current.age_seconds > 86400

- name: Email subscribers of several databases
  fleetops.maintenance.resource_counters_info:
    resource_id: 24
    list_id: "{{ item }}"
  loop: [1, 2]
  register: per_list
  module_defaults:
    group/fleetops.maintenance.altcraft:
      api_url: https://ru.altkraft.com
      api_token: "{{ altcraft_token }}"
'''

RETURN = r'''
counters:
  description:
    - Counters per channel (for example C(sms), C(push), C(email), whichever Altcraft returns), each a dict of
      C(all), C(complained), C(hardbounced), C(invalid), C(subscribed), C(subscribed_sendable), C(suspended),
      C(unconfirmed), C(unconfirmed_sendable) and C(unsubscribed). Empty when Altcraft returned none.
  returned: always
  type: dict
  sample:
    email: {all: 1336, complained: 0, hardbounced: 434, invalid: 0, subscribed: 842, subscribed_sendable: 842,
            suspended: 0, unconfirmed: 0, unconfirmed_sendable: 0, unsubscribed: 60}
last_count_time:
  description: Altcraft's description of the last count; V(null) when never counted.
  returned: always
  type: str
  sample: counted at 2024-04-19T13:31:08Z in 231.374251ms
updated:
  description: When the counters were last updated (ISO 8601, UTC); V(null) when never counted.
  returned: always
  type: str
  sample: "2024-04-19T13:31:08.927Z"
in_progress:
  description: Whether Altcraft says a recount is in progress.
  returned: always
  type: bool
  sample: false
age_seconds:
  description:
    - Seconds since the counters were last counted; V(null) when never counted, or when the answer does not
      say when they were counted (the documented answer does not).
  returned: always
  type: float
  sample: 3600.25
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft import summarize
from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft_options import ALTCRAFT, TARGET_ARGUMENT_SPEC
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule


def main():
    module = FleetModule(ALTCRAFT, TARGET_ARGUMENT_SPEC)
    with module.client() as client:
        entry = client.get_counters(module.params['resource_id'], module.params['list_id'])
    module.exit(changed=False, **summarize(entry))


if __name__ == '__main__':
    main()
