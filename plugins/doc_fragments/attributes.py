# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Descriptions only; each module states its own support level.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and return a prediction of what would change without writing anything through the API.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode) when run in diff mode.
  idempotent:
    description:
      - When run twice in a row with the same arguments, the second run reports no change and writes nothing.
  action_group:
    description: Part of action groups, so connection options can be set once with C(module_defaults).
    support: full
'''

    # The support levels of a module that only reads (the *_info modules).
    READ_ONLY = r'''
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs the same in check mode.
  diff_mode:
    support: N/A
    details: Reads only; there is nothing to diff.
  idempotent:
    support: full
'''
