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
    """Which devices of a request the tenant knows, and what finding out cost.

    ``addresses`` holds one (ipAddress, ipv6Address) pair per device of the request, as given (None where not
    given). The first ``device/list`` page tells the tenant's total; the rest is read by whichever costs fewer
    calls (a tie goes to the lookups): the remaining pages, or one ``device/ip`` call per distinct address the first
    page did not match.
    Either way, a device the listing does not match is looked up by its IPv6 address when it has one (the listing
    shows no IPv6 address), so both ways count that the same.

    ``known`` holds one bool per device; ``method`` is LIST or LOOKUP; ``list_pages`` and ``ip_lookups`` count the
    reads; ``tenant_total`` is the total the first page gave. ``force`` (LIST or LOOKUP) takes that way whatever it
    costs, for comparisons (benchmarks/iot_bench.py).
    """

    def __init__(self, client, addresses, page_size=MAX_PAGE_LENGTH, force=None):
        self.client = client
        self.addresses = addresses
        self.ip_lookups = 0
        self._looked_up = {}  # address key -> whether device/ip found a device
        pages = device_pages(client, page_size)
        self.tenant_total, first = next(pages)
        self.list_pages = 1
        listed = _listed_addresses(first)
        unresolved = [pair for pair in addresses if not _in(pair, listed)]
        remaining_pages = page_count(self.tenant_total, page_size) - 1 if len(first) == page_size else 0
        # a tie goes to the lookups: as many calls, smaller answers
        self.method = force or (LIST if remaining_pages + ipv6_only_cost(unresolved) < lookup_cost(unresolved) else LOOKUP)
        if self.method == LIST:
            for dummy, devices in pages:
                self.list_pages += 1
                listed.update(_listed_addresses(devices))
            self.known = [_in(pair, listed) or self._found(pair[1]) for pair in addresses]
        else:
            self.known = [_in(pair, listed) or self._found(pair[0]) or self._found(pair[1]) for pair in addresses]

    def _found(self, address):
        """Whether device/ip knows the address (each distinct address asked once)."""
        if not address:
            return False
        key = address_key(address)
        if key not in self._looked_up:
            self.ip_lookups += 1
            self._looked_up[key] = self.client.device_by_ip(address) is not None
        return self._looked_up[key]

    def unmatched(self):
        """The devices the tenant does not know, each with its position (from 1) and the addresses it was given."""
        return [dict(position=index + 1, ip_address=pair[0], ipv6_address=pair[1])
                for index, pair in enumerate(self.addresses) if not self.known[index]]

    def to_dict(self):
        known = sum(self.known)
        return dict(method=self.method, tenant_total=self.tenant_total, list_pages=self.list_pages,
                    ip_lookups=self.ip_lookups, known=known, unknown=len(self.known) - known)


def _listed_addresses(devices):
    return set(address_key(device['ip_address']) for device in devices if device.get('ip_address'))


def _in(pair, listed):
    return any(address_key(address) in listed for address in pair if address)


def lookup_cost(pairs):
    """The fewest device/ip calls that could settle these devices: one per distinct first address."""
    return len(set(address_key(pair[0] or pair[1]) for pair in pairs))


def ipv6_only_cost(pairs):
    """The device/ip calls the listing needs too: one per distinct address of the devices with only an IPv6 address."""
    return len(set(address_key(pair[1]) for pair in pairs if not pair[0]))
