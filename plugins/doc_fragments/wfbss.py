# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options of plugins/module_utils/wfbss_options.py WFBSS_ARGUMENT_SPEC.
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the Trend Micro Service Management API (SMPI), as shown next to the API key in
        Trend Micro Remote Manager (the "SMPI URL"), without a trailing path.
      - If not set, the value of the E(WFBSS_API_URL) environment variable is used.
    type: str
    default: https://cspi.trendmicro.com
  api_version:
    description:
      - SMPI version used in the request path C(/SMPI/<api_version>/service/wfbss/api/...).
      - If not set, the value of the E(WFBSS_API_VERSION) environment variable is used.
    type: str
    default: v2.8
  access_token:
    description:
      - The Access Token (a GUID) of the API key generated in Trend Micro Remote Manager under
        Administration > Third-party integration.
      - Required. If not set, the value of the E(WFBSS_ACCESS_TOKEN) environment variable is used.
    type: str
  secret_key:
    description:
      - The Secret Key of that API key. It signs every request (HMAC-SHA256) and is never sent.
      - Signatures include the current time, so the clock of the host that runs the module must be right.
      - Required. If not set, the value of the E(WFBSS_SECRET_KEY) environment variable is used.
    type: str
'''

    # For the inventory plugins, over DOCUMENTATION: the environment variables of WFBSS_ARGUMENT_SPEC's fallbacks.
    PLUGINS = r'''
options:
  api_url:
    env:
      - name: WFBSS_API_URL
  api_version:
    env:
      - name: WFBSS_API_VERSION
  access_token:
    env:
      - name: WFBSS_ACCESS_TOKEN
  secret_key:
    env:
      - name: WFBSS_SECRET_KEY
'''
