"""Typed settings of the core and of each vendor app, and the flat knob names they are set by.

A vendor's settings are a dataclass (e.g. ``KooPhoneSettings.job_seconds``); the public name of a setting, in
``POST /_sim/config`` and ``Simulator.configure()``, is the vendor's name, an underscore and the field name
(``koophone_job_seconds``). The core's own settings (``latency_seconds``, ``log_bodies``) have no prefix.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any

from .checks import checked, field_hints


@dataclasses.dataclass
class Settings:
    """Base class of the settings dataclasses."""

    def restore_defaults(self) -> None:
        """Every field back to its default."""
        defaults = type(self)()
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(defaults, field.name))


@dataclasses.dataclass
class CoreSettings(Settings):
    """Settings of the server core."""

    latency_seconds: float = 0  # added to every vendor request
    log_bodies: bool = False  # the request log also holds each parsed body (secrets masked)
    chaos_seed: int = 0  # the seed of the chaos fault profile (chaos.py)
    chaos_rate: float = 0  # the share of vendor requests that get a chaos fault (0: chaos off)
    chaos_delay_seconds: float = 2.0  # how late a "slow" chaos answer comes (more than the client's timeout)


class Knobs:
    """The flat knob names, each one field of one settings object: ``<prefix><field>``."""

    def __init__(self, groups: dict[str, Settings]) -> None:
        """`groups` maps a prefix ("" for the core, "koophone_" for a vendor) to its settings."""
        self._fields: dict[str, tuple[Settings, str, Any]] = {}
        for prefix, settings in groups.items():
            for name, hint in field_hints(type(settings)).items():
                self._fields[prefix + name] = (settings, name, hint)

    def values(self) -> dict[str, Any]:
        """Every knob with its current value."""
        return {knob: copy.deepcopy(getattr(settings, name)) for knob, (settings, name, _hint) in self._fields.items()}

    def update(self, knobs: dict[str, Any]) -> None:
        """Set knobs; all or nothing: an unknown knob or a value of the wrong type changes none (ValueError)."""
        unknown = sorted(set(knobs) - set(self._fields))
        if unknown:
            raise ValueError(f"unknown knobs: {', '.join(unknown)}")
        values = {knob: checked(f"knob {knob}", value, self._fields[knob][2]) for knob, value in knobs.items()}
        for knob, value in values.items():
            settings, name, _hint = self._fields[knob]
            setattr(settings, name, copy.deepcopy(value))

    def restore_defaults(self) -> None:
        """Every knob back to its default."""
        for settings in {id(settings): settings for settings, _name, _hint in self._fields.values()}.values():
            settings.restore_defaults()
