# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures the module tests of one vendor share."""

from __future__ import annotations

import pytest


@pytest.fixture
def customers(simulator):
    """The customer IDs of the simulator's default WFBS-SVC account, in seed order."""
    return simulator.state('wfbss')['accounts'][0]['customers']
