# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the inventory plugin tests: a source file is written, parsed by the plugin as Ansible loads it
(through the plugin loader, so its documented options and environment variables apply), against the simulator."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader


@pytest.fixture(autouse=True)
def clean_ansible_env(monkeypatch):
    """No inventory cache settings of the developer's."""
    for name in list(os.environ):
        if name.startswith(('ANSIBLE_CACHE', 'ANSIBLE_INVENTORY_CACHE')):
            monkeypatch.delenv(name)


class Source:
    """Writes a source file and parses it with a fresh plugin instance, as each Ansible run does."""

    def __init__(self, directory, plugin):
        self.directory = directory
        self.plugin = plugin

    def write(self, options, file_name=None):
        path = self.directory / (file_name or 'fleet.%s.yml' % self.plugin)
        path.write_text(yaml.safe_dump(dict({'plugin': 'fleetops.maintenance.' + self.plugin}, **options)),
                        encoding='utf-8')
        return str(path)

    def parse(self, options=None, cache=True, inventory=None, path=None, file_name=None):
        """The inventory after parsing (``options`` are written first; ``path`` parses an existing file)."""
        path = path or self.write(options or {}, file_name=file_name)
        plugin = inventory_loader.get('fleetops.maintenance.' + self.plugin)
        inventory = inventory if inventory is not None else InventoryData()
        plugin.parse(inventory, DataLoader(), path, cache=cache)
        try:  # what Ansible's inventory manager does after parse()
            plugin.update_cache_if_changed()
        except AttributeError:  # no cache without the cache option
            pass
        return inventory


@pytest.fixture
def wfbss_source(tmp_path):
    return Source(tmp_path, 'wfbss')


@pytest.fixture
def koophone_source(tmp_path):
    return Source(tmp_path, 'koophone')
