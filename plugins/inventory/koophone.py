# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: koophone
short_description: Huawei Cloud KooPhone cloud phone instances as an inventory
version_added: 0.2.0
author: fleetops maintainers (@fleetops)
description:
  - Lists the cloud phone instances of a Huawei Cloud KooPhone tenant with C(GET /v1/instances/batch-query), page
    after page (C(page_no), C(page_size), until C(total_count)), and makes each instance a host of the group
    C(koophone_instances).
  - Each host has the variable the C(fleetops.maintenance.koophone_fleet_reset) role reads, C(koophone_instance_id),
    so C(fleetops.maintenance.fleet_maintenance) runs on this inventory as on a static one, and the instance's
    state - C(koophone_instance_name), C(koophone_running_status) (the number) and C(koophone_running_status_name)
    (C(0) unknown, C(1) stopped, C(2) running, C(3) offline, C(4) starting, C(5) shut down), C(koophone_frozen)
    (true or false), C(koophone_region) and C(koophone_instance_sku) - for O(groups), O(keyed_groups) and O(compose).
  - "Host names: the instance's name in lower-case letters, digits and hyphens (anything else becomes a hyphen, at
    most 48 characters; C(phone) if nothing is left), for example C(Shop 01/Front) becomes C(shop-01-front). A name
    that two instances share, or that a host of another source already has, gets a hyphen and the first 8 letters
    and digits of the instance ID, and the whole ID if that is not enough. The rule does not depend on the listing's
    order. O(hostname_suffix=always) gives every host the suffix."
  - "The source is a YAML file whose name ends in C(.koophone.yml) or C(.koophone.yaml), with
    C(plugin: fleetops.maintenance.koophone)."
  - The connection options, their environment variables and the rule of exactly one kind of credentials are those
    of the collection's KooPhone modules.
  - Secrets (the token, the password, the secret key and the IAM token obtained) are never put in the inventory,
    its cache or an error message; only the instances' IDs, names and states are cached.
options:
  plugin:
    description: Marks the file as a source of this plugin.
    required: true
    type: str
    choices: ['fleetops.maintenance.koophone']
  instance_name:
    description:
      - Only instances whose name matches this; the vendor filters (the C(instance_name) parameter of
        C(batch-query)), so only those are listed.
    type: str
  instance_ids:
    description:
      - Only these instances. The listing is cut here (C(batch-query) filters by one ID only).
    type: list
    elements: str
  frozen:
    description:
      - V(false) leaves frozen instances out (a frozen instance cannot be reset), V(true) keeps only them.
        Not set, both are kept. The listing is cut here.
    type: bool
  running_status:
    description:
      - Only instances in one of these running states, by number or name (V(running), V(stopped), ...; see the
        description). The listing is cut here.
    type: list
    elements: raw
  page_size:
    description:
      - Instances asked for per C(batch-query) page, from 1 to 100.
      - The vendor documents no maximum; the plugin asks for at most 100, the module's default page size.
    type: int
    default: 100
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - fleetops.maintenance.inventory
  - fleetops.maintenance.connection
  - fleetops.maintenance.connection.plugins
  - fleetops.maintenance.koophone
  - fleetops.maintenance.koophone.plugins
notes:
  - C(batch-query) answers its error code inside C(data); any code other than C(0) fails the source with the code
    and its meaning.
'''

EXAMPLES = r'''
# phones.koophone.yml - every instance, with the credentials AWX or the environment gives
# (KOOPHONE_ACCESS_KEY / KOOPHONE_SECRET_KEY / KOOPHONE_PROJECT_ID, or KOOPHONE_AUTH_TOKEN, or the IAM login).
plugin: fleetops.maintenance.koophone
keyed_groups:
  # koophone_region_cn_south_1, ...
  - key: koophone_region
    prefix: koophone_region
groups:
  koophone_frozen_instances: koophone_frozen
---
# Only the running shop phones that are not frozen.
plugin: fleetops.maintenance.koophone
instance_name: shop
frozen: false
running_status: [running]
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import (
    AKSK,
    IAM_LOGIN,
    RUNNING_STATUS_ENUM,
    STATUS_ENUMS,
    credential_kinds,
    status_name,
)
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone_options import KOOPHONE, unique_instance_ids
from ansible_collections.fleetops.maintenance.plugins.plugin_utils.inventory import FleetInventory

MAX_PAGE_SIZE = 100
# The fields of a batch-query item kept (SDK InstanceBatchQueryRspDataResult); nothing else is cached.
LISTED_FIELDS = ('instance_id', 'instance_name', 'running_status', 'frozen_status', 'region', 'instance_sku')


class InventoryModule(FleetInventory):

    NAME = 'fleetops.maintenance.koophone'
    FILE_STEM = 'koophone'
    VENDOR = KOOPHONE
    GROUP = 'koophone_instances'
    ID_VARIABLE = 'koophone_instance_id'
    WHAT = 'KooPhone instances'
    FALLBACK_NAME = 'phone'

    def read_filters(self):
        page_size = self.get_option('page_size')
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput('page_size must be from 1 to %d, got %s' % (MAX_PAGE_SIZE, page_size))
        ids = self.get_option('instance_ids')
        return dict(ids=None if ids is None else set(unique_instance_ids(ids)), frozen=self.get_option('frozen'),
                    running=running_statuses(self.get_option('running_status')))

    def listing_query(self, params):
        kind = credential_kinds(params)[0]
        tenant = {AKSK: params['project_id'], IAM_LOGIN: '%s/%s' % (params['domain_name'], params['project_name'])}
        return dict(api_url=params['api_url'], credentials=kind, tenant=tenant.get(kind),
                    instance_name=self.get_option('instance_name'), page_size=self.get_option('page_size'))

    def fetch(self, client, query):
        filters = dict(instance_name=query['instance_name']) if query['instance_name'] else None
        instances, total = client.list_instances(query['page_size'], filters)
        return [dict((field, item.get(field)) for field in LISTED_FIELDS)
                for item in instances if isinstance(item, dict) and item.get('instance_id')]

    def keep(self, item, filters):
        return ((filters['ids'] is None or item['instance_id'] in filters['ids'])
                and (filters['frozen'] is None or (item['frozen_status'] == 1) == filters['frozen'])
                and (filters['running'] is None or item['running_status'] in filters['running']))

    def member(self, item):
        hostvars = dict(
            koophone_instance_id=item['instance_id'],
            koophone_instance_name=item['instance_name'],
            koophone_running_status=item['running_status'],
            koophone_running_status_name=(None if item['running_status'] is None
                                          else status_name(item['running_status'], RUNNING_STATUS_ENUM)),
            koophone_frozen=item['frozen_status'] == 1,
            koophone_region=item['region'],
            koophone_instance_sku=item['instance_sku'],
        )
        return item['instance_id'], item['instance_name'], dict((key, value) for key, value in hostvars.items()
                                                                if value is not None)


def running_statuses(values):
    """The running_status option as a set of status numbers (from numbers or names of batch-query's list)."""
    if values is None:
        return None
    names = dict((name, number) for number, name in STATUS_ENUMS[RUNNING_STATUS_ENUM].items())
    statuses = set()
    for position, value in enumerate(values, 1):
        text = str(value).strip().lower()
        if text.lstrip('-').isdigit():
            statuses.add(int(text))
        elif text in names:
            statuses.add(names[text])
        else:
            raise InvalidInput('running_status item %d is neither a status number nor one of %s: %r'
                               % (position, ', '.join(sorted(names)), value))
    return statuses
