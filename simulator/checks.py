"""Values checked against type hints: what POST /_sim/config (knobs) and POST /_sim/faults (fault rules) accept.

The hints in use: ``bool``, ``int``, ``float`` (any number, as in PEP 484), ``str``, ``None``, ``Literal[...]``,
``list[X]`` and unions of these. Booleans are never numbers here, and a literal matches only a value of its own
type (``"2024"`` is not ``2024``).
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Literal, Union

NoneType = type(None)


def conforms(value: Any, hint: Any) -> bool:
    """True when `value` (as decoded from JSON) is of type `hint`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is Literal:
        return any(type(value) is type(choice) and value == choice for choice in args)
    if origin is list:
        return isinstance(value, list) and all(conforms(item, args[0]) for item in value)
    if hint is NoneType:
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    raise TypeError(f"unsupported type hint: {hint!r}")


def describe(hint: Any) -> str:
    """The type in words, e.g. 'a number or null'."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arg) for arg in args)
    if origin is Literal:
        choices = [json.dumps(choice) for choice in args]
        return choices[0] if len(choices) == 1 else "one of " + ", ".join(choices)
    if origin is list:
        return f"a list of {describe(args[0]).split(' ', 1)[1]}s"
    words = {NoneType: "null", bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return words[hint]


def field_hints(cls: type) -> dict[str, Any]:
    """The resolved type hint of each dataclass field of `cls`."""
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


def checked(what: str, value: Any, hint: Any) -> Any:
    """`value` when it is of type `hint`, else ValueError naming `what` (a knob or a fault field) and the type."""
    if not conforms(value, hint):
        raise ValueError(f"{what} must be {describe(hint)}, not {json.dumps(value)}")
    return value
