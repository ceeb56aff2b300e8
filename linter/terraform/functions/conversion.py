"""The type conversion functions: `tobool`, `tonumber`, `tostring`, `tolist`, `toset`,
`tomap`, and `sensitive`/`nonsensitive` (which pass values through: sensitivity is not
tracked). The conversions themselves live in `linter.terraform.values`."""

from __future__ import annotations

from typing import Callable

from linter.model import Unknown
from linter.terraform.functions.arguments import param_error
from linter.terraform.values import ANY, EvalError, convert, to_bool, to_number, to_string, type_name


def _converting(fn: Callable[[object], object], value: object) -> object:
    try:
        return fn(value)
    except EvalError as err:
        raise param_error("v", str(err)) from None


def _tobool(v: object) -> object:
    return _converting(to_bool, v)


def _tostring(v: object) -> object:
    return _converting(to_string, v)


def _tonumber(v: object) -> object:
    return _converting(to_number, v)


def _to_collection(value: object, kind: str) -> object:
    if value is None or isinstance(value, Unknown):
        return value
    failure = param_error("v", f"cannot convert {type_name(value)} to {kind} of any single type")
    if not isinstance(value, dict if kind == "map" else list):
        raise failure
    try:
        return convert(value, (kind, ANY))
    except EvalError:
        raise failure from None


def _tolist(v: object) -> object:
    return _to_collection(v, "list")


def _toset(v: object) -> object:
    return _to_collection(v, "set")


def _tomap(v: object) -> object:
    return _to_collection(v, "map")


def _identity(value: object) -> object:
    """`sensitive` and `nonsensitive`: sensitivity is not tracked in our values."""
    return value


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "tobool": _tobool, "tonumber": _tonumber, "tostring": _tostring, "tolist": _tolist,
    "toset": _toset, "tomap": _tomap, "sensitive": _identity, "nonsensitive": _identity,
}
