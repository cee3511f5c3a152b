# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options of plugins/module_utils/iot.py IOT_ARGUMENT_SPEC.
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - The base URL of the IoT Security tenant, for example V(https://example.iot.paloaltonetworks.com).
      - Calls go to the legacy public API under C(<api_url>/pub/v4.0); a URL that already ends in C(/pub/v4.0) is used as it is.
      - The Strata Cloud Manager generation of the API (C(https://api.strata.paloaltonetworks.com/iot/pub/v1),
        OAuth2 Bearer tokens) is not supported.
      - If not set, the value of the E(PANW_IOT_API_URL) environment variable is used.
    type: str
    required: true
  customer_id:
    description:
      - The tenant's customer ID, sent as the C(customerid) query parameter of every call.
      - If not set, the value of the E(PANW_IOT_CUSTOMER_ID) environment variable is used.
    type: str
    required: true
  key_id:
    description:
      - The API key ID (C(X-Key-Id) header), created in the IoT Security portal under the user name, Preferences, Security.
      - If not set, the value of the E(PANW_IOT_KEY_ID) environment variable is used.
    type: str
    required: true
  access_key:
    description:
      - The API access key (C(X-Access-Key) header) that belongs to O(key_id).
      - If not set, the value of the E(PANW_IOT_ACCESS_KEY) environment variable is used.
    type: str
    required: true
  requests_per_minute:
    description:
      - At most this many API calls a minute from this task. The vendor documents a limit of 180 requests a minute per tenant.
      - Tasks running at the same time against one tenant share the vendor's limit; HTTP 429 answers are waited
        out within O(rate_limit_timeout).
    type: int
    default: 180
'''
