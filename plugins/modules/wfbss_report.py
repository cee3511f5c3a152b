#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wfbss_report
short_description: Create or delete a scheduled report for Trend Micro WFBS-SVC customers
version_added: 0.1.0
description:
  - Makes sure that each listed customer of Trend Micro Worry-Free Business Security Services (WFBS-SVC)
    has (O(state=present)) or has not (O(state=absent)) a scheduled report of the given name, through the
    Service Management API C(report) calls.
  - The customers' reports of that name are read first; only the customers that need a change get a write,
    so a second run with the same options changes nothing and sends no write.
  - An existing report of that name whose settings differ is left alone and reported with
    RV(customers[].action=differs) and a warning, unless O(replace=true).
  - Customers are read and written in batches of at most 10 (the API's limit per call).
author: fleetops maintainers (@fleetops)
options:
  customer_ids:
    description:
      - The customers (GUIDs). Duplicates are handled once; the order is kept.
    type: list
    elements: str
    required: true
  name:
    description:
      - The report name, which identifies the report of each customer.
      - 'Must not be blank and must not contain any of C(\ / : ; * ? " < > |).'
    type: str
    required: true
  state:
    description:
      - C(present) creates the report for the customers that lack it; C(absent) deletes the reports of that name.
    type: str
    choices: [present, absent]
    default: present
  schedule:
    description:
      - How often the report runs, V(weekly) or V(monthly). Required with O(state=present).
      - The vendor's codes are accepted too, as the API documents them - V(3) weekly, V(4) monthly.
    type: str
  weekday:
    description:
      - The day a weekly report runs, V(sunday), V(monday), V(tuesday), V(wednesday), V(thursday), V(friday) or
        V(saturday). Required with O(schedule=weekly), refused with O(schedule=monthly).
      - The vendor's numbers are accepted too, as the API documents them - V(0) Sunday to V(6) Saturday.
    type: str
  monthday:
    description:
      - The day of the month (1 to 31) a monthly report runs. Required with O(schedule=monthly), refused with
        O(schedule=weekly).
      - WFBS-SVC does not generate the report in a month that does not have that day (for example 31 in April).
    type: int
  time:
    description:
      - The time of day the report is generated, as C(HH:MM) (24-hour clock, 00:00 to 23:59).
      - Required with O(state=present).
    type: str
  enabled:
    description:
      - Whether the report is enabled.
    type: bool
    default: true
  recipients:
    description:
      - Email addresses the report is sent to. When empty, the report is not emailed.
    type: list
    elements: str
    default: []
  group_ids:
    description:
      - The device groups the report covers. When empty, it covers all devices.
    type: list
    elements: int
    default: []
  contents:
    description:
      - The tables of the report, by name or by the vendor's C(tbl_type) code. Required with O(state=present).
      - C(virus_summary) (100) - Virus Summary.
      - C(top_devices_virus) (101) - Top 5 Devices (excluding Servers) with Virus Detections.
      - C(top_servers_virus) (102) - Top 5 Servers with Virus Detections.
      - C(spyware_summary) (200) - Spyware/Grayware Summary.
      - C(top_devices_spyware) (201) - Top 5 Devices (excluding Servers) with Spyware/Grayware Detections.
      - C(top_servers_spyware) (202) - Top 5 Servers with Spyware/Grayware Detections.
      - C(top_network_viruses) (300) - Top 10 Network Viruses Detected.
      - C(top_devices_network_virus) (301) - Top 10 Devices Attacked by Network Viruses.
      - C(top_devices_web_threat) (400) - Top 10 Devices Violating Web Threat Protection Policies.
      - C(top_programs_behavior_monitoring) (500) - Top 5 Programs Violating Behavior Monitoring Policies.
      - C(top_devices_behavior_monitoring) (501) - Top 10 Devices Violating Behavior Monitoring Policies.
      - C(top_url_category_policies) (600) - Top 5 URL Category Policies Violated.
      - C(top_devices_url_category) (601) - Top 10 Devices Violating URL Category Policies.
      - C(top_programs_device_control) (700) - Top 5 Programs Violating Device Control Policies.
      - C(top_devices_device_control) (701) - Top 10 Devices Violating Device Control Policies.
    type: list
    elements: str
  replace:
    description:
      - With O(state=present), bring a report of that name whose settings differ in line with the options.
      - A single report is updated in place with the API's update call (C(PUT report)); it keeps its report ID
        and its history (RV(customers[].action=updated)).
      - When a customer has several reports of that name, they are deleted and one is created
        (RV(customers[].action=replaced)); B(their history is lost).
    type: bool
    default: false
  accept_results:
    description:
      - Per-customer results that do not fail the task (they are still reported, with a warning).
      - C(LimitError) - the customer already has 10 reports. C(SpecError) - the API refused the report settings.
        C(InternalError) and C(Exception) - other errors of the API.
        C(Missing) - the API silently left the customer out of its answer (an unknown customer ID, or one not
        managed with this API key).
    type: list
    elements: str
    choices: [LimitError, SpecError, InternalError, Exception, Missing]
    default: []
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.wfbss
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details: Reads the existing reports and returns, per customer, what would be created or deleted; writes nothing.
  diff_mode:
    support: full
    details:
      - Shows, per customer, the report before and after.
      - A report that differs and is left alone (O(replace=false)) is shown too, with what the options ask for as
        C(after), so that C(--check --diff) shows what differs.
  idempotent:
    support: full
  action_group:
    membership:
      - fleetops.maintenance.wfbss
notes:
  - Reports are compared on their schedule, weekday or day of the month, time, enabled flag, recipients,
    groups and contents; the order of recipients, groups and contents and the case of email addresses do not matter.
  - O(replace) updates a report with the documented C(PUT report?cids=...&name=...) call, one call per 10 customers.
    Only when several reports of that name exist is the customer's set deleted and one report created; if the
    creation then fails, the customer is left without the report, and the result says so.
  - The answer of the update call is not shown on the vendor's page; it is read like the answers of the create and
    delete calls (C(customers[]) with a C(result) per customer).
  - A delete is repeated after an HTTP 500, 502, 503 or 504 or a read timeout, like any C(DELETE); if the first try had
    deleted the report, the repeated one may answer C(InternalError) for that customer.
  - Trend Micro does not document the error answers of the API; the message of a failure shows what the
    API returned.
'''

EXAMPLES = r'''
- name: Weekly virus report for every customer, Monday 08:00
  module_defaults:
    group/fleetops.maintenance.wfbss:
      access_token: "{{ wfbss_access_token }}"
      secret_key: "{{ wfbss_secret_key }}"
  block:
    - name: Create the report where it is missing
      fleetops.maintenance.wfbss_report:
        customer_ids: "{{ wfbss_customer_ids }}"
        name: Weekly virus report
        schedule: weekly
        weekday: monday
        time: "08:00"
        recipients:
          - secops@example.com
        contents:
          - virus_summary
          - top_devices_virus
      register: report

    - name: Show the customers whose report of that name has other settings
      ansible.builtin.debug:
        msg: "{{ report.customers | selectattr('action', 'equalto', 'differs') | map(attribute='id') | list }}"

- name: Monthly report on the 5th for groups 1 and 2, replacing a differing one (its history is lost)
  fleetops.maintenance.wfbss_report:
    access_token: "{{ wfbss_access_token }}"
    secret_key: "{{ wfbss_secret_key }}"
    customer_ids:
      - 640FE47F-5118-4D79-8221-A35D0DE2EE2C
    name: monthly_report
    schedule: monthly
    monthday: 5
    time: "08:00"
    group_ids: [1, 2]
    contents: [100, 101]
    replace: true

- name: Delete the report, tolerating customers that are not managed with this key
  fleetops.maintenance.wfbss_report:
    access_token: "{{ wfbss_access_token }}"
    secret_key: "{{ wfbss_secret_key }}"
    customer_ids: "{{ wfbss_customer_ids }}"
    name: Weekly virus report
    state: absent
    accept_results:
      - Missing
'''

RETURN = r'''
customers:
  description: One entry per customer, in the order of O(customer_ids).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 640FE47F-5118-4D79-8221-A35D0DE2EE2C
      rtid: 2
      result: Done
      message: ""
      action: created
  contains:
    id:
      description: The customer ID.
      type: str
      sample: 640FE47F-5118-4D79-8221-A35D0DE2EE2C
    rtid:
      description:
        - The report ID - of the created report, of the deleted one, or of the existing one when nothing was done.
        - Null when the customer has no such report or was not answered for.
      type: int
      sample: 2
    result:
      description:
        - The API's result for this customer's write - C(Done), C(LimitError), C(SpecError), C(InternalError) or
          C(Exception) - or C(Missing) when the API left the customer out of its answer.
        - Null when nothing was sent for this customer (no change needed, check mode, or a failed batch).
      type: str
      sample: Done
    message:
      description: The API's message for this customer, or why nothing was done.
      type: str
      sample: ""
    action:
      description:
        - What was done (or in check mode, what would be done) - C(created), C(deleted), C(updated) (its settings
          changed in place, see O(replace)), C(replaced) (several reports of that name deleted and one created),
          C(unchanged) (already as wanted), C(differs) (a report of that name has other settings and
          O(replace) is false), or C(none) (the customer was not found).
        - When RV(customers[].result) is not C(Done), the action was attempted and did not succeed.
      type: str
      sample: created
    differences:
      description: With RV(customers[].action=differs), C(updated) or C(replaced), the options whose values differ.
      type: list
      elements: str
      sample: [time, contents]
error:
  description: What the failed call was and what the API answered (no credentials).
  returned: when a call failed
  type: dict
  sample: {method: POST, path: /report, status: 504, vendor_code: null,
           vendor_message: null, request_id: 0f9c5bb4-9a51-4d0e-9f86-5e0c9f6c1a11, outcome_unknown: true, kind: api}
failed_batch:
  description: The number (1-based) of the batch that failed, within its step (read, delete or create).
  returned: when a call failed
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
  returned: when a call failed
  type: list
  elements: str
  sample: [549390C2-61B3-417E-B1F0-8955A63C08F3]
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import FAILED_RESULTS, by_customer
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_options import WFBSS, unique_customer_ids, wanted_report
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_reports import diff_form, differences

ARGUMENT_SPEC = dict(
    customer_ids=dict(type='list', elements='str', required=True),
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    schedule=dict(type='str'),
    weekday=dict(type='str'),
    monthday=dict(type='int'),
    time=dict(type='str'),
    enabled=dict(type='bool', default=True),
    recipients=dict(type='list', elements='str', default=[]),
    group_ids=dict(type='list', elements='int', default=[]),
    contents=dict(type='list', elements='str'),
    replace=dict(type='bool', default=False),
    accept_results=dict(type='list', elements='str', choices=list(FAILED_RESULTS), default=[]),
)
MISSING_MESSAGE = 'the API left this customer out of its answer (unknown customer ID, or not managed with this API key)'
NOT_DONE_MESSAGE = 'not done: the call for this batch failed or was not sent'


class Plan(object):
    """Per customer its result entry, the customers to delete, update and create, and the diff."""

    def __init__(self, customer_ids, existing, body, replace):
        self.entries, self.to_delete, self.to_update, self.to_create = {}, [], [], []
        self.diff = dict(before={}, after={})
        for cid in customer_ids:
            self.entries[cid] = dict(id=cid, rtid=None, result=None, message='', action='unchanged')
            self._plan(cid, existing.get(cid.upper()), body, replace)

    def _plan(self, cid, answered, body, replace):
        entry = self.entries[cid]
        if answered is None:
            entry.update(result='Missing', message=MISSING_MESSAGE, action='none')
            return
        reports = [report for item in answered for report in item.get('reports') or []]
        if reports:
            entry['rtid'] = reports[0].get('rtid')
        changed = sorted(set(field for report in reports for field in differences(report, body))) if body else []
        if len(reports) > 1 and body:
            changed.append('%d reports have this name' % len(reports))
        if body is None and reports:
            entry['action'] = 'deleted'
            self.to_delete.append(cid)
        elif body is not None and not reports:
            entry['action'] = 'created'
            self.to_create.append(cid)
        elif changed:
            entry['differences'] = changed
            if not replace:
                entry.update(action='differs', message='a report of this name has other settings (%s); replace=true '
                                                       'updates it' % ', '.join(changed))
            elif len(reports) == 1:
                entry['action'] = 'updated'
                self.to_update.append(cid)
            else:  # an update would leave several reports of one name: delete them, create one
                entry['action'] = 'replaced'
                self.to_delete.append(cid)
                self.to_create.append(cid)
        if entry['action'] != 'unchanged':
            if reports:
                self.diff['before'][cid] = diff_form(reports[0])
            if body is not None:
                self.diff['after'][cid] = diff_form(body)

    def customers(self, customer_ids):
        return [self.entries[cid] for cid in customer_ids]

    def record(self, answer, batch):
        """Copy the API's per-customer results of a write into the entries; customers left out are Missing."""
        index = by_customer(answer)
        for cid in batch:
            items = index.get(cid.upper())
            if not items:
                self.entries[cid].update(rtid=None, result='Missing', message=MISSING_MESSAGE)
                continue
            item = next((i for i in items if i.get('result') != 'Done'), items[0])
            self.entries[cid].update(rtid=item.get('rtid'), result=item.get('result'), message=item.get('message') or '')


def apply(module, api, plan, body, customer_ids):
    """Deletions, updates, then creations, 10 customers a call; a failure ends the module with what was done."""
    name = module.params['name']
    steps = [(plan.to_delete, lambda ids: api.delete_report(ids, name=name)),
             (plan.to_update, lambda ids: api.update_report(ids, body, name=name)),
             (plan.to_create, lambda ids: api.create_report(ids, body))]
    for number, (customers, call) in enumerate(steps):
        if customers is plan.to_create:  # a replaced report is re-created only where its deletion succeeded
            customers = [cid for cid in customers if cid not in plan.to_delete or plan.entries[cid]['result'] == 'Done']
        module.batches(customers, module.batch_size, lambda batch, call=call: plan.record(call(batch), batch),
                       partial=lambda failure, later=steps[number + 1:]: not_done(plan, failure, later, customer_ids))


def not_done(plan, failure, later_steps, customer_ids):
    """What a failed step leaves: the customers of its failed and unsent batches and of the later steps are not done
    (unprocessed, unless their batch may have been applied)."""
    later = set(cid for ids, dummy in later_steps for cid in ids)
    for cid in later.union(failure.unprocessed_items, failure.outcome_unknown_items):
        plan.entries[cid].update(result=None, message=NOT_DONE_MESSAGE)
    unprocessed = set(failure.unprocessed_items).union(later)
    return dict(changed=_done(plan), customers=plan.customers(customer_ids),
                unprocessed=[cid for cid in customer_ids if cid in unprocessed])


def _done(plan):
    return any(entry['result'] == 'Done' for entry in plan.entries.values())


def finish(module, result):
    """The result, failed on per-customer results that are not accepted; warns about reports left as they are."""
    customers, accepted = result['customers'], module.params['accept_results']
    differing = [entry['id'] for entry in customers if entry['action'] == 'differs']
    if differing:
        module.warn('%d customer(s) have a report named %r with other settings, left as is (replace=true updates '
                    'it): %s' % (len(differing), module.params['name'], ', '.join(differing)))
    problems = [entry for entry in customers if entry['result'] not in (None, 'Done')]
    failing = [entry for entry in problems if entry['result'] not in accepted]
    if failing:
        return dict(result, failed=True, msg='%d customer(s) failed: %s' % (len(failing), describe(failing)))
    if problems:
        module.warn('results accepted through accept_results: %s' % describe(problems))
    return result


def describe(entries):
    return '; '.join('%s: %s%s' % (entry['id'], entry['result'], ' - %s' % entry['message'] if entry['message'] else '')
                     for entry in entries)


def main():
    module = FleetModule(WFBSS, ARGUMENT_SPEC, concurrency=True,
                         required_if=[('state', 'present', ['schedule', 'time', 'contents'])])
    params = module.params
    with module.inputs():
        customer_ids = unique_customer_ids(params['customer_ids'])
        body = wanted_report(params, module.warn)
    with module.client(dict(customers=[])) as api:
        plan = Plan(customer_ids, by_customer(api.reports(customer_ids, params['name'])), body, params['replace'])
        if not module.check_mode:
            apply(module, api, plan, body, customer_ids)
    writes = plan.to_delete or plan.to_update or plan.to_create
    result = dict(changed=bool(writes) if module.check_mode else _done(plan), customers=plan.customers(customer_ids))
    if module.diff_mode:
        result['diff'] = plan.diff
    module.end(finish(module, result))


if __name__ == '__main__':
    main()
