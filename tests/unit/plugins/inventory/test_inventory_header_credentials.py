# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory plugins check credentials sent in an HTTP header as the modules do (the same connection checks):
a token pasted with typographic quotes is a parser error naming the option, never the codec's message alone."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleParserError

from ansible_collections.fleetops.maintenance.simulator.seed import CREDENTIALS

PASTED = 'S3cr\u2018et\u2019'


@pytest.mark.parametrize('secret', [PASTED, 'S3cret\n'], ids=['typographic-quotes', 'line-break'])
def test_wfbss_inventory(simulator, wfbss_source, secret):
    with pytest.raises(AnsibleParserError) as caught:
        wfbss_source.parse(dict(api_url=simulator.url, access_token=secret,
                                secret_key=CREDENTIALS.wfbss['secret_key']))
    message = str(caught.value)
    assert 'access_token' in message and 'printable ASCII' in message and secret.strip() not in message
    assert simulator.requests == []


@pytest.mark.parametrize('option', ['auth_token', 'access_key'])
def test_koophone_inventory(simulator, koophone_source, option):
    credentials = dict(auth_token=PASTED) if option == 'auth_token' else dict(CREDENTIALS.koophone_access_key,
                                                                              access_key=PASTED)
    with pytest.raises(AnsibleParserError) as caught:
        koophone_source.parse(dict(api_url=simulator.url, **credentials))
    message = str(caught.value)
    assert option in message and 'printable ASCII' in message and PASTED not in message
    assert simulator.requests == []
