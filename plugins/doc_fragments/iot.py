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
      - The base URL of the API.
      - With Strata Cloud Manager credentials, calls go to C(<api_url>/iot/pub/v1); the default is
        V(https://api.strata.paloaltonetworks.com).
      - With a legacy API key, the tenant URL, for example V(https://example.iot.paloaltonetworks.com), and required;
        calls go to C(<api_url>/pub/v4.0).
      - A URL that already ends in its API's base path is used as it is. One that points at the other API (ends in
        its base path, or is a legacy tenant URL C(https://<tenant>.iot.paloaltonetworks.com) with Strata Cloud Manager
        credentials, or the Strata Cloud Manager server with a legacy key) is refused.
      - If not set, the value of the E(PANW_IOT_API_URL) environment variable is used.
    type: str
  client_id:
    description:
      - The client ID of a Strata Cloud Manager service account with access to IoT Security
        (Strata Cloud Manager, Settings, Identity & Access, Access Management).
      - Strata Cloud Manager credentials are O(client_id), O(client_secret) and O(tsg_id), all three. Every tenant
        onboarded since June 2025 must use them; give them or a legacy API key (O(customer_id), O(key_id),
        O(access_key)), not both.
      - If not set, the value of the E(PANW_IOT_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The client secret of the service account O(client_id).
      - If not set, the value of the E(PANW_IOT_CLIENT_SECRET) environment variable is used.
    type: str
  tsg_id:
    description:
      - The numeric ID of the tenant service group (TSG) of the IoT Security tenant, sent as the token's scope
        C(tsg_id:<tsg_id>).
      - If not set, the value of the E(PANW_IOT_TSG_ID) environment variable is used.
    type: str
  auth_url:
    description:
      - The Strata Cloud Manager token endpoint. One access token is requested per task with the client
        credentials (HTTP Basic, C(grant_type=client_credentials), C(scope=tsg_id:<tsg_id>)), reused until shortly
        before it expires, and renewed once when the API refuses it.
      - If not set, the value of the E(PANW_IOT_AUTH_URL) environment variable is used.
    type: str
    default: https://auth.apps.paloaltonetworks.com/oauth2/access_token
  customer_id:
    description:
      - Legacy API key - the tenant's customer ID, sent as the C(customerid) query parameter of every call.
      - The legacy API (C(/pub/v4.0), C(X-Key-Id) and C(X-Access-Key) headers) is marked deprecated by the vendor;
        tenants onboarded since June 2025 cannot use it.
      - If not set, the value of the E(PANW_IOT_CUSTOMER_ID) environment variable is used.
    type: str
  key_id:
    description:
      - Legacy API key - the API key ID (C(X-Key-Id) header), created in the IoT Security portal under the user name,
        Preferences, Security.
      - If not set, the value of the E(PANW_IOT_KEY_ID) environment variable is used.
    type: str
  access_key:
    description:
      - Legacy API key - the API access key (C(X-Access-Key) header) that belongs to O(key_id).
      - If not set, the value of the E(PANW_IOT_ACCESS_KEY) environment variable is used.
    type: str
  requests_per_minute:
    description:
      - At most this many API calls a minute from this task. The vendor documents a limit of 180 requests a minute per tenant.
      - Tasks running at the same time against one tenant share the vendor's limit; HTTP 429 answers are waited
        out within O(rate_limit_timeout).
    type: int
    default: 180
  reads_per_minute:
    description:
      - At most this many reads (C(GET device/list) and C(GET device/ip)) a minute from this task, paced apart from
        O(requests_per_minute). The vendor documents 60 a minute for each of these reads
        (C(openapi-specs/iot/iot.yaml) in PaloAltoNetworks/pan.dev); whether they share one budget is not documented,
        so both count against this one.
      - Only the modules and options that read the tenant's devices use it.
    type: int
    default: 60
'''
