# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo fleet's connection settings and credentials for a simulator at a URL, as environment variables only
(the way an AWX credential injects them; the inventory holds no secret).

    python demo/environment.py URL [CREDENTIALS]    # prints them as shell exports (scripts/demo evaluates them);
                                                    # CREDENTIALS: a generated fleet's demo-credentials.json

The benchmark's demo-fleet run imports demo_environment().
"""
import json
import os
import shlex
import sys

CREDENTIALS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'demo-credentials.json')


def demo_environment(url, credentials=CREDENTIALS):
    """{variable: value} that point every vendor at the simulator at ``url``, with the demo's credentials."""
    with open(credentials, encoding='utf-8') as handle:
        creds = json.load(handle)
    # the Strata Cloud Manager tenant's API and token endpoint are the simulator's too
    iot_tenants = {name: dict(tenant, api_url=url, auth_url=url + '/oauth2/access_token') if 'client_id' in tenant else tenant
                   for name, tenant in creds['iot'].items()}
    return {
        'WFBSS_API_URL': url, 'KOOPHONE_API_URL': url, 'PANW_IOT_API_URL': url, 'ALTCRAFT_API_URL': url,
        'FLEETOPS_WFBSS_ACCOUNTS': json.dumps(creds['wfbss']),
        'FLEETOPS_IOT_TENANTS': json.dumps(iot_tenants),
        'KOOPHONE_AUTH_TOKEN': creds['koophone_token'],
        'ALTCRAFT_API_TOKEN': creds['altcraft_token'],
    }


if __name__ == '__main__':
    for variable, value in demo_environment(*sys.argv[1:3]).items():
        print('export %s=%s' % (variable, shlex.quote(value)))
