# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # What the inventory plugins share (plugins/plugin_utils/inventory.py): host naming, the cache, failed sources.
    DOCUMENTATION = r'''
options:
  hostname_suffix:
    description:
      - V(duplicates) adds the ID suffix only to names that would clash (see the description),
        V(always) to every host name.
    type: str
    choices: ['duplicates', 'always']
    default: duplicates
notes:
  - With O(cache=true) and a cache plugin that persists (for example C(ansible.builtin.jsonfile)), a second run within
    O(cache_timeout) sends no request; C(ansible-inventory --flush-cache) lists again.
  - A source that fails (a bad file, refused credentials, an unreachable API) fails with a message that says why.
    Ansible reports a failed source as a warning and goes on with the other sources, so a run would leave its hosts
    out - set E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (or C(any_unparsed_is_failed = true) in the
    C([inventory]) section of C(ansible.cfg)) to make it fail the run. AWX sets E(ANSIBLE_INVENTORY_UNPARSED_FAILED)
    for inventory updates, which fails an update only when all of its sources fail.
  - The vendor's values (names, IDs) are untrusted and never templated; C(ansible-inventory --list) shows such
    strings as C(__ansible_unsafe) objects.
'''
