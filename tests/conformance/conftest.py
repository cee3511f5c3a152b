"""Fixtures of the conformance suite: code that third parties wrote (vendor SDKs, vendor samples, the
vendors' own specs) is the oracle, the collection and its simulator are under test.

One simulator per session, back at its default seed before each test.
"""
from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.simulator import Simulator


@pytest.fixture(scope="session")
def _session_sim():
    sim = Simulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(_session_sim):
    _session_sim.reset()
    return _session_sim
