# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The parts of the AK/SK signer that the SDK vectors do not reach: empty and trailing-slash paths, unsigned header
names, headers of an earlier attempt, the default empty body. The expected values are huaweicloudsdkcore's
(``Signer._process_canonical_uri``, ``Signer._process_signed_headers``); tests/conformance runs the SDK itself."""

from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.plugins.module_utils import huawei_signer

AK, SK = 'HPUAEXAMPLEAK1234567', 'exampleSecretKey0123456789abcdefghijklmn'
HOST = 'koophone.myhuaweicloud.com'
MOMENT = 1704067200  # 2024-01-01T00:00:00Z


@pytest.mark.parametrize('path, canonical', [
    ('', '/'),
    (None, '/'),
    ('/', '/'),
    ('/v1/instances/', '/v1/instances/'),
    ('/v1/instances', '/v1/instances/'),
    ('/v1/a%20b/~x*', '/v1/a%20b/~x%2A/'),
])
def test_canonical_uri(path, canonical):
    assert huawei_signer.canonical_uri(path) == canonical


def test_header_names_with_an_underscore_are_not_signed():
    assert huawei_signer.signed_header_names({'Host': 'h', 'X_Custom': '1', 'X-Sdk-Date': 'd'}) == ['host', 'x-sdk-date']


def sign(headers, **kwargs):
    return huawei_signer.sign(AK, SK, 'GET', HOST, '/v1/instances/batch-query', {'page_no': 1},
                              headers, now=lambda: MOMENT, **kwargs)


def test_the_headers_of_an_earlier_attempt_are_replaced_not_signed_twice():
    """A retry's headers may still hold the last attempt's Authorization, Host and date (in any case)."""
    fresh = sign({'Content-Type': 'application/json'})
    stale = sign({'Content-Type': 'application/json', 'authorization': fresh['Authorization'], 'host': 'other',
                  'x-sdk-date': '20200101T000000Z', 'AUTHORIZATION': 'old'}, project_id=None)
    assert stale == fresh
    assert 'SignedHeaders=content-type;host;x-sdk-date,' in fresh['Authorization']


def test_the_default_body_is_empty():
    assert sign({}) == sign({}, body=b'')
    assert sign({}) != sign({}, body=b'{}')
