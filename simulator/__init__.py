"""A local simulator of the four vendor APIs used by the fleetops.maintenance collection."""
from __future__ import annotations

from .core import DEFAULT_KNOBS, Simulator

__all__ = ["DEFAULT_KNOBS", "Simulator"]
