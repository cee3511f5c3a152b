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
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.concurrency
  - fleetops.maintenance.iot
  - fleetops.maintenance.attributes
attributes:
  check_mode:
    support: full
    details: Validates every device and reports the batches that would be sent; sends nothing.
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
  - The API returns only the number of devices it updated (C(updatedDeviceNum)), not which ones. The devices it did not
    match are therefore reported as a count (sent minus updated), not by address.
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

    - name: Send it
      fleetops.maintenance.iot_device_bulk:
        devices_file: /srv/fleet/cellular.csv
        batch_size: 1000
      register: update

    - name: Report devices the API did not match
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
  description: The number of batches the devices make (sent, or that would be sent in check mode).
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
    - Devices sent that the API did not update (sent minus updated). The API does not say which ones.
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

from ansible_collections.fleetops.maintenance.plugins.module_utils.batching import chunks
from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import at_least
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import generation
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_devices import UPDATE_SOURCES, devices_to_api, load_devices_file
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_options import IOT
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import CONCURRENCY_ARGUMENT_SPEC, FleetModule

ARGUMENT_SPEC = dict(
    CONCURRENCY_ARGUMENT_SPEC,
    devices=dict(type='list', elements='dict'),
    devices_file=dict(type='path'),
    update_source=dict(type='str', default='cellular', choices=list(UPDATE_SOURCES)),
    batch_size=dict(type='int', default=500),
)


def totals(batches):
    """Counts over the batches: sent, the sum of updated, and unmatched where it can be told."""
    sent = sum(batch['sent'] for batch in batches)
    known = [batch['updated'] for batch in batches if batch['updated'] is not None]
    updated = sum(known)
    unmatched = sent - updated if len(known) == len(batches) and updated <= sent else None
    return dict(sent_device_count=sent, updated_device_count=updated, unmatched_device_count=unmatched)


def numbered(batches):
    return [dict(batch, index=index) for index, batch in enumerate(batches, 1)]


def partial(devices, size, result):
    """What a failed run returns: the batches that were applied, and the devices not applied, by position (those of a
    batch whose outcome is unknown are in outcome_unknown_items instead)."""
    def report(failure):
        done = [dict(batch, index=number) for number, items, batch in failure.completed_batches]
        applied = set(number - 1 for number, items, batch in failure.completed_batches)
        unknown = set(index for index, error in failure.errors.items() if getattr(error, 'outcome_unknown', False))
        unprocessed = [dict(position=position + 1, address=device.get('ipAddress') or device.get('ipv6Address'))
                       for position, device in enumerate(devices) if position // size not in applied | unknown]
        return dict(result, changed=bool(done), batches=done, unprocessed=unprocessed, **totals(done))
    return report


def main():
    module = FleetModule(IOT, ARGUMENT_SPEC, mutually_exclusive=[('devices', 'devices_file')],
                         required_one_of=[('devices', 'devices_file')])
    params = module.params
    with module.inputs():
        size = at_least('batch_size', params['batch_size'], 1)
        devices = (load_devices_file(params['devices_file']) if params['devices_file'] is not None
                   else devices_to_api(params['devices']))
    result = dict(api_generation=generation(params), device_count=len(devices), batch_count=(len(devices) + size - 1) // size)
    if not devices:
        module.exit(changed=False, batches=[], **dict(result, **totals([])))
    if module.check_mode:
        planned = [dict(index=index, sent=len(batch), updated=None) for index, batch in enumerate(chunks(devices, size), 1)]
        module.exit(changed=True, batches=planned,
                    **dict(result, **dict(totals(planned), updated_device_count=None, unmatched_device_count=None)))
    with module.client() as client:
        batches = module.batches(devices, size, lambda batch: dict(sent=len(batch), updated=client.bulk_update(
            batch, params['update_source'])), partial=partial(devices, size, result))
    done = numbered(batches)
    module.exit(changed=True, batches=done, **dict(result, **totals(done)))


if __name__ == '__main__':
    main()
