# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shape docs/architecture.md describes, read from the source with ``ast``: a module goes through the runtime
(a few names from module_utils, and only main() ends it), and each layer of module_utils imports only the layers
under it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
MODULES = os.path.join(ROOT, 'plugins', 'modules')
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
PACKAGE = 'ansible_collections.fleetops.maintenance.plugins.module_utils'
MAX_NAMES = 8
ENDINGS = frozenset(['exit', 'fail', 'fail_with', 'end', 'exit_json', 'fail_json'])

# module_utils from the bottom up (docs/architecture.md); a file imports only from the layers under its own.
LAYERS = [
    ('shapes', ['common']),
    ('helpers', ['checks', 'polling', 'batching', 'rate_limiter', 'huawei_signer', 'journal', 'journaled']),
    ('HTTP client', ['http_client']),
    ('vendor clients', ['wfbss', 'wfbss_reports', 'koophone', 'iot', 'iot_devices', 'iot_inventory', 'altcraft']),
    ('vendor options', ['wfbss_options', 'koophone_options', 'iot_options', 'altcraft_options']),
    ('runtime', ['runtime']),
]
# Imports within a layer: the journal's wrapping over the journal file; a vendor's files among themselves.
SIDEWAYS = frozenset([('journaled', 'journal')])


def python_files(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith('.py') and name != '__init__.py')


def parse(folder, name):
    with open(os.path.join(folder, name)) as handle:
        return ast.parse(handle.read(), name)


def module_utils_imports(tree):
    """(file of module_utils, names imported from it) for each import of the collection's module_utils."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
            found.extend((alias.name, [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith(PACKAGE + '.'):
            found.append((node.module[len(PACKAGE) + 1:], [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name[len(PACKAGE) + 1:], [alias.name]) for alias in node.names
                         if alias.name.startswith(PACKAGE + '.'))
    return found


def imported_names(tree):
    return [name for dummy, names in module_utils_imports(tree) for name in names]


def ending_calls(tree):
    """(function, call) of every call that ends a module (module.exit, fail, fail_with, ...) outside main()."""
    found = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name != 'main':
            found.extend((function.name, node.func.attr) for node in ast.walk(function)
                         if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                         and node.func.attr in ENDINGS)
    return found


def layer_of(name):
    for index, (dummy, files) in enumerate(LAYERS):
        if name in files:
            return index
    return None


def upward_imports(name, tree):
    """The imports of module_utils/<name>.py that do not go to a layer under its own."""
    own = layer_of(name)
    wrong = []
    for target, dummy in module_utils_imports(tree):
        other = layer_of(target)
        same_vendor = own == other == 3 and name.split('_')[0] == target.split('_')[0]
        if other is None or not (other < own or same_vendor or (name, target) in SIDEWAYS):
            wrong.append(target)
    return wrong


@pytest.mark.parametrize('name', python_files(MODULES))
def test_a_module_imports_at_most_8_names_from_module_utils(name):
    names = imported_names(parse(MODULES, name))
    assert len(names) <= MAX_NAMES, '%s imports %d names from module_utils: %s' % (name, len(names), ', '.join(names))


@pytest.mark.parametrize('name', python_files(MODULES))
def test_only_main_ends_a_module(name):
    assert ending_calls(parse(MODULES, name)) == []


def test_every_module_utils_file_has_a_layer():
    assert [name for name in python_files(MODULE_UTILS) if layer_of(name[:-3]) is None] == []


@pytest.mark.parametrize('name', python_files(MODULE_UTILS))
def test_a_module_utils_file_imports_only_the_layers_under_it(name):
    assert upward_imports(name[:-3], parse(MODULE_UTILS, name)) == []


# The checks themselves, on sources that break each rule.

def test_the_checks_see_what_breaks_the_rules():
    many = ast.parse('from %s.koophone import (A, B, C, D, E)\nfrom %s import runtime\nimport %s.checks\n'
                     'from %s.batching import F, G, H\n' % ((PACKAGE,) * 4))
    assert imported_names(many) == ['A', 'B', 'C', 'D', 'E', 'runtime', PACKAGE + '.checks', 'F', 'G', 'H']
    ends = ast.parse('def preview(module):\n    module.exit(changed=False)\n\n'
                     'def main():\n    def inner():\n        module.fail_with(None)\n    module.end({})\n')
    assert ending_calls(ends) == [('preview', 'exit'), ('inner', 'fail_with')]
    upward = ast.parse('from %s.runtime import Vendor\nfrom %s.iot_options import IOT\n'
                       'from %s.common import FleetError\nfrom %s.koophone import MAX_BATCH\n' % ((PACKAGE,) * 4))
    assert upward_imports('wfbss_options', upward) == ['runtime', 'iot_options']
    assert upward_imports('wfbss', ast.parse('from %s.koophone import MAX_BATCH\n' % PACKAGE)) == ['koophone']
    assert upward_imports('iot_inventory', ast.parse('from %s.iot import MAX_PAGE_LENGTH\n' % PACKAGE)) == []
    assert upward_imports('checks', ast.parse('from %s.journal import JournalError\n' % PACKAGE)) == ['journal']
