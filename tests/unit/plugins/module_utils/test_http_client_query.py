# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The query the shared client sends is the query its signers sign: a boolean as ``true`` / ``false`` and a list
as one ``name=item`` pair per item, as huaweicloudsdkcore's Signer signs (and sends) them. A server that
recomputes the signature from the query it received gets the signed one back."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.fleetops.maintenance.plugins.module_utils.http_client import build_query
from ansible_collections.fleetops.maintenance.plugins.module_utils.huawei_signer import canonical_query


@pytest.mark.parametrize('params, query', [
    ({'with_app': True, 'all': False}, 'with_app=true&all=false'),
    ({'instance_ids': ['b', 'a'], 'page': 2}, 'instance_ids=b&instance_ids=a&page=2'),
    ({'ids': ('x y', 'z&w=1')}, 'ids=x%20y&ids=z%26w%3D1'),
    ({'ids': []}, ''),
    ({'cids': 'A,B', 'events': None}, 'cids=A,B'),
])
def test_booleans_and_lists_are_sent_as_they_are_signed(params, query):
    assert build_query(params) == query


SCALARS = st.one_of(st.booleans(), st.integers(), st.text(st.characters(blacklist_categories=('Cs',)), max_size=12))
PARAMS = st.dictionaries(st.text('abcdefgh_', min_size=1, max_size=6),
                         st.one_of(SCALARS, st.lists(st.text('abc ,&=1', max_size=5), max_size=4)),
                         max_size=5)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(params=PARAMS)
def test_the_received_query_canonicalises_to_the_signed_one(params):
    """What the signer signs from the parameters equals what a verifier computes from the query received. (Lists of
    text, as the collection sends: the SDK sorts a list of numbers as numbers, which no received query can tell.)"""
    received = parse_qsl(build_query(params), keep_blank_values=True)
    assert canonical_query(received) == canonical_query(params)
