# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles hand their tuning variables to every module task that takes the option, and document them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest
import yaml

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
ROLES = os.path.join(COLLECTION, 'roles')
PREFIX = 'fleetops.maintenance.'


def takes_concurrency(name):
    """Whether the module documents the concurrency option (its doc fragment)."""
    module = importlib.import_module('ansible_collections.fleetops.maintenance.plugins.modules.' + name)
    return PREFIX + 'concurrency' in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment']


def module_tasks(tasks):
    """Every task of a task list (blocks included) that calls one of this collection's modules."""
    for task in tasks or []:
        for key in ('block', 'rescue', 'always'):
            yield from module_tasks(task.get(key))
        for key, args in task.items():
            if key.startswith(PREFIX):
                yield task.get('name'), key[len(PREFIX):], args


def role_module_tasks(role):
    tasks_dir = os.path.join(ROLES, role, 'tasks')
    for file_name in sorted(os.listdir(tasks_dir)):
        with open(os.path.join(tasks_dir, file_name)) as tasks_file:
            yield from module_tasks(yaml.safe_load(tasks_file))


ROLES_WITH_CONCURRENCY = ['wfbss_maintenance', 'koophone_fleet_reset', 'iot_cellular_sync']


@pytest.mark.parametrize('role', ROLES_WITH_CONCURRENCY)
def test_every_module_task_gets_the_role_concurrency(role):
    calls = [(name, module, args) for name, module, args in role_module_tasks(role) if takes_concurrency(module)]
    assert calls, 'the role calls no module with a concurrency option'
    for name, module, args in calls:
        assert args.get('concurrency') == '{{ %s_concurrency }}' % role, (name, module)


@pytest.mark.parametrize('role', ROLES_WITH_CONCURRENCY)
def test_the_concurrency_variable_is_defaulted_and_documented(role):
    variable = role + '_concurrency'
    with open(os.path.join(ROLES, role, 'defaults', 'main.yml')) as defaults_file:
        assert yaml.safe_load(defaults_file)[variable] == 4
    with open(os.path.join(ROLES, role, 'meta', 'argument_specs.yml')) as spec_file:
        spec = yaml.safe_load(spec_file)['argument_specs']['main']['options'][variable]
    assert spec['type'] == 'int' and spec['default'] == 4
    with open(os.path.join(ROLES, role, 'README.md')) as readme:
        assert '`%s`' % variable in readme.read()
