"""The vocabulary every part of CloudFormation evaluation shares: the `NO_VALUE` marker,
an evaluated value with its trail, the trace collected while evaluating, and how scalar
values read as CloudFormation reads them (everything is a string to CloudFormation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linter.cloudformation.rendering import render
from linter.model import Step, Unknown, contains_unknown


class _NoValue:
    """`Ref AWS::NoValue`: the property or list element is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


@dataclass(frozen=True, slots=True)
class Evaluated:
    value: object
    trail: tuple[Step, ...] = ()
    references: tuple[str, ...] = ()


class Trace:
    """Steps and resource references collected while evaluating one value."""

    __slots__ = ("_steps", "refs")

    def __init__(self) -> None:
        self._steps: dict[Step, None] = {}  # ordered, without repeats
        self.refs: list[str] = []

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    def add(self, steps: tuple[Step, ...] | list[Step]) -> None:
        for step in steps:
            self._steps.setdefault(step)

    def ref(self, name: str) -> None:
        if name not in self.refs:
            self.refs.append(name)


class Malformed(Exception):
    """An intrinsic function whose arguments CloudFormation would reject."""


def args(arg: Any, count: int) -> list[Any]:
    if not isinstance(arg, list) or len(arg) != count:
        raise Malformed(f"expected a list of {count} arguments")
    return arg


def text(value: Any) -> Any:
    """A scalar as the string CloudFormation sees; Unknown passes through."""
    if isinstance(value, (Unknown, str)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown(f"{render(value)} is not a string")


def comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return text(value) if value is not None else None


def first_unknown(*values: Any) -> Unknown | None:
    for value in values:
        found = contains_unknown(value)
        if found is not None:
            return found
    return None


def reason_of(*values: Any) -> str:
    found = first_unknown(*values)
    return found.reason if found is not None else "unknown"


def truth(value: Any) -> str:
    return "unknown" if isinstance(value, Unknown) else ("true" if value else "false")
