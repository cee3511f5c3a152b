# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the collection's inventory plugins share.

A plugin lists one vendor's fleet members with the vendor client the modules use, and puts each in one group
with the host variables the fleet roles read. This base reads the source file, resolves and checks the connection
options as the module runtime does, keeps the listing in Ansible's inventory cache, names the hosts, applies
``compose`` / ``groups`` / ``keyed_groups``, and turns every failure into one AnsibleParserError that says what
went wrong and never holds a secret (the cache holds only what the vendor listed: ids, names, states).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import hashlib
import json
import os
import re
import unicodedata

import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.collections import is_string
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import HAS_REQUESTS, ApiError
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import CONNECTION_ARGUMENT_SPEC, check_connection

HOST_NAME_SLUG_LENGTH = 48
SHORT_ID_LENGTH = 8
RESERVED_HOST_NAMES = frozenset(['localhost'])  # Ansible's implicit localhost
SUFFIX_CHOICES = ('duplicates', 'always')


def slug(text):
    """Lower-case ASCII letters, digits and single hyphens (accents dropped): safe in host patterns and --limit."""
    ascii_text = unicodedata.normalize('NFKD', str(text or '')).encode('ascii', 'ignore').decode('ascii')
    return re.sub(r'[^a-z0-9]+', '-', ascii_text.lower()).strip('-')[:HOST_NAME_SLUG_LENGTH].strip('-')


def host_names(members, fallback, always_suffix=False, owner_of=None):
    """Host names for (id, label) pairs, unique and independent of the listing's order.

    A host is named by the slug of its label (``fallback`` when nothing is left of it). When that name is shared
    with another member, or already held by another host of the inventory (``owner_of(name)`` returns the id of
    the member that holds it, None when it is free), the slug gets a suffix from the id: its first 8 letters and
    digits, and the whole id only when those clash too. ``always_suffix`` gives every host the short suffix.
    """
    owner_of = owner_of or (lambda name: None)
    bases = collections.OrderedDict((member_id, slug(label) or fallback) for member_id, label in members)

    def name(member_id, level):
        if level == 0:
            return bases[member_id]
        id_slug = slug(member_id)
        return '%s-%s' % (bases[member_id], id_slug.replace('-', '')[:SHORT_ID_LENGTH] if level == 1 else id_slug)

    levels = dict((member_id, 1 if always_suffix else 0) for member_id in bases)
    while True:
        names = dict((member_id, name(member_id, levels[member_id])) for member_id in bases)
        holders = collections.Counter(names.values())
        clashing = [member_id for member_id, host in names.items()
                    if holders[host] > 1 or owner_of(host) not in (None, member_id)]
        if not clashing:
            return names
        if any(levels[member_id] == 2 for member_id in clashing):
            raise InvalidInput('no unique host name for %s: %s' % (
                ', '.join(sorted(clashing)), ', '.join(sorted(set(names[member_id] for member_id in clashing)))))
        for member_id in clashing:
            levels[member_id] += 1


def mapping_option(option, value):
    """A mapping given as such or as YAML / JSON text (from an environment variable); {} when not set.

    Its text may hold secrets: a failure names the option, never the text.
    """
    if value in (None, ''):
        return {}
    if is_string(value):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            # without the parser's error: it quotes the text
            raise InvalidInput('%s is neither YAML nor JSON' % option) from None
    if not isinstance(value, dict):
        raise InvalidInput('%s must be a mapping' % option)
    return value


class FleetInventory(BaseInventoryPlugin, Constructable, Cacheable):
    """The base of the collection's inventory plugins: one vendor listing -> one group of hosts.

    A plugin sets NAME, FILE_STEM (``wfbss``: its files are ``*.wfbss.yml`` or ``*.wfbss.yaml``), VENDOR (the
    runtime's Vendor: options, required options, checks and client), GROUP, ID_VARIABLE (the host variable holding
    the member's id), WHAT (words for messages) and FALLBACK_NAME, and implements:
    ``read_filters()`` (checked before anything is sent), ``listing_query(params)`` (what decides the vendor's
    answer: part of the cache key, never a secret), ``fetch(client, query)`` (the listing as plain data, which
    is cached), ``keep(item, filters)`` and ``member(item)`` -> (id, label, host variables).
    """

    NAME = None
    FILE_STEM = None
    VENDOR = None
    GROUP = None
    ID_VARIABLE = None
    WHAT = None
    FALLBACK_NAME = 'member'

    def verify_file(self, path):
        """Only files named ``<anything>.<FILE_STEM>.yml`` (or ``.yaml``, or just ``<FILE_STEM>.yml``)."""
        name = os.path.basename(path)
        endings = tuple('%s.%s' % (self.FILE_STEM, extension) for extension in ('yml', 'yaml'))
        return (super(FleetInventory, self).verify_file(path)
                and (name in endings or name.endswith(tuple('.' + ending for ending in endings))))

    def parse(self, inventory, loader, path, cache=True):
        super(FleetInventory, self).parse(inventory, loader, path, cache)
        config = self._read_source(path)
        try:
            unknown = sorted(set(config) - set(self.option_definitions))
            if unknown:
                raise InvalidInput('unknown option(s) %s (the options are in ansible-doc -t inventory %s)'
                                   % (', '.join(unknown), self.NAME))
            if not HAS_REQUESTS:
                raise InvalidInput('the requests Python library is required on the controller (pip install requests)')
            params = self.connection_params()
            check_connection(self.VENDOR, params, dict(CONNECTION_ARGUMENT_SPEC, **self.VENDOR.argument_spec))
            filters = self.read_filters()
            listing = self._listing(path, cache, params)
            members = [self.member(item) for item in listing if self.keep(item, filters)]
            names = host_names([(member_id, label) for member_id, label, hostvars in members], self.FALLBACK_NAME,
                               always_suffix=self.get_option('hostname_suffix') == 'always', owner_of=self._owner)
        except InvalidInput as exc:
            raise AnsibleParserError('%s: %s' % (path, exc))
        except ApiError as exc:
            raise AnsibleParserError('%s: the %s could not be listed: %s' % (path, self.WHAT, exc))
        self._add_hosts(members, names)

    # ------------------------------------------------------------------ the source
    def _read_source(self, path):
        """The source file's options (set on the plugin), with Ansible's own errors as parser errors."""
        try:
            return self._read_config_data(path)
        except AnsibleParserError:
            raise
        except AnsibleError as exc:  # a bad option type or choice; Ansible's message quotes the value
            option = re.match(r"Config '([^']+)'", exc.message)
            if option and option.group(1) in self.secret_options():
                raise AnsibleParserError('%s: option %s has a value of the wrong type (not shown: it is a secret)'
                                         % (path, option.group(1))) from None
            raise AnsibleParserError('%s: %s' % (path, exc.message))

    def secret_options(self):
        """The options whose values are never shown: those the modules mark no_log."""
        return [name for name, spec in self.VENDOR.argument_spec.items() if spec.get('no_log')]

    def connection_params(self):
        """The options the vendor client takes (shared connection options and the vendor's), as resolved:
        the source file, else the environment variable, else the default."""
        names = list(CONNECTION_ARGUMENT_SPEC) + list(self.VENDOR.argument_spec)
        return dict((name, self.get_option(name)) for name in names)

    # ------------------------------------------------------------------ the listing and its cache
    def _listing(self, path, cache, params):
        """The vendor's listing, from the inventory cache when it may be used and holds it, else from the API.

        The cache key is the source's and a digest of what decides the vendor's answer (no secret), so a source
        that now asks something else is not answered from the cache.
        """
        query = self.listing_query(params)
        digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode('utf-8')).hexdigest()[:12]
        key = '%s_%s' % (self.get_cache_key(path), digest)
        use_cache = self.get_option('cache')
        if use_cache and cache:
            try:
                return self._cache[key]
            except KeyError:
                pass
        with self.VENDOR.client(params) as client:
            listing = self.fetch(client, query)
        if use_cache:
            self._cache[key] = listing
        return listing

    # ------------------------------------------------------------------ hosts
    def _owner(self, name):
        """The member id of the host already called ``name`` (another source's), '' for a host that is no member."""
        if name in RESERVED_HOST_NAMES:
            return ''
        host = self.inventory.hosts.get(name)
        return None if host is None else host.get_vars().get(self.ID_VARIABLE, '')

    def _add_hosts(self, members, names):
        self.inventory.add_group(self.GROUP)
        strict = self.get_option('strict')
        for member_id, label, hostvars in members:
            host = names[member_id]
            self.inventory.add_host(host, group=self.GROUP)
            for variable, value in hostvars.items():
                self.inventory.set_variable(host, variable, value)
            variables = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host, strict=strict)
