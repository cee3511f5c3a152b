"""Fixtures for the simulator's own tests: one simulator per session (per xdist worker), reset before each test."""
from __future__ import annotations

import pytest

from ansible_collections.fleetops.maintenance.simulator import Simulator
from ansible_collections.fleetops.maintenance.simulator.seed import wfbss_customer_id


@pytest.fixture(scope="session")
def _session_sim():
    sim = Simulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(_session_sim):
    _session_sim.reset()
    return _session_sim


@pytest.fixture
def customers():
    return [wfbss_customer_id(number) for number in range(1, 26)]
