# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every vendor client sends exactly the Content-Type the vendor's own clients send: ``application/json`` (Trend's
sample client and PowerShell module, the KooPhone Java SDK's KooPhoneMeta, pan-iot-security-python, pan-scm-sdk),
``application/json;charset=UTF-8`` to Huawei IAM's token API (IamMeta, huaweicloudsdkiam), and a form's type on
the Strata Cloud Manager token request."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils.altcraft import AltcraftClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import ApiClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.iot import IotClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.koophone import KooPhoneClient
from ansible_collections.fleetops.maintenance.plugins.module_utils.wfbss import WfbssClient
from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS, koophone_instance_ids, wfbss_customer_id

CONNECTION = dict(validate_certs=True, ca_path=None, timeout=10, retries=0, retry_backoff=0, rate_limit_timeout=30)


@pytest.fixture
def sent(monkeypatch):
    """(method, path, Content-Type) of every attempt any vendor client sends."""
    sent = []
    headers_of = ApiClient._headers

    def recording(client, call):
        headers = headers_of(client, call)
        sent.append((call.method, call.path, headers.get('Content-Type')))
        return headers
    monkeypatch.setattr(ApiClient, '_headers', recording)
    return sent


def test_wfbss(simulator, sent):
    with WfbssClient(dict(CONNECTION, api_url=simulator.url, api_version='v2.8', **CREDENTIALS.wfbss)) as client:
        client.list_customers()
        client.reset([wfbss_customer_id(1)], 'counter')
    assert sent and all(content_type == 'application/json' for method, path, content_type in sent), sent


@pytest.mark.parametrize('credentials', ['token', 'aksk'])
def test_koophone(simulator, sent, credentials):
    params = dict(CONNECTION, api_url=simulator.url, auth_token=CREDENTIALS.koophone_token) if credentials == 'token' \
        else dict(CONNECTION, api_url=simulator.url, **CREDENTIALS.koophone_access_key)
    with KooPhoneClient(params) as client:
        client.batch_query(1, 1)
        client.batch_reset(koophone_instance_ids(1))
    assert len(sent) == 2 and all(content_type == 'application/json' for method, path, content_type in sent), sent


def test_koophone_iam_token_request(simulator, sent):
    params = dict(CONNECTION, api_url=simulator.url, iam_url=simulator.url, **dict(dict(project_name='cn-south-1'), **CREDENTIALS.koophone_user))
    with KooPhoneClient(params) as client:
        client.batch_query(1, 1)
    assert sent == [('POST', '/v3/auth/tokens', 'application/json;charset=UTF-8'),
                    ('GET', '/v1/instances/batch-query', 'application/json')]


@pytest.mark.parametrize('generation', ['legacy', 'scm'])
def test_iot(simulator, sent, generation):
    if generation == 'legacy':
        params = dict(CONNECTION, api_url=simulator.url, requests_per_minute=600, **CREDENTIALS.iot)
    else:
        params = dict(CONNECTION, api_url=simulator.url, auth_url=simulator.url + '/oauth2/access_token',
                      requests_per_minute=600, **CREDENTIALS.iot_scm)
    with IotClient(params) as client:
        client.bulk_update([dict(ip='10.0.0.1', imsi='001010123456789')], 'cellular')
    token_requests = [item for item in sent if item[1].endswith('access_token')]
    assert all(content_type == 'application/x-www-form-urlencoded' for method, path, content_type in token_requests)
    api_requests = [item for item in sent if item not in token_requests]
    assert api_requests and all(content_type == 'application/json' for method, path, content_type in api_requests)


def test_altcraft(simulator, sent):
    with AltcraftClient(dict(CONNECTION, api_url=simulator.url, api_token=CREDENTIALS.altcraft_token)) as client:
        client.get_counters(1, 1)
    assert sent and all(content_type == 'application/json' for method, path, content_type in sent), sent
