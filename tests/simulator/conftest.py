"""Fixtures for the simulator's own tests: one simulator per session (per xdist worker), reset before each test."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
for entry in (REPO_ROOT, HERE):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position
from simulator.seed import wfbss_customer_id  # noqa: E402  pylint: disable=wrong-import-position


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
