# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Palo Alto Networks IoT Security for the modules: the connection options of both API generations (documented in
the fleetops.maintenance.iot doc fragment) and their checks. Which options are required depends on the credentials
given. Checks raise InvalidInput naming the options.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.fleetops.maintenance.plugins.module_utils.checks import InvalidInput, at_least, http_url
from ansible_collections.fleetops.maintenance.plugins.module_utils.common import Vendor
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import (
    API_BASE_PATHS,
    DEFAULT_AUTH_URL,
    DEFAULT_SCM_API_URL,
    GENERATION_NAMES,
    LEGACY,
    LEGACY_OPTIONS,
    READS_PER_MINUTE,
    SCM,
    SCM_OPTIONS,
    IotClient,
    api_url,
    auth_url,
    given,
)

IOT_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', fallback=(env_fallback, ['PANW_IOT_API_URL'])),
    client_id=dict(type='str', fallback=(env_fallback, ['PANW_IOT_CLIENT_ID'])),
    client_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['PANW_IOT_CLIENT_SECRET'])),
    tsg_id=dict(type='str', fallback=(env_fallback, ['PANW_IOT_TSG_ID'])),
    auth_url=dict(type='str', default=DEFAULT_AUTH_URL, fallback=(env_fallback, ['PANW_IOT_AUTH_URL'])),
    customer_id=dict(type='str', fallback=(env_fallback, ['PANW_IOT_CUSTOMER_ID'])),
    key_id=dict(type='str', no_log=True, fallback=(env_fallback, ['PANW_IOT_KEY_ID'])),
    access_key=dict(type='str', no_log=True, fallback=(env_fallback, ['PANW_IOT_ACCESS_KEY'])),
    requests_per_minute=dict(type='int', default=180),
    reads_per_minute=dict(type='int', default=READS_PER_MINUTE),
)
TSG_ID_RE = re.compile(r'^[0-9]+$')
# Legacy tenant URLs are https://<tenant>.iot.paloaltonetworks.com (pan.dev/iot/api/iot-public-api-headers).
LEGACY_HOST_SUFFIX = '.iot.paloaltonetworks.com'


def api_generation(params):
    """SCM or LEGACY, from the credentials given, once they make one complete set."""
    scm = [name for name in SCM_OPTIONS if given(params, name)]
    legacy = [name for name in LEGACY_OPTIONS if given(params, name)]
    if scm and legacy:
        raise InvalidInput('Give either Strata Cloud Manager credentials (client_id, client_secret, tsg_id) or a legacy '
                           'API key (customer_id, key_id, access_key), not both: got %s and %s (set as options or as '
                           'their PANW_IOT_* environment variables)' % (', '.join(scm), ', '.join(legacy)))
    if scm:
        missing = [name for name in SCM_OPTIONS if name not in scm]
        if missing:
            raise InvalidInput('Strata Cloud Manager credentials need client_id, client_secret and tsg_id; missing: %s'
                               % ', '.join(missing))
        if not TSG_ID_RE.match(params['tsg_id'].strip()):
            raise InvalidInput('tsg_id must be the numeric ID of the tenant service group, got %r' % params['tsg_id'])
        if ':' in params['client_id']:
            # RFC 7617: the user-id of HTTP Basic cannot hold a colon.
            raise InvalidInput('client_id must not contain ":" (it is sent as the HTTP Basic user name)')
        return SCM
    if legacy:
        missing = [name for name in ('api_url',) + LEGACY_OPTIONS if not given(params, name)]
        if missing:
            raise InvalidInput('The legacy API key needs api_url (the tenant URL), customer_id, key_id and access_key; '
                               'missing: %s' % ', '.join(missing))
        return LEGACY
    raise InvalidInput('No IoT Security credentials: give client_id, client_secret and tsg_id (Strata Cloud Manager, or '
                       'PANW_IOT_CLIENT_ID, PANW_IOT_CLIENT_SECRET, PANW_IOT_TSG_ID), or api_url, customer_id, key_id '
                       'and access_key (the legacy API, or PANW_IOT_API_URL, PANW_IOT_CUSTOMER_ID, PANW_IOT_KEY_ID, '
                       'PANW_IOT_ACCESS_KEY)')


def check_api_url(url, api_generation_name):
    """An http(s) URL that is not an address of the other generation's API (its base path or its documented host)."""
    http_url('api_url', url, 'PANW_IOT_API_URL')
    parts = urlsplit(url)
    host = (parts.hostname or '').lower()
    other = LEGACY if api_generation_name == SCM else SCM
    if other == LEGACY:
        other_host = host.endswith(LEGACY_HOST_SUFFIX)
    else:
        other_host = host == urlsplit(DEFAULT_SCM_API_URL).hostname
    if other_host or parts.path.rstrip('/').endswith(API_BASE_PATHS[other]):
        raise InvalidInput('api_url %s is an address of the %s API, but the credentials are for the %s API' % (
            url, GENERATION_NAMES[other], GENERATION_NAMES[api_generation_name]))


def check_connection(params):
    """One complete set of credentials, the URLs they need, and a usable rate."""
    name = api_generation(params)
    check_api_url(api_url(params, name), name)
    if name == SCM:
        http_url('auth_url', auth_url(params), 'PANW_IOT_AUTH_URL')
    at_least('requests_per_minute', params['requests_per_minute'], 1)
    at_least('reads_per_minute', params['reads_per_minute'], 1)


# the legacy API's X-Key-Id and X-Access-Key (the SCM client id and secret are sent base64-encoded)
IOT = Vendor('iot', IOT_ARGUMENT_SPEC, IotClient, urls=(), check=check_connection, headers=('key_id', 'access_key'))
