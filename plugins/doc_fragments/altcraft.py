# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the Altcraft Platform, for example V(https://ru.altkraft.com) for the cloud account
        or the URL of an on-premises installation.
      - Every call is C(POST <api_url>/api/v1.1/<method>).
      - Required. If not set, the value of the E(ALTCRAFT_API_URL) environment variable is used.
    type: str
  api_token:
    description:
      - Altcraft API token (created under Settings > Tokens by a master user).
      - Sent in the JSON request body as C(token), never in the URL.
      - The token's roles and object groups must give access to the resource and database used.
      - Required. If not set, the value of the E(ALTCRAFT_API_TOKEN) environment variable is used.
    type: str
notes:
  - Altcraft reports errors in the response body as C(error) and C(error_text); any C(error) other than 0
    fails the task whatever the HTTP status. C(error) 401 (API token required) and 403 (no access rights)
    are reported as credential problems; 400 is an incorrect request and 402 a reached tariff limit.
'''
