# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Strata Cloud Manager token handling, value by value (what the mutation run showed open): the token URL's path and
query, when a token is renewed (a tenth of its lifetime early, at the instant included), how often one is fetched,
the token endpoint's errors."""

from __future__ import annotations

import json

from ansible_collections.fleetops.maintenance.plugins.module_utils import iot
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import VendorError

PARAMS = dict(validate_certs=True, ca_path=None, timeout=5, retries=0, retry_backoff=1, rate_limit_timeout=0,
              api_url='https://api.example', client_id='id', client_secret='secret', tsg_id='1',
              requests_per_minute=100000)


class Session(object):
    def __init__(self, expires_in=100):
        self.urls = []
        self.expires_in = expires_in

    def request(self, method, url, **kwargs):  # pylint: disable=unused-argument
        self.urls.append(url)
        token = {'access_token': 'tok%d' % len(self.urls), 'token_type': 'Bearer', 'expires_in': self.expires_in}
        body = token if 'oauth2' in url else {'code': 1, 'updatedDeviceNum': 0}
        return Answer(body)

    def close(self):
        pass


class Answer(object):
    def __init__(self, body):
        self.status_code = 200
        self.headers = {'Content-Type': 'application/json'}
        self.content = json.dumps(body).encode('utf-8')


def test_the_token_url_keeps_its_path_and_query():
    with_query = iot.IotClient(dict(PARAMS, auth_url='https://auth.example/oauth2/access_token?realm=x'), session=Session())
    assert with_query.login.path == '/oauth2/access_token?realm=x'
    bare = iot.IotClient(dict(PARAMS, auth_url='https://auth.example'), session=Session())
    assert bare.login.path == '/'


def test_a_token_is_renewed_a_tenth_of_its_lifetime_early_at_that_instant():
    now = [0.0]
    session = Session(expires_in=100)
    client = iot.IotClient(dict(PARAMS, auth_url='https://auth.example/oauth2/access_token'), session=session,
                           clock=lambda: now[0])
    client.bulk_update([], 'cellular')
    now[0] = 89.99
    client.bulk_update([], 'cellular')
    assert client.login.fetched == 1
    now[0] = 90.0  # 100 s - min(60 s, 100 s / 10)
    client.bulk_update([], 'cellular')
    assert client.login.fetched == 2
    assert [url.endswith('/oauth2/access_token') for url in session.urls] == [True, False, False, True, False]


def test_the_token_endpoints_errors():
    assert iot.parse_token_error(401, {'error': 'invalid_client', 'error_description': 'bad secret'}) == \
        VendorError('invalid_client', 'bad secret')
    assert iot.parse_token_error(200, ['not', 'an', 'object']) == \
        VendorError(None, 'the answer is not a JSON object', 'malformed')
