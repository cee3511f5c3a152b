# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What an IoT Security tenant knows of its devices: its inventory page by page (``device/list``), one address at a
time (``device/ip``), and which devices of a bulk update request it knows, by the cheaper of the two.

Addresses are compared as address values (any notation of one IPv6 address is the same address): the vendor does
not document how it compares them. ``device/list`` items carry ``ip_address`` but no IPv6 field
(DeviceDetails in ``components/schemas.yaml``), so a device the listing does not match by its address is looked up
by its IPv6 address, when it has one, with ``device/ip`` (whose ``ip`` parameter the spec does not restrict to IPv4).
Nothing here knows about Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import MAX_PAGE_LENGTH

LIST, LOOKUP = 'list', 'lookup'


def address_key(text):
    """An address as a comparable value; text that is not an address compares as itself (lower case)."""
    text = str(text).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text.lower()


def device_pages(client, page_size=MAX_PAGE_LENGTH, filters=None):
    """(total, devices) of each ``device/list`` page in turn, each page read once, until the pages hold the total
    the latest page gave (or a page comes back short or empty)."""
    offset = 0
    while True:
        total, devices = client.device_list(offset, page_size, filters)
        yield total, devices
        offset += len(devices)
        if not devices or len(devices) < page_size or offset >= total:
            return


def page_count(total, page_size):
    return (total + page_size - 1) // page_size


class Reconciliation(object):
    """Which devices of a request (API devicelist items) the tenant knows, and what finding out cost.

    ``known`` holds one bool per item; ``method`` is LIST or LOOKUP; ``list_pages`` and ``ip_lookups`` count the
    reads; ``tenant_total`` is the tenant's device count from the first page.
    """

    def __init__(self, client, items, page_size=MAX_PAGE_LENGTH):
        self.client = client
        self.items = items
        self.list_pages = 0
        self.ip_lookups = 0
        self._looked_up = {}  # address key -> whether device/ip found a device
        pages = device_pages(client, page_size)
        self.tenant_total, first = next(pages)
        self.list_pages = 1
        listed = set(address_key(device['ip_address']) for device in first if device.get('ip_address'))
        unresolved = [item for item in items if not self._listed(item, listed)]
        remaining_pages = page_count(self.tenant_total, page_size) - 1 if len(first) == page_size else 0
        self.method = LIST if remaining_pages <= self.lookup_cost(unresolved) - self.ipv6_only_cost(unresolved) else LOOKUP
        if self.method == LIST:
            for dummy, devices in pages:
                self.list_pages += 1
                listed.update(address_key(device['ip_address']) for device in devices if device.get('ip_address'))
            self.known = [self._listed(item, listed) or self._found(item.get('ipv6Address')) for item in items]
        else:
            self.known = [self._listed(item, listed) or self._found(item.get('ipAddress')) or
                          self._found(item.get('ipv6Address')) for item in items]

    @staticmethod
    def _listed(item, listed):
        return any(address_key(item[key]) in listed for key in ('ipAddress', 'ipv6Address') if item.get(key))

    @staticmethod
    def lookup_cost(items):
        """The fewest device/ip calls that could settle these devices: one per distinct first address."""
        return len(set(address_key(item.get('ipAddress') or item.get('ipv6Address')) for item in items))

    @staticmethod
    def ipv6_only_cost(items):
        """The device/ip calls the listing needs as well: devices it cannot match (those with only an IPv6 address)."""
        return len(set(address_key(item['ipv6Address']) for item in items if not item.get('ipAddress')))

    def _found(self, address):
        """Whether device/ip knows the address (each distinct address asked once)."""
        if not address:
            return False
        key = address_key(address)
        if key not in self._looked_up:
            self.ip_lookups += 1
            self._looked_up[key] = self.client.device_by_ip(address) is not None
        return self._looked_up[key]

    def unmatched(self, positions=None):
        """The devices the tenant does not know, each with its position (from 1) and the addresses it was given."""
        return [dict(position=positions[index] if positions else index + 1, ip_address=item.get('ipAddress'),
                     ipv6_address=item.get('ipv6Address'))
                for index, item in enumerate(self.items) if not self.known[index]]

    def to_dict(self):
        return dict(method=self.method, tenant_total=self.tenant_total, list_pages=self.list_pages,
                    ip_lookups=self.ip_lookups, known=sum(self.known), unknown=len(self.known) - sum(self.known))
