#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wfbss_report_info
short_description: List the scheduled reports of Trend Micro WFBS-SVC customers
version_added: 0.1.0
description:
  - Reads the scheduled reports of customers of Trend Micro Worry-Free Business Security Services (WFBS-SVC)
    through the Service Management API C(report) call, 10 customers per call.
  - Returns each report in the same words as the options of M(fleetops.maintenance.wfbss_report), plus the
    fields the API answered.
author: fleetops maintainers (@fleetops)
options:
  customer_ids:
    description:
      - The customers (GUIDs). Duplicates are read once; the order is kept.
      - A customer the API does not answer for (an unknown ID, or one not managed with this key) is returned with
        RV(customers[].found=false), and the module warns.
    type: list
    elements: str
    required: true
  name:
    description:
      - Only the reports of this name.
    type: str
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.wfbss
  - fleetops.maintenance.attributes
  - fleetops.maintenance.attributes.read_only
attributes:
  action_group:
    membership:
      - fleetops.maintenance.wfbss
notes:
  - The API silently leaves unknown customer IDs (and customers not managed with this API key) out of its answer;
    they are returned with RV(customers[].found=false) and a warning.
'''

EXAMPLES = r'''
- name: Read the weekly report of two customers
  fleetops.maintenance.wfbss_report_info:
    access_token: "{{ wfbss_access_token }}"
    secret_key: "{{ wfbss_secret_key }}"
    customer_ids:
      - 640FE47F-5118-4D79-8221-A35D0DE2EE2C
      - 549390C2-61B3-417E-B1F0-8955A63C08F3
    name: Weekly virus report
  register: info

- name: List the customers without that report
  ansible.builtin.debug:
    msg: "{{ info.customers | selectattr('reports', 'equalto', []) | map(attribute='id') | list }}"
'''

RETURN = r'''
customers:
  description: One entry per customer, in the order of O(customer_ids).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The customer ID.
      type: str
      sample: 640FE47F-5118-4D79-8221-A35D0DE2EE2C
    eid:
      description: An ID the API returns for internal use (null when not found).
      type: str
      sample: B2C79DCE-D642-4310-A984-F82DC9051E70
    found:
      description: False when the API left the customer out of its answer (unknown ID, or not managed with this key).
      type: bool
      sample: true
    reports:
      description: The customer's reports (of O(name) if set).
      type: list
      elements: dict
      contains:
        rtid:
          description: The report ID.
          type: int
          sample: 1
        name:
          description: The report name.
          type: str
          sample: weekly report
        schedule:
          description: C(weekly) or C(monthly) (the API's type code when it is another one).
          type: str
          sample: weekly
        weekday:
          description: The day a weekly report runs (C(sunday) to C(saturday)); null for a monthly report.
          type: str
          sample: monday
        monthday:
          description: The day of the month a monthly report runs; null for a weekly report.
          type: int
          sample: null
        time:
          description: The time of day the report is generated, C(HH:MM) (C(HH:MM:SS) if the API holds seconds).
          type: str
          sample: "03:05"
        enabled:
          description: Whether the report is enabled.
          type: bool
          sample: true
        recipients:
          description: The email addresses the report is sent to.
          type: list
          elements: str
          sample: [secops@example.com]
        group_ids:
          description: The device groups the report covers; empty for all devices.
          type: list
          elements: int
          sample: [2]
        contents:
          description: The report tables by name (see O(fleetops.maintenance.wfbss_report#module:contents)); a code without a known name is kept as a number.
          type: list
          elements: raw
          sample: [virus_summary, top_devices_virus]
        history_count:
          description: How many generated reports the history holds (the API's C(number)).
          type: int
          sample: 0
        raw:
          description: The report exactly as the API answered.
          type: dict
          sample:
            rtid: 1
            type: 3
            number: 0
            setting:
              name: weekly report
              enabled: 1
              parameter:
                time: 11100
                gids: [2]
                email: 1
                weekday: 1
                address: [secops@example.com]
                contents: [{tbl_type: 100}, {tbl_type: 101}]
error:
  description: What the failed call was and what the API answered (no credentials).
  returned: when a call failed
  type: dict
  sample: {method: GET, path: /report, status: 401, vendor_code: null,
           vendor_message: invalid signature, request_id: 0f9c5bb4-9a51-4d0e-9f86-5e0c9f6c1a11, outcome_unknown: false, kind: auth}
failed_batch:
  description: The number (1-based) of the batch of 10 customers whose read failed.
  returned: when a call failed
  type: int
  sample: 2
unprocessed:
  description: The customers of the failed batches and of the batches not read after the failure.
  returned: when a call failed
  type: list
  elements: str
  sample: [549390C2-61B3-417E-B1F0-8955A63C08F3]
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import by_customer
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_options import WFBSS, unique_customer_ids
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_reports import readable_report

ARGUMENT_SPEC = dict(
    customer_ids=dict(type='list', elements='str', required=True),
    name=dict(type='str'),
)


def describe(cid, entries):
    """One customer's entry: its reports in readable form, each with the raw API fields."""
    reports = []
    for entry in entries or []:
        for report in entry.get('reports') or []:
            form = readable_report(report)
            form['raw'] = report
            reports.append(form)
    eid = entries[0].get('eid') if entries else None
    return dict(id=cid, eid=eid, found=entries is not None, reports=reports)


def main():
    module = FleetModule(WFBSS, ARGUMENT_SPEC, concurrency=True)
    with module.inputs():
        customer_ids = unique_customer_ids(module.params['customer_ids'])
    with module.client(dict(customers=[])) as api:
        answered = by_customer(api.reports(customer_ids, module.params['name']))
    customers = [describe(cid, answered.get(cid.upper())) for cid in customer_ids]
    missing = [entry['id'] for entry in customers if not entry['found']]
    if missing:
        module.warn('the API did not answer for %d customer(s) (unknown ID, or not managed with this API key): %s'
                    % (len(missing), ', '.join(missing)))
    module.exit(changed=False, customers=customers)


if __name__ == '__main__':
    main()
