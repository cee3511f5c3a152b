# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The option of plugins/module_utils/runtime.py CONCURRENCY_ARGUMENT_SPEC.
    DOCUMENTATION = r'''
options:
  concurrency:
    description:
      - How many requests (batches, pages or polls) may be in flight at once, each on its own keep-alive connection.
      - Results are the same, in the same order, as with V(1) (one after the other).
      - None of the vendors documents a limit on parallel calls; IoT Security's 180 requests a minute per tenant
        stays one limit shared by every connection, and a C(429) answer pauses them all. V(4) cuts the time spent
        waiting on the network by about 4 at real distances and stays far below what an API gateway throttles.
      - On a failure no new request is sent, but the ones already in flight run to their end. Up to
        O(concurrency) - 1 batches after the failed one may therefore have completed; the failure result lists
        every batch that completed and the items that were not processed. Use V(1) to stop at the very first
        failure.
    type: int
    default: 4
'''
