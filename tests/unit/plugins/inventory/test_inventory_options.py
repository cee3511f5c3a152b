# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory plugins' connection options are the modules' options: the same names, types, defaults and
environment variables, in the same order of preference (the documentation fragments' PLUGINS sections add the
variables over the modules' text)."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible.plugins.loader import inventory_loader

from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone_options import KOOPHONE_ARGUMENT_SPEC
from ansible_collections.fleetops.maintenance.plugins.module_utils.runtime import CONNECTION_ARGUMENT_SPEC, environment_variables
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss_options import WFBSS_ARGUMENT_SPEC

PLUGINS = [('wfbss', WFBSS_ARGUMENT_SPEC), ('koophone', KOOPHONE_ARGUMENT_SPEC)]


@pytest.mark.parametrize('plugin, vendor_spec', PLUGINS, ids=[name for name, spec in PLUGINS])
def test_connection_options_match_the_modules(plugin, vendor_spec):
    definitions = inventory_loader.get('fleetops.maintenance.' + plugin).option_definitions
    spec = dict(CONNECTION_ARGUMENT_SPEC, **vendor_spec)
    for name, option in spec.items():
        documented = definitions[name]
        assert documented.get('type') == option['type'], name
        assert documented.get('default') == option.get('default'), name
        # Ansible's configuration takes the last variable set, a module's env_fallback the first
        assert [entry['name'] for entry in reversed(documented.get('env', []))] == environment_variables(spec, name), name


@pytest.mark.parametrize('plugin', ['wfbss', 'koophone'])
def test_the_plugins_take_the_inventory_options(plugin):
    definitions = inventory_loader.get('fleetops.maintenance.' + plugin).option_definitions
    for name in ('plugin', 'compose', 'groups', 'keyed_groups', 'strict', 'cache', 'cache_plugin', 'cache_timeout',
                 'cache_connection', 'hostname_suffix'):
        assert name in definitions, name
    assert definitions['plugin']['choices'] == ['fleetops.maintenance.' + plugin]


# The AWX credential types an inventory source of each plugin can use (extensions/awx/credential_types/).
CREDENTIAL_TYPES = [('wfbss', 'wfbss.yml'), ('wfbss', 'wfbss_accounts.yml'), ('koophone', 'koophone.yml'),
                    ('koophone', 'koophone_iam.yml'), ('koophone', 'koophone_aksk.yml')]


@pytest.mark.parametrize('plugin, file_name', CREDENTIAL_TYPES)
def test_the_awx_credential_types_inject_what_the_plugins_read(plugin, file_name):
    """An AWX inventory source gets its credentials only from the environment the credential type injects."""
    collection = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
    with open(os.path.join(collection, 'extensions', 'awx', 'credential_types', file_name), encoding='utf-8') as handle:
        injected = yaml.safe_load(handle)['injectors']['env']
    definitions = inventory_loader.get('fleetops.maintenance.' + plugin).option_definitions
    read = set(entry['name'] for option in definitions.values() for entry in option.get('env', []))
    assert injected and set(injected) <= read, sorted(set(injected) - read)


@pytest.mark.parametrize('file_name, plugin', [('partner-north.wfbss.yml', 'wfbss'), ('phones.koophone.yml', 'koophone')])
def test_the_example_sources_are_sources_of_their_plugin(file_name, plugin):
    collection = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
    path = os.path.join(collection, 'extensions', 'inventory', file_name)
    loaded = inventory_loader.get('fleetops.maintenance.' + plugin)
    assert loaded.verify_file(path)
    with open(path, encoding='utf-8') as handle:
        source = yaml.safe_load(handle)
    assert source['plugin'] == 'fleetops.maintenance.' + plugin
    assert set(source) <= set(loaded.option_definitions)
