"""Terraform's values in Python: conversions, equality, type constraints and JSON text.

The representation is shared with the Terraform evaluator and is fixed:

    null -> None            bool -> bool            string -> str
    number -> int when integral, else float (see `normalize_number`)
    list, tuple, set -> list (a set deduplicated and in Terraform's order, `set_items`)
    map, object -> dict     unknown -> `linter.model.Unknown`

Because lists and tuples (maps and objects) share one Python type, the literal kinds are
assumed where Terraform would distinguish them: a Python list is a tuple and a dict is an
object, as if written as an HCL literal.

Type constraints (`convert`) are small tagged tuples:

    ("any",)  ("bool",)  ("number",)  ("string",)
    ("list", T)  ("set", T)  ("map", T)
    ("tuple", (T, ...))
    ("object", {name: T | (T, optional, default)})

An object attribute is either a bare type (required) or a triple `(T, optional: bool,
default)`, as written `optional(T, default)` in HCL; a default of None means no default.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, NoReturn, Sequence, TypeAlias, TypeGuard, Union

from linter.model import Unknown

TypeSpec: TypeAlias = tuple[Any, ...]  # a tagged tuple as documented above; kept loose so specs nest freely
Number: TypeAlias = Union[int, float]

ANY: TypeSpec = ("any",)
BOOL: TypeSpec = ("bool",)
NUMBER: TypeSpec = ("number",)
STRING: TypeSpec = ("string",)
_PRIMITIVES = frozenset({"bool", "number", "string"})
_EXACT_FLOAT_LIMIT = 2**53  # integral floats below this convert to int losslessly


class EvalError(Exception):
    """A Terraform evaluation error; the message reads like Terraform's own."""


class ConversionError(EvalError):
    """A value that does not convert to a type constraint. The message says where
    (`attribute "x": a number is required`); `reason` is the failure alone, as cty's own
    error text reads where Terraform reports no path (an `optional()` default)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


# --- numbers ---------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def is_number(value: object) -> TypeGuard[Number]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def normalize_number(value: Number) -> Number:
    """An integral float becomes an int (so `4/2` prints as "2"); others pass unchanged.
    Negative zero stays a float, as Terraform keeps and prints it ("-0")."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT_LIMIT:
        return value if value == 0 and math.copysign(1, value) < 0 else int(value)
    return value


def from_decimal(value: Decimal) -> Number:
    """A parsed decimal as our number: an exact int when integral, else a float."""
    if value.is_zero() and value.is_signed():
        return -0.0
    if value.is_finite() and value == value.to_integral_value() and value.adjusted() < 4000:
        return int(value)  # exact however large; past 10**4000 a float (inf) instead
    return normalize_number(float(value))


def parse_number(text: str) -> Number | None:
    """Terraform's string-to-number parsing (ASCII decimal, optional exponent, Inf)."""
    if _NUMBER_RE.match(text):
        return from_decimal(Decimal(text))
    if text in ("Inf", "inf", "+Inf", "+inf"):
        return math.inf
    if text in ("-Inf", "-inf"):
        return -math.inf
    return None


def number_decimal(value: Number) -> Decimal:
    """The decimal Terraform would hold for `value`.

    Terraform computes with 512-bit floats, so `0.1 + 0.2` is 0.3 there while a Python
    float gives 0.30000000000000004. A float within one ulp of a 15-digit decimal is
    taken to be that decimal (arithmetic noise); anything else keeps its shortest repr,
    as Terraform prints the float64 results of functions such as pow().
    """
    if isinstance(value, int):
        return Decimal(value)
    short = format(value, ".15g")
    if abs(float(short) - value) <= math.ulp(value):
        return Decimal(short)
    return Decimal(repr(value))


def format_number(value: Number) -> str:
    """The canonical decimal text Terraform prints for a number: no exponent, no
    trailing zeros (`1.0` -> "1", `1e3` -> "1000", `1e-5` -> "0.00001")."""
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < _EXACT_FLOAT_LIMIT:
        return ("-" if math.copysign(1, value) < 0 else "") + str(abs(int(value)))
    text = format(number_decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- primitive conversions -------------------------------------------------------------

def type_name(value: object) -> str:
    """The Terraform type name of a value, for messages (literal kinds assumed)."""
    if value is None:
        return "null"
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def to_bool(value: object) -> object:
    """`tobool`: "true"/"false" (and "1"/"0", as Terraform 1.11 accepts) -> bool."""
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str):
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise EvalError(
            f'cannot convert {quote(value)} to bool; only the strings "true" or "false" are allowed'
        )
    raise EvalError(f"cannot convert {type_name(value)} to bool")


def to_string(value: object) -> str | Unknown | None:
    """`tostring`: bools and numbers print canonically; collections cannot convert."""
    if value is None or isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    raise EvalError(f"cannot convert {type_name(value)} to string")


def to_number(value: object) -> Number | Unknown | None:
    """`tonumber`: numbers normalise; strings must be decimal representations."""
    if value is None or isinstance(value, Unknown):
        return value
    if is_number(value):
        return normalize_number(value)
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed is None:
            raise EvalError(
                f"cannot convert {quote(value)} to number; "
                "given string must be a decimal representation of a number"
            )
        return parsed
    raise EvalError(f"cannot convert {type_name(value)} to number")


def is_true(value: object) -> bool | Unknown:
    """The truth of a condition (`cond ? a : b`, `!x`), converting strings as Terraform."""
    if isinstance(value, (bool, Unknown)):
        return value
    if value is None:
        raise EvalError("The condition value is null. Conditions must either be true or false.")
    if isinstance(value, str) and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    raise EvalError("The condition expression must be of type bool.")


# --- equality and sets -----------------------------------------------------------------

def equals(left: object, right: object) -> bool | Unknown:
    """Terraform's `==`: no conversion (`"1" == 1` is false), deep on collections, and
    unknown when an unknown could decide it."""
    if isinstance(left, Unknown):
        return left
    if isinstance(right, Unknown):
        return right
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and _all_equal(zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and _all_equal((left[k], right[k]) for k in left)
    return False


def _all_equal(pairs: Iterable[tuple[object, object]]) -> bool | Unknown:
    unknown: Unknown | None = None
    for a, b in pairs:
        same = equals(a, b)
        if isinstance(same, Unknown):
            unknown = unknown or same
        elif not same:
            return False
    return unknown if unknown is not None else True


def set_items(items: Sequence[object]) -> list[object] | Unknown:
    """A set's elements: deduplicated and in Terraform's iteration order (strings
    lexically, numbers numerically, false before true, null last). Sets of collections
    are ordered by their JSON text: Terraform orders those by hash, which we cannot copy."""
    unknown = next((i for i in items if isinstance(i, Unknown)), None)
    if unknown is not None:
        return unknown  # an unknown element could equal any other: the set is not known
    unique: list[object] = []
    for item in items:
        if not any(equals(item, seen) is True for seen in unique):
            unique.append(item)
    present = [i for i in unique if i is not None]
    nulls = [None] * (len(unique) - len(present))
    if all(isinstance(i, (str, bool)) or is_number(i) for i in present):
        return sorted(present, key=lambda i: (type_name(i), i)) + nulls
    return sorted(present, key=lambda i: json_encode(i, strict=False)) + nulls


# --- type inference, unification and conversion ---------------------------------------

def type_of(value: object) -> TypeSpec | None:
    """The type of a literal value; None for an unknown (it fits any type)."""
    if isinstance(value, Unknown):
        return None
    if value is None:
        return ANY
    if isinstance(value, bool):
        return BOOL
    if is_number(value):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return ("tuple", tuple(type_of(i) or ANY for i in value))
    if isinstance(value, dict):
        return ("object", {k: type_of(v) or ANY for k, v in value.items()})
    raise EvalError(f"unsupported value of Python type {type(value).__name__}")


def unify(types: Iterable[TypeSpec | None]) -> TypeSpec | None:
    """The single type all of `types` convert to (Terraform's unification), or None.

    Strings win over numbers and bools; same-length tuples unify per position, else to a
    list; objects with the same attributes unify per attribute, else to a map. With a
    null among them, structural types, and types with nothing in common, unify to `any`
    (which Terraform then cannot turn into a list of a single type either).
    """
    given = [t for t in types if t is not None]
    known = [t for t in given if t != ANY]
    if not known:
        return ANY
    has_null = len(known) != len(given)
    unified = _unify_known(known, has_null)
    return ANY if unified is None and has_null else unified


def _unify_known(known: list[TypeSpec], has_null: bool) -> TypeSpec | None:
    kinds = {t[0] for t in known}
    if kinds <= _PRIMITIVES:
        if len(kinds) == 1:
            return known[0]
        return STRING if "string" in kinds else None
    if kinds == {"tuple"}:
        return ANY if has_null else _unify_tuples(known)
    if kinds == {"object"}:
        return ANY if has_null else _unify_objects(known)
    if len(kinds) == 1 and kinds <= {"list", "set", "map"}:
        element = unify(t[1] for t in known)
        return None if element is None else (known[0][0], element)
    return None


def _unify_tuples(types: list[TypeSpec]) -> TypeSpec | None:
    if len({len(t[1]) for t in types}) == 1:
        columns = [unify(column) for column in zip(*(t[1] for t in types))]
        if all(c is not None for c in columns):
            return ("tuple", tuple(columns))
    element = unify(e for t in types for e in t[1])
    return None if element is None else ("list", element)


def _unify_objects(types: list[TypeSpec]) -> TypeSpec | None:
    names = types[0][1].keys()
    if all(t[1].keys() == names for t in types):
        attrs = {n: unify(t[1][n] for t in types) for n in names}
        if all(a is not None for a in attrs.values()):
            return ("object", attrs)
    element = unify(a for t in types for a in t[1].values())
    return None if element is None else ("map", element)


def friendly(spec: TypeSpec) -> str:
    """A type constraint as Terraform names it in messages ("list of string")."""
    if spec[0] in ("list", "set", "map"):
        return f"{spec[0]} of {friendly(spec[1])}"
    return "any single type" if spec == ANY else spec[0]


def convert(value: object, spec: TypeSpec) -> object:
    """Convert `value` to the type constraint `spec` as Terraform converts a variable's
    value: primitives convert, collections convert element-wise, object attributes get
    their `optional` defaults (nested too), extra attributes are dropped. Null stays null
    and unknowns stay unknown, at any depth. Raises EvalError with Terraform's wording."""
    return _convert(value, spec, ())


def _convert(value: object, spec: TypeSpec, path: tuple[str, ...]) -> object:
    if value is None or isinstance(value, Unknown) or spec == ANY:
        return value
    kind = spec[0]
    if kind in _PRIMITIVES:
        return _convert_primitive(value, kind, path)
    if kind in ("list", "set"):
        return _convert_sequence(value, spec, path)
    if kind == "map":
        return _convert_map(value, spec, path)
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(spec[1]):
            _fail(path, "tuple required")
        return [_convert(v, t, path + (f"[{i}]",)) for i, (v, t) in enumerate(zip(value, spec[1]))]
    if kind == "object":
        return _convert_object(value, spec[1], path)
    raise EvalError(f"unsupported type constraint {spec!r}")


def _convert_primitive(value: object, kind: str, path: tuple[str, ...]) -> object:
    if isinstance(value, (list, dict)):
        _fail(path, f"{kind} required")
    if kind == "string":
        return to_string(value)
    if kind == "number":
        if isinstance(value, str):
            parsed = parse_number(value)
            return parsed if parsed is not None else _fail(path, "a number is required")
        if not is_number(value):
            _fail(path, "number required")
        return normalize_number(value)
    if isinstance(value, str):
        if value in ("true", "false", "1", "0"):
            return value in ("true", "1")
        _fail(path, "a bool is required")
    return value if isinstance(value, bool) else _fail(path, "bool required")


def _convert_sequence(value: object, spec: TypeSpec, path: tuple[str, ...]) -> object:
    if not isinstance(value, list):
        _fail(path, f"{friendly(spec)} required")
    element = _single_type(value, spec, path) if spec[1] == ANY else spec[1]
    items = [_convert(v, element, path + (f"[{i}]",)) for i, v in enumerate(value)]
    return set_items(items) if spec[0] == "set" else items


def _convert_map(value: object, spec: TypeSpec, path: tuple[str, ...]) -> object:
    if not isinstance(value, dict):
        _fail(path, f"{friendly(spec)} required")
    element = _single_type(list(value.values()), spec, path) if spec[1] == ANY else spec[1]
    return {k: _convert(v, element, path + (f"[{quote(k)}]",)) for k, v in value.items()}


def _single_type(items: list[object], spec: TypeSpec, path: tuple[str, ...]) -> TypeSpec:
    element = unify(type_of(i) for i in items)
    if element is None or (element == ANY and any(i is not None for i in items)):
        if any(isinstance(i, Unknown) for i in items) and element == ANY:
            return ANY
        _fail(path, f"{friendly(spec)} required")
    return element


def _convert_object(value: object, attrs: Mapping[str, object], path: tuple[str, ...]) -> object:
    if not isinstance(value, dict):
        _fail(path, "object required")
    result: dict[str, object] = {}
    for name, raw in attrs.items():
        spec, optional, default = attribute_spec(raw)
        if name not in value and not optional:
            _fail(path, f"attribute {quote(name)} is required")
        item = value.get(name)
        if item is None and optional:
            item = default
        result[name] = _convert(item, spec, path + (f".{name}",))
    return result


def attribute_spec(raw: object) -> tuple[TypeSpec, bool, object]:
    """An object attribute's (type, optional, default), from either documented form."""
    if isinstance(raw, tuple) and raw and isinstance(raw[0], str):
        return raw, False, None
    if isinstance(raw, tuple) and 2 <= len(raw) <= 3:
        return raw[0], bool(raw[1]), raw[2] if len(raw) == 3 else None
    raise EvalError(f"unsupported object attribute constraint {raw!r}")


def _fail(path: tuple[str, ...], message: str) -> NoReturn:
    """Raise a conversion error, prefixed by the path as Terraform formats it."""
    if not path:
        raise ConversionError(message, message)
    if len(path) == 1 and path[0].startswith("."):
        raise ConversionError(f"attribute {quote(path[0][1:])}: {message}", message)
    raise ConversionError("".join(path) + f": {message}", message)


# --- JSON text -------------------------------------------------------------------------

_GO_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                  "\u2028": "\\u2028", "\u2029": "\\u2029"})


def quote(text: str) -> str:
    """A string as Go's JSON encoder (and so Terraform) quotes it: HTML-safe escapes."""
    return json.dumps(text, ensure_ascii=False).translate(_GO_JSON_ESCAPES)


def json_encode(value: object, *, strict: bool = True) -> str:
    """`jsonencode`: compact, keys sorted, Go's escapes (`<` is \\u003c), numbers in
    canonical decimal. Infinity cannot be encoded; an unknown cannot (when `strict`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        if strict and math.isinf(value):
            raise EvalError("cannot serialize infinity as JSON")
        return format_number(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ",".join(json_encode(v, strict=strict) for v in value) + "]"
    if isinstance(value, dict):
        body = ",".join(f"{quote(k)}:{json_encode(value[k], strict=strict)}" for k in sorted(value))
        return "{" + body + "}"
    if isinstance(value, Unknown) and not strict:
        return '"(unknown)"'
    raise EvalError(f"cannot encode {type_name(value)} as JSON")


def json_decode(text: str) -> object:
    """`jsondecode`: numbers as our numbers (big integers exact), duplicate keys last."""
    try:
        return json.loads(text, parse_float=_json_number, parse_int=_json_number,
                          parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise EvalError(err.msg if text.strip() else "EOF") from None
    except InvalidOperation:
        raise EvalError("invalid number") from None


def _json_number(text: str) -> Number:
    return from_decimal(Decimal(text))


def _reject_constant(text: str) -> object:
    raise EvalError(f"invalid character {text[0]!r} looking for beginning of value")
