"""Fixtures of the conformance suite: code that third parties wrote (vendor SDKs, vendor samples, the
vendors' own specs) is the oracle, the collection and its simulator are under test.

One simulator per session, back at its default seed before each test.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def _session_sim():
    sim = Simulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(_session_sim):
    _session_sim.reset()
    return _session_sim
