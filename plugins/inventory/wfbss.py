# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: wfbss
short_description: Trend Micro WFBS-SVC customers of a partner account as an inventory
version_added: 0.2.0
author: fleetops maintainers (@fleetops)
description:
  - Lists every customer of one Trend Micro WFBS-SVC partner account with the Service Management API
    (C(GET /SMPI/<api_version>/service/wfbss/api/customers?page=N)), following the answer's C(paging)
    (C(total), C(limit)) page after page as the PowerShell client of the API does, and makes each customer a host of
    the group C(wfbss_customers).
  - Each host has the variables the C(fleetops.maintenance.wfbss_maintenance) role reads - C(wfbss_customer_id)
    (the customer's GUID), C(wfbss_customer_name) and C(wfbss_account) (O(account)) - so
    C(fleetops.maintenance.fleet_maintenance) runs on this inventory as on a static one.
  - "Host names: the customer's name in lower-case letters, digits and hyphens (accents dropped, anything else
    becomes a hyphen, at most 48 characters; C(customer) if nothing is left), for example C(Müller & Söhne GmbH)
    becomes C(muller-sohne-gmbh). A name that two customers share, or that a host of another source already
    has, gets a hyphen and the first 8 letters and digits of the customer's ID (C(acme-640fe47f)), and the whole
    ID if that is not enough. The rule does not depend on the listing's order. O(hostname_suffix=always) gives
    every host the suffix, so a name never changes when a second customer of that name appears."
  - "The source is a YAML file whose name ends in C(.wfbss.yml) or C(.wfbss.yaml), with
    C(plugin: fleetops.maintenance.wfbss). Use one file per partner account."
  - The connection options and their environment variables are those of the collection's WFBS-SVC modules.
  - Secrets are never put in the inventory, its cache or an error message; only the customers' IDs and names
    are cached.
options:
  plugin:
    description: Marks the file as a source of this plugin.
    required: true
    type: str
    choices: ['fleetops.maintenance.wfbss']
  account:
    description:
      - A label for the partner account this file lists, put in each customer's C(wfbss_account) host variable.
      - The C(wfbss_maintenance) role sends the customers of each account with that account's API key, looked up
        by this label in C(wfbss_maintenance_accounts) (by default the E(FLEETOPS_WFBSS_ACCOUNTS) environment
        variable), else taken from the single-account variables.
      - Give each source file its own label.
    type: str
    default: default
  accounts:
    description:
      - The API keys of several partner accounts, by account label - the same mapping the C(wfbss_maintenance)
        role reads - as a YAML or JSON mapping (or its text) of O(account) to C(access_token), C(secret_key) and
        optionally C(api_url) and C(api_version).
      - When it holds O(account), its settings are used for the options this file does not set, before their
        environment variables.
      - Set it with the environment variable (the C(fleetops WFBS-SVC partner accounts) AWX credential type
        injects it), not in the file.
    type: raw
    env:
      - name: FLEETOPS_WFBSS_ACCOUNTS
  name_contains:
    description:
      - Only customers whose name contains this text. The API filters (its C(q) parameter), so only those are
        listed.
    type: str
  customer_ids:
    description:
      - Only these customers (GUIDs, compared without regard to case). The API has no filter for a list of
        customers; the listing is cut here.
    type: list
    elements: str
  exclude_customer_ids:
    description:
      - Leave these customers (GUIDs) out.
    type: list
    elements: str
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - fleetops.maintenance.inventory
  - fleetops.maintenance.connection
  - fleetops.maintenance.connection.plugins
  - fleetops.maintenance.wfbss
  - fleetops.maintenance.wfbss.plugins
notes:
  - Trend documents C(paging) with C(total) and C(limit); the plugin reads the number of pages from every answer
    and stops at an empty page. A customer listed twice while the account changes during the listing is kept once.
seealso:
  - name: Public.TmWfbs.PowerShellModule (Get-TmWfbsCustomer)
    description: The PowerShell client of the WFBS-SVC API whose paging of C(GET customers) this plugin follows.
    link: https://github.com/wetling23/Public.TmWfbs.PowerShellModule
'''

EXAMPLES = r'''
# partner-north.wfbss.yml - every customer of the account whose API key AWX or the environment gives
# (WFBSS_ACCESS_TOKEN / WFBSS_SECRET_KEY, or its entry in FLEETOPS_WFBSS_ACCOUNTS).
plugin: fleetops.maintenance.wfbss
account: partner-north
keyed_groups:
  # wfbss_partner_north: --limit wfbss_partner_north runs the chores for this account only
  - key: wfbss_account
    prefix: wfbss
---
# Only the customers whose name contains "Clinic", but none of two that are handled by hand.
plugin: fleetops.maintenance.wfbss
account: partner-south
name_contains: Clinic
exclude_customer_ids:
  - 640FE47F-5118-4D79-8221-A35D0DE2EE2C
  - 549390C2-0BB4-4E58-A2E4-64F2C0AE86D0
---
# List once an hour at most (ansible-inventory --flush-cache lists again).
plugin: fleetops.maintenance.wfbss
account: partner-east
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/fleetops-inventory
cache_timeout: 3600
'''

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import environment_variables
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_options import GUID_RE, WFBSS, WFBSS_ARGUMENT_SPEC
from ansible_collections.fleetops.maintenance.plugins.plugin_utils.inventory import FleetInventory, mapping_option

# What an entry of the accounts mapping may set (the wfbss_maintenance role passes the same four).
ACCOUNT_SETTINGS = ('api_url', 'api_version', 'access_token', 'secret_key')


class InventoryModule(FleetInventory):

    NAME = 'fleetops.maintenance.wfbss'
    FILE_STEM = 'wfbss'
    VENDOR = WFBSS
    GROUP = 'wfbss_customers'
    ID_VARIABLE = 'wfbss_customer_id'
    WHAT = 'WFBS-SVC customers'
    FALLBACK_NAME = 'customer'

    def connection_params(self):
        """The file's options first, then the account's entry in ``accounts``, then environment variables and
        defaults (the role's order: its account entry before the modules' environment variables)."""
        params = super(InventoryModule, self).connection_params()
        entry = self._account_entry()
        for name in ACCOUNT_SETTINGS:
            origin = self.get_option_and_origin(name)[1]
            if origin != 'Direct' and entry.get(name) not in (None, ''):
                params[name] = str(entry[name])
        missing = [name for name in ('access_token', 'secret_key') if not params[name]]
        if missing:
            raise InvalidInput('no %s: set %s in the source file, in the entry for account %r of accounts '
                               '(FLEETOPS_WFBSS_ACCOUNTS), or in %s' % (
                                   ' and '.join(missing), 'it' if len(missing) == 1 else 'them', self.get_option('account'),
                                   ' and '.join(environment_variables(WFBSS_ARGUMENT_SPEC, name)[0] for name in missing)))
        return params

    def secret_options(self):
        return super(InventoryModule, self).secret_options() + ['accounts']

    def _account_entry(self):
        accounts = mapping_option('accounts (FLEETOPS_WFBSS_ACCOUNTS)', self.get_option('accounts'))
        entry = accounts.get(self.get_option('account'))
        if entry is None:
            return {}
        if not isinstance(entry, dict):
            raise InvalidInput('the entry for account %r of accounts (FLEETOPS_WFBSS_ACCOUNTS) must be a mapping of %s'
                               % (self.get_option('account'), ', '.join(ACCOUNT_SETTINGS)))
        unknown = sorted(str(name) for name in entry if name not in ACCOUNT_SETTINGS)
        if unknown:
            raise InvalidInput('the entry for account %r of accounts (FLEETOPS_WFBSS_ACCOUNTS) has unknown key(s) %s; '
                               'it takes %s' % (self.get_option('account'), ', '.join(unknown), ', '.join(ACCOUNT_SETTINGS)))
        return entry

    def read_filters(self):
        return dict(include=self._ids('customer_ids'), exclude=self._ids('exclude_customer_ids') or set())

    def _ids(self, option):
        """The GUIDs of a filter option, upper-cased (the API answers in upper case), or None when not given."""
        values = self.get_option(option)
        if values is None:
            return None
        for position, value in enumerate(values, 1):
            if not isinstance(value, str) or not GUID_RE.match(value.strip()):
                raise InvalidInput('%s item %d is not a customer ID (a GUID such as 640FE47F-5118-4D79-8221-A35D0DE2EE2C): %r'
                                   % (option, position, value))
        return set(value.strip().upper() for value in values)

    def listing_query(self, params):
        return dict(api_url=params['api_url'], api_version=params['api_version'], account=self.get_option('account'),
                    name_contains=self.get_option('name_contains'))

    def fetch(self, client, query):
        return [dict(id=str(item['id']), name=item.get('name'))
                for item in client.list_customers(name=query['name_contains'] or None)]

    def keep(self, item, filters):
        cid = item['id'].upper()
        return (filters['include'] is None or cid in filters['include']) and cid not in filters['exclude']

    def member(self, item):
        hostvars = dict(wfbss_customer_id=item['id'], wfbss_account=self.get_option('account'))
        if item.get('name'):
            hostvars['wfbss_customer_name'] = str(item['name'])
        return item['id'], item.get('name'), hostvars
