#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: iot_device_bulk
short_description: Bulk update the cellular attributes of Palo Alto Networks IoT Security devices
version_added: 0.1.0
author: fleetops maintainers (@fleetops)
description:
  - Sets the cellular attributes (IMEI, ICCID, IMSI, APN, MSISDN, session event type, session start and end) of many
    IoT Security devices with C(PUT device/bulkUpdate?updateSource=cellular), in batches of O(batch_size) devices,
    paced under the tenant's rate limit.
  - Speaks both generations of the API. With Strata Cloud Manager credentials (O(client_id), O(client_secret),
    O(tsg_id)) it calls C(https://api.strata.paloaltonetworks.com/iot/pub/v1) with an OAuth2 Bearer token; every tenant
    onboarded since June 2025 must use these. With a legacy API key (O(customer_id), O(key_id), O(access_key)) it calls
    the deprecated C(<tenant URL>/pub/v4.0).
  - Devices are matched by the API on their IPv4 or IPv6 address; the API reports how many it updated.
  - Every device is validated before anything is sent; one invalid device fails the task with nothing sent.
options:
  devices:
    description:
      - The devices to update, each a dict with an address (C(ip_address) or C(ipv6_address), at least one)
        and any of the cellular fields below. Other keys are refused.
      - The vendor's schema types every field as a plain string. Every value is sent as given, without the
        whitespace around it; numbers are sent as strings. Quote identifiers in YAML so that leading zeros are kept.
      - C(ip_address) must be an IPv4 address and C(ipv6_address) an IPv6 address, in any notation (for example
        V(FE80:CD00:0000:0CDE:1257:0000:211E:729C) as in the vendor's example, or V(fe80:cd00:0:cde:1257:0:211e:729c));
        they are sent as C(ipAddress) and C(ipv6Address) in the notation given, because the vendor does not document
        how it compares addresses. A zone index (C(%eth0)) is refused.
      - C(imei) must be exactly 15 digits (3GPP TS 23.003; the check digit is not verified, since devices may send it as 0).
      - C(iccid) must be 18 to 22 digits, optionally followed by one C(F) (ITU-T E.118 numbers as printed on the card
        or as read from the SIM, where an odd number of digits ends in the filler C(F), as in the vendor's example
        V(891004234814455936F)).
      - C(imsi) must be 6 to 15 digits (3GPP TS 23.003 allows at most 15).
      - C(msisdn) must be up to 15 digits with an optional leading C(+) (ITU-T E.164).
      - C(apn) is sent as it is.
      - C(session_event_type) is sent as C(SessionEvtType), as it is; the vendor documents no allowed values.
      - C(session_start) and C(session_end) are sent as C(sessionStart) and C(sessionEnd), as they are; the vendor's
        example sends them as V(ISODate('2022-01-05T14:48:00.000Z')) and documents no format.
      - Blank fields are left out of the request.
      - Mutually exclusive with O(devices_file); one of them is required.
    type: list
    elements: dict
  devices_file:
    description:
      - A file on the host where the module runs that lists the devices, for fleets of many thousands.
      - Prefer it to O(devices) beyond a few thousand devices. A large O(devices) list is templated, copied and
        echoed by Ansible itself on the controller (8.5 s for 10,000 devices, against 2.0 s from a file).
      - A C(.json) file holds a JSON list of objects with the keys described in O(devices).
      - A C(.csv) file (UTF-8) has a header row naming the columns with the same keys (any subset in any order,
        at least one address column) and one device a row; empty cells are left out, blank rows are skipped.
      - A file with another extension is read as JSON when its first character is C([), else as CSV.
      - Errors name the file line (CSV) or item (JSON) and the field.
      - A CSV file is read as a stream, twice. A first pass validates every line (a bad line anywhere fails the task
        before anything is sent) and counts the devices, a second pass sends them batch by batch, so that only a
        few batches of devices are held in memory at a time. A JSON file is parsed whole; prefer CSV for very large
        fleets.
    type: path
  update_source:
    description:
      - The C(updateSource) query parameter, the source of the integration.
      - Only V(cellular) is accepted. The devices this module sends follow the vendor's cellular schema, and each
        other source takes a body of its own (V(customAttribute), for example, takes C(deviceid), C(tagType) and C(tagValue) and
        answers C(updatedAttributesNum) instead of C(updatedDeviceNum)).
    type: str
    choices: [cellular]
    default: cellular
  batch_size:
    description:
      - How many devices each request carries. The vendor documents no maximum.
    type: int
    default: 500
  reconcile:
    description:
      - Before anything is sent, read which of the devices the tenant knows, send only those, and name the others in
        RV(unmatched_devices).
      - The first C(device/list) page tells the tenant's device count; the rest is read by whichever costs fewer
        calls, the remaining pages of C(device/list) (1,000 devices a page) or one C(device/ip) call per address the
        first page did not match. RV(reconciliation) says which, and how many reads it took. These reads are paced
        under O(reads_per_minute) (the vendor allows 60 a minute). A tenant of 500,000 devices is 500 pages, about
        8.5 minutes; 40 devices looked up one by one take under a minute.
      - A device is known when the tenant has a device at its C(ip_address), or else at its C(ipv6_address)
        (compared as address values). C(device/list) shows no IPv6 address, so a device it does not match and that
        has an C(ipv6_address) is looked up by that address with C(device/ip).
      - Sending only known devices makes RV(updated_device_count) count the devices the API matched out of those it
        was sent, and keeps devices the tenant does not know out of the request (the API would ignore them).
      - With O(reconcile=true), check mode makes the reads (and, on Strata Cloud Manager, the token request) and
        names the unmatched devices, and sends no update.
    type: bool
    default: false
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.iot
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details:
      - Validates every device and reports the batches that would be sent; sends no update.
      - With O(reconcile=true) it also makes the reads that tell which devices the tenant knows (read-only calls)
        and names the unmatched ones; otherwise it makes no call at all.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - The vendor documents no way to read the cellular attributes back, so the module cannot compare before writing.
        It reports a change whenever it sent at least one device. Sending the same devices again is harmless.
  action_group:
    membership:
      - fleetops.maintenance.iot
notes:
  - On Strata Cloud Manager one access token is requested per task (a POST to O(auth_url) with the client
    credentials), reused until shortly before the C(expires_in) it came with, then renewed. The token is never
    printed, logged or returned.
  - The vendor documents no answer for an expired or refused token on the IoT API; a call answered HTTP 401 or 403 was
    not applied, so the module renews the token and repeats that one call once. No other call is ever repeated for a
    renewal, so no device is sent twice because of it.
  - The API returns only the number of devices it updated (C(updatedDeviceNum)), not which ones. Without O(reconcile)
    the devices it did not match are therefore reported as a count (sent minus updated), not by address; with
    O(reconcile=true) the devices the tenant does not know are named before anything is sent.
  - On Strata Cloud Manager the reads of O(reconcile) and the updates use the same access token.
  - The request is idempotent (it sets the same values again), so the client retries it after a timeout or an HTTP
    500, 502, 503 or 504.
  - If batch k fails, no further batch is sent; the batches that completed (those before it, and with O(concurrency) above
    1 those that were already in flight) have been applied, and the result lists them and the devices not processed.
    Running the task again with the same devices is safe.
  - The vendor does not document how it matches addresses (for example several devices with one address), which
    values C(SessionEvtType) takes, or a maximum number of devices per request.
seealso:
  - name: IoT Security public API authentication
    description: Strata Cloud Manager service accounts and access tokens for the IoT Security API.
    link: https://pan.dev/iot/api/iot-public-api-new
  - name: Strata Cloud Manager access tokens
    description: The token request (client credentials, TSG scope) and the token's lifetime.
    link: https://pan.dev/scm/docs/access-tokens
  - name: IoT Security public API headers (deprecated)
    description: The legacy public API's base URL, C(customerid) parameter and key headers.
    link: https://pan.dev/iot/api/iot-public-api-headers
'''

EXAMPLES = r'''
- name: Update cellular attributes of a few devices (Strata Cloud Manager service account)
  fleetops.maintenance.iot_device_bulk:
    client_id: "iot-sync@1234567890.iam.panserviceaccount.com"
    client_secret: "{{ vault_iot_client_secret }}"
    tsg_id: "1234567890"
    devices:
      - ip_address: 10.20.0.1
        imei: "356938035643809"
        iccid: "8944500102198304826"
        imsi: "310150123456789"
        apn: iot.example.com
        msisdn: "+15551234567"
      - ipv6_address: fd00:20::4
        imsi: "310150123456790"

- name: The same with a legacy API key (deprecated; tenants onboarded before June 2025 only)
  fleetops.maintenance.iot_device_bulk:
    api_url: https://example.iot.paloaltonetworks.com
    customer_id: example
    key_id: "{{ vault_iot_key_id }}"
    access_key: "{{ vault_iot_access_key }}"
    devices:
      - ip_address: 10.20.0.1
        iccid: "891004234814455936F"

- name: Update a whole fleet from a CSV file, with the connection set once for the group
  module_defaults:
    group/fleetops.maintenance.iot:
      client_id: "{{ vault_iot_client_id }}"
      client_secret: "{{ vault_iot_client_secret }}"
      tsg_id: "1234567890"
  block:
    - name: Check the file and show the batches without sending anything
      fleetops.maintenance.iot_device_bulk:
        devices_file: /srv/fleet/cellular.csv
      check_mode: true
      register: plan

    - name: Check which devices the tenant knows, without sending an update
      fleetops.maintenance.iot_device_bulk:
        devices_file: /srv/fleet/cellular.csv
        reconcile: true
      check_mode: true
      register: preflight

    - name: Send it
      fleetops.maintenance.iot_device_bulk:
        devices_file: /srv/fleet/cellular.csv
        batch_size: 1000
        reconcile: true
      register: update

    - name: Name the devices the tenant does not know
      ansible.builtin.debug:
        msg: "Unknown to the tenant: {{ update.unmatched_devices | map(attribute='ip_address') | join(', ') }}"
      when: update.unmatched_devices | length > 0

    - name: Report devices the API did not match among those sent
      ansible.builtin.debug:
        msg: "{{ update.unmatched_device_count }} of {{ update.sent_device_count }} devices were not matched"
      when: update.unmatched_device_count | default(0, true) > 0
'''

RETURN = r'''
api_generation:
  description: The API the credentials are for, V(scm) (Strata Cloud Manager) or V(legacy).
  returned: always
  type: str
  sample: scm
device_count:
  description: The number of valid devices given (all of them, since an invalid one fails the task).
  returned: always
  type: int
  sample: 1200
batch_count:
  description:
    - The number of batches the devices make (sent, or that would be sent in check mode); with O(reconcile=true),
      the batches of the known devices.
  returned: always
  type: int
  sample: 3
batches:
  description:
    - One entry per batch sent (in check mode, per batch that would be sent). On failure, the batches that completed.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: The batch's number, from 1.
      type: int
      sample: 1
    sent:
      description: The number of devices in the batch.
      type: int
      sample: 500
    updated:
      description: The API's C(updatedDeviceNum) for the batch; null in check mode or when the API did not give it.
      type: int
      sample: 498
  sample: [{"index": 1, "sent": 500, "updated": 498}]
unmatched_devices:
  description:
    - With O(reconcile=true), the devices the tenant does not know (not sent), in the order given, each with its
      position (from 1, in O(devices) or in the file's devices) and the addresses it was given (null where not given).
  returned: when O(reconcile=true), unless a read failed
  type: list
  elements: dict
  contains:
    position:
      description: The device's number, from 1, in O(devices) or in the file.
      type: int
    ip_address:
      description: Its IPv4 address as given, or null.
      type: str
    ipv6_address:
      description: Its IPv6 address as given, or null.
      type: str
  sample: [{"position": 12, "ip_address": "10.20.9.9", "ipv6_address": null}]
reconciliation:
  description: With O(reconcile=true), how the known devices were found.
  returned: when O(reconcile=true) and there were devices to read about, unless a read failed
  type: dict
  contains:
    method:
      description: V(list) (every page of C(device/list)) or V(lookup) (C(device/ip) per address after the first page).
      type: str
    tenant_total:
      description: The tenant's device count, the C(total) of the first C(device/list) page.
      type: int
    list_pages:
      description: The C(device/list) pages read.
      type: int
    ip_lookups:
      description: The C(device/ip) calls made.
      type: int
    known:
      description: The devices of the request the tenant knows (those sent).
      type: int
    unknown:
      description: The devices of the request the tenant does not know (RV(unmatched_devices)).
      type: int
  sample: {"method": "lookup", "tenant_total": 2500, "list_pages": 1, "ip_lookups": 40, "known": 1030, "unknown": 10}
sent_device_count:
  description: The number of devices sent in completed batches (in check mode, the number that would be sent).
  returned: always
  type: int
  sample: 1200
updated_device_count:
  description:
    - The sum of the API's C(updatedDeviceNum) over the completed batches; null in check mode.
  returned: always
  type: int
  sample: 1195
unmatched_device_count:
  description:
    - Devices sent that the API did not update (sent minus updated). The API does not say which ones (with
      O(reconcile=true), the devices the tenant does not know are not sent; they are in RV(unmatched_devices)).
    - Null in check mode, or when it cannot be told (a batch answer without C(updatedDeviceNum), or more devices
      updated than sent).
  returned: always
  type: int
  sample: 5
failed_batch:
  description: The number (from 1) of the batch that failed.
  returned: failure in a batch
  type: int
  sample: 2
unprocessed:
  description:
    - The devices not applied (those of the batches refused and of every batch not sent), by position
      (from 1, in O(devices) or in the file's devices) and address.
  returned: failure in a batch
  type: list
  elements: dict
  sample: [{"position": 501, "address": "10.20.2.2"}]
outcome_unknown_items:
  description:
    - The devices (as sent to the API) of a failed batch that may have been applied (it failed after it was sent, or
      its answer could not be read). Sending them again is safe.
  returned: failure in a batch whose outcome is unknown
  type: list
  elements: dict
  sample: [{"ipAddress": "10.20.2.1", "imei": "356938035643809"}]
error:
  description: What the API said about the failed call.
  returned: failure of an API call
  type: dict
  sample: {method: PUT, path: /device/bulkUpdate, status: 403, vendor_code: 403,
           vendor_message: Forbidden access., request_id: null, outcome_unknown: false, kind: auth}
'''

import itertools

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import BatchFailure
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import at_least
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import generation
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_devices import UPDATE_SOURCES, device_source
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_inventory import Reconciliation
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_options import IOT
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule

ARGUMENT_SPEC = dict(
    devices=dict(type='list', elements='dict'),
    devices_file=dict(type='path'),
    update_source=dict(type='str', default='cellular', choices=list(UPDATE_SOURCES)),
    batch_size=dict(type='int', default=500),
    reconcile=dict(type='bool', default=False),
)
# Batches read from the source at a time, per batch in flight: only these devices are held in memory while sending.
WINDOW_BATCHES_PER_WORKER = 4


def totals(batches):
    """Counts over the batches: sent, the sum of updated, and unmatched where it can be told."""
    sent = sum(batch['sent'] for batch in batches)
    known = [batch['updated'] for batch in batches if batch['updated'] is not None]
    updated = sum(known)
    unmatched = sent - updated if len(known) == len(batches) and updated <= sent else None
    return dict(sent_device_count=sent, updated_device_count=updated, unmatched_device_count=unmatched)


def batch_count(devices, size):
    return (devices + size - 1) // size


def planned(devices, size):
    """The batches check mode reports: their sizes, nothing sent."""
    return [dict(index=index + 1, sent=min(size, devices - index * size), updated=None)
            for index in range(batch_count(devices, size))]


def preview(result, devices, size):
    """Check mode: the result of sending ``devices`` devices, with nothing sent."""
    return dict(result, changed=bool(devices), batches=planned(devices, size),
                **dict(totals(planned(devices, size)), updated_device_count=None, unmatched_device_count=None))


def address(item):
    return item.get('ipAddress') or item.get('ipv6Address')


def send(module, client, numbered_items, size, update_source, result):
    """Send (position, item) pairs batch by batch, a window of batches read from the stream at a time; return the
    batches' results. A failure ends the module with what the finished batches did and every device not known to
    be applied (those of the failed and unsent batches, the rest of the stream included): ``result`` is the partial
    result the module's client reports it with."""
    done = []
    window_size = size * WINDOW_BATCHES_PER_WORKER * module.concurrency

    def action(batch):
        return dict(sent=len(batch), updated=client.bulk_update([item for dummy, item in batch], update_source))

    while True:
        window = list(itertools.islice(numbered_items, window_size))
        if not window:
            return done
        try:
            outcomes = module.run_batches(window, size, action)
        except BatchFailure as failure:
            raise failure_in_window(failure, done, numbered_items, size, result)
        first = len(done)
        done.extend(dict(outcome, index=first + number) for number, outcome in enumerate(outcomes, 1))


def failure_in_window(failure, done, numbered_items, size, result):
    """A batch failure inside a window as the failure of the whole run (batches numbered over the run), with
    ``result`` holding what the run did. The devices of a batch that may have been applied are in
    outcome_unknown_items (as sent), not in unprocessed."""
    first = len(done)
    completed = done + [dict(outcome, index=first + number) for number, items, outcome in failure.completed_batches]
    rest = list(numbered_items)
    sent = [[item for dummy, item in batch] for batch in failure.batches]
    batches = [[None] * batch['sent'] for batch in done] + sent + [[None] * len(rest[start:start + size])
                                                                   for start in range(0, len(rest), size)]
    results = dict((batch['index'] - 1, batch) for batch in completed)
    errors = dict((first + index, error) for index, error in failure.errors.items())
    settled = set(failure.results) | set(index for index, error in failure.errors.items()
                                         if getattr(error, 'outcome_unknown', False))
    unprocessed = [dict(position=position, address=address(item))
                   for index, batch in enumerate(failure.batches) if index not in settled for position, item in batch]
    unprocessed.extend(dict(position=position, address=address(item)) for position, item in rest)
    result.update(changed=bool(completed), batches=completed, unprocessed=unprocessed, **totals(completed))
    return BatchFailure(batches, results, errors)


def reconcile(module, client, source, size, result):
    """Send only the devices the tenant knows (check mode: say which); ``result`` gets the reconciliation."""
    reconciliation = Reconciliation(client, [(item.get('ipAddress'), item.get('ipv6Address')) for item in source.items()])
    known = reconciliation.known
    result.update(unmatched_devices=reconciliation.unmatched(), reconciliation=reconciliation.to_dict(),
                  batch_count=batch_count(sum(known), size))
    if module.check_mode:
        return preview(result, sum(known), size)
    numbered = ((position, item) for position, item in enumerate(source.items(), 1) if known[position - 1])
    return update(module, client, numbered, size, result)


def update(module, client, numbered, size, result):
    done = send(module, client, numbered, size, module.params['update_source'], result)
    return dict(result, changed=bool(done), batches=done, **totals(done))


def main():
    module = FleetModule(IOT, ARGUMENT_SPEC, concurrency=True, mutually_exclusive=[('devices', 'devices_file')],
                         required_one_of=[('devices', 'devices_file')])
    params = module.params
    with module.inputs():
        size = at_least('batch_size', params['batch_size'], 1)
        source = device_source(params['devices'], params['devices_file'])
    result = dict(api_generation=generation(params), device_count=source.count, batch_count=batch_count(source.count, size))
    if not source.count:
        nothing = dict(unmatched_devices=[]) if params['reconcile'] else {}
        result = dict(result, changed=False, batches=[], **dict(totals([]), **nothing))
    elif params['reconcile']:
        with module.client(result) as client:
            result = reconcile(module, client, source, size, result)
    elif module.check_mode:
        result = preview(result, source.count, size)
    else:
        with module.client(result) as client:
            result = update(module, client, enumerate(source.items(), 1), size, result)
    module.end(result)


if __name__ == '__main__':
    main()
