#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: iot_device_info
short_description: List the devices of a Palo Alto Networks IoT Security tenant, or look devices up by address
version_added: 0.3.0
author: fleetops maintainers (@fleetops)
description:
  - Without O(ip_addresses), lists the tenant's device inventory with C(GET device/list), page after page of
    O(page_size) devices, each page read once, until the pages hold the C(total) the API reports.
  - With O(ip_addresses), asks for each address with C(GET device/ip) instead, and names the addresses no device has.
  - Speaks both generations of the API, like M(fleetops.maintenance.iot_device_bulk), Strata Cloud Manager
    (C(/iot/pub/v1), one OAuth2 token for the whole task) and the legacy API key (C(<tenant URL>/pub/v4.0)).
  - The vendor allows 60 of these reads a minute; they are paced under O(reads_per_minute). A tenant of
    500,000 devices is 500 pages, about 8.5 minutes; 40 addresses looked up one by one take about 40 seconds once the
    first burst of 59 reads is spent.
options:
  ip_addresses:
    description:
      - IP addresses (IPv4 or IPv6, any notation) to look up one by one with C(device/ip) instead of listing the
        whole inventory. Repeats (the same address in any notation) are asked once.
      - Cheaper than listing when there are fewer addresses than the inventory has pages.
    type: list
    elements: str
  page_size:
    description:
      - Devices per C(device/list) page (the C(pagelength) parameter), 1 to 1,000. The vendor's maximum, and its
        default, is 1,000.
    type: int
    default: 1000
  stime:
    description:
      - Only devices last active at or after this time (the C(stime) parameter of C(device/list), an ISO 8601
        date-time such as V(2026-11-01T00:00:00Z)). Not used with O(ip_addresses).
    type: str
  detail:
    description:
      - Ask C(device/list) for more device attributes (its C(detail) parameter). Not used with O(ip_addresses).
    type: bool
    default: false
  traffic_restricted:
    description:
      - Only devices whose traffic is restricted (V(yes)) or not (V(no)), with the C(trafficRestricted) parameter
        of C(device/list). Not used with O(ip_addresses).
    type: str
    choices: ['yes', 'no']
extends_documentation_fragment:
  - fleetops.maintenance.connection
  - fleetops.maintenance.iot
  - fleetops.maintenance.attributes
  - fleetops.maintenance.attributes.read_only
attributes:
  action_group:
    membership:
      - fleetops.maintenance.iot
notes:
  - The devices are returned with the API's own field names and values, as given (for example C(deviceid),
    C(ip_address), C(mac_address), C(last_activity)); the API shows only some fields (C(DeviceDetails) in the spec).
  - Offset paging over an inventory that changes while it is read may show a device twice or miss one; the vendor
    documents no snapshot or cursor.
  - The spec documents no answer of C(device/ip) for an address no device has. An answer that names no device (no
    C(deviceid)) is taken as no device; any error answer fails the task.
  - O(requests_per_minute) is not used; only O(reads_per_minute) paces this module.
seealso:
  - module: fleetops.maintenance.iot_device_bulk
  - name: The IoT Security OpenAPI spec, device/list
    description: C(GET device/list), its parameters (C(offset), C(pagelength), C(stime), ...) and answer.
    link: https://github.com/PaloAltoNetworks/pan.dev/blob/master/openapi-specs/iot/api/public/deviceList.yaml
  - name: The IoT Security OpenAPI spec, device/ip
    description: C(GET device/ip) and its C(ip) parameter.
    link: https://github.com/PaloAltoNetworks/pan.dev/blob/master/openapi-specs/iot/api/public/deviceDetailPerIP.yaml
'''

EXAMPLES = r'''
- name: List every device of a Strata Cloud Manager tenant
  fleetops.maintenance.iot_device_info:
    client_id: "{{ vault_iot_client_id }}"
    client_secret: "{{ vault_iot_client_secret }}"
    tsg_id: "1234567890"
  register: inventory

- name: Devices active in the last week, with more attributes
  fleetops.maintenance.iot_device_info:
    client_id: "{{ vault_iot_client_id }}"
    client_secret: "{{ vault_iot_client_secret }}"
    tsg_id: "1234567890"
    stime: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 7 * 86400) }}"
    detail: true
  register: recent

- name: Which of these addresses does a legacy tenant know?
  fleetops.maintenance.iot_device_info:
    api_url: https://example.iot.paloaltonetworks.com
    customer_id: example
    key_id: "{{ vault_iot_key_id }}"
    access_key: "{{ vault_iot_access_key }}"
    ip_addresses: [10.20.0.1, 10.20.0.2, "fd00:20::4"]
  register: found

- name: Name the unknown ones
  ansible.builtin.debug:
    msg: "Not in the tenant: {{ found.not_found | join(', ') }}"
  when: found.not_found | length > 0
'''

RETURN = r'''
api_generation:
  description: The API the credentials are for, V(scm) (Strata Cloud Manager) or V(legacy).
  returned: always
  type: str
  sample: scm
devices:
  description:
    - The devices, each as the API gave it. Listing, in the API's order; with O(ip_addresses), one per address
      found, in the order of O(ip_addresses).
  returned: always
  type: list
  elements: dict
  sample: [{"deviceid": "34:02:86:44:65:36", "hostname": "InfusionPump-20", "ip_address": "192.168.10.121",
            "mac_address": "34:02:86:44:65:36", "last_activity": "2018-05-31T18:39:37.404Z"}]
total:
  description:
    - Listing, the C(total) the API reported on the last page read (the devices matching the filters).
    - With O(ip_addresses), the number of devices found.
  returned: always
  type: int
  sample: 2500
not_found:
  description: The addresses of O(ip_addresses) no device has, as given. Empty when listing.
  returned: always
  type: list
  elements: str
  sample: ["10.99.0.1"]
calls:
  description: The reads made (C(device/list) pages or C(device/ip) lookups).
  returned: always
  type: int
  sample: 3
error:
  description: What the API said about the failed call.
  returned: failure of an API call
  type: dict
  sample: {method: GET, path: /device/list, status: 403, vendor_code: 403,
           vendor_message: Forbidden access., request_id: null, outcome_unknown: false, kind: auth}
'''

import ipaddress
import re

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput, at_least
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import MAX_PAGE_LENGTH, generation
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_inventory import address_key, device_pages
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot_options import IOT
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import FleetModule

# An ISO 8601 date-time (the spec's format: date-time), the time and the zone optional.
DATE_TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$')

ARGUMENT_SPEC = dict(
    ip_addresses=dict(type='list', elements='str'),
    page_size=dict(type='int', default=MAX_PAGE_LENGTH),
    stime=dict(type='str'),
    detail=dict(type='bool', default=False),
    traffic_restricted=dict(type='str', choices=['yes', 'no']),
)


def list_filters(params):
    """The query parameters of deviceList.yaml the options set."""
    filters = {}
    if params['stime'] is not None:
        if not DATE_TIME_RE.match(params['stime'].strip()):
            raise InvalidInput('stime must be an ISO 8601 date-time such as 2026-11-01T00:00:00Z, got %r' % params['stime'])
        filters['stime'] = params['stime'].strip()
    if params['detail']:
        filters['detail'] = 'true'
    if params['traffic_restricted'] is not None:
        filters['trafficRestricted'] = params['traffic_restricted']
    return filters


def unique_addresses(addresses):
    """The addresses as given, each address value once, in order; a blank one is refused."""
    unique, seen = [], set()
    for position, address in enumerate(addresses, 1):
        if not address or not address.strip():
            raise InvalidInput('ip_addresses item %d is empty' % position)
        try:
            ipaddress.ip_address(address.strip())
        except ValueError:
            raise InvalidInput('ip_addresses item %d: %r is not an IPv4 or IPv6 address' % (position, address))
        key = address_key(address)
        if key not in seen:
            seen.add(key)
            unique.append(address.strip())
    return unique


def list_devices(client, page_size, filters):
    devices, total, calls = [], 0, 0
    for total, page in device_pages(client, page_size, filters):
        calls += 1
        devices.extend(page)
    return dict(devices=devices, total=total, not_found=[], calls=calls)


def look_up(client, addresses):
    devices, not_found = [], []
    for address in addresses:
        device = client.device_by_ip(address)
        if device is None:
            not_found.append(address)
        else:
            devices.append(device)
    return dict(devices=devices, total=len(devices), not_found=not_found, calls=len(addresses))


def main():
    module = FleetModule(IOT, ARGUMENT_SPEC)
    params = module.params
    with module.inputs():
        page_size = at_least('page_size', params['page_size'], 1)
        if page_size > MAX_PAGE_LENGTH:
            raise InvalidInput('page_size must be at most %d (the API\'s maximum page length), got %d'
                               % (MAX_PAGE_LENGTH, page_size))
        filters = list_filters(params)
        addresses = None if params['ip_addresses'] is None else unique_addresses(params['ip_addresses'])
        if addresses is not None and filters:
            raise InvalidInput('stime, detail and traffic_restricted filter the listing; they cannot be used with '
                               'ip_addresses')
    result = dict(api_generation=generation(params), changed=False)
    with module.client(result) as client:
        result.update(look_up(client, addresses) if addresses is not None else list_devices(client, page_size, filters))
    module.exit(**result)


if __name__ == '__main__':
    main()
