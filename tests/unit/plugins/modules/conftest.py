# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures the module tests of one vendor share."""

from __future__ import annotations

import pytest

# The simulator's default WFBS-SVC account (simulator/seed.py).
WFBSS_ACCESS_TOKEN = '5f0c8a52-3b7e-4d1a-9c2e-7a1b2c3d4e5f'
WFBSS_SECRET_KEY = 'sim-wfbss-secret'


@pytest.fixture
def wfbss_connection(simulator):
    """Connection options for the simulator's default WFBS-SVC account, with quick retries."""
    return dict(api_url=simulator.url, access_token=WFBSS_ACCESS_TOKEN, secret_key=WFBSS_SECRET_KEY,
                retries=1, retry_backoff=0.01)


@pytest.fixture
def customers(simulator):
    """The customer IDs of the simulator's default WFBS-SVC account, in seed order."""
    return simulator.state('wfbss')['accounts'][0]['customers']
