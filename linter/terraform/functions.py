"""Terraform's built-in functions in pure Python, with Terraform 1.11's semantics.

`FUNCTIONS` maps a function name to a callable taking already-evaluated positional
arguments (the representation is described in `values`). A Terraform error (wrong type,
wrong argument count, out of range) raises `EvalError`. When an argument holds an unknown
anywhere the result is that unknown, except for the functions in `_UNKNOWN_AWARE`, which
know more (`length([unknown])` is 1). Functions whose result Terraform only knows at apply
time (`uuid`, `timestamp`) return an `Unknown` with the reason.

Not here: the file functions (`file`, `templatefile`, `fileexists`, `fileset`) and `try`
and `can`, whose arguments the evaluator evaluates lazily.

Known approximations: string lengths count grapheme clusters approximately (a base
character with its combining marks, ZWJ sequences, flag pairs); numbers are Python
int/float, not 512-bit floats (see `values.number_decimal`); regular expressions are RE2
translated to Python's `re` (unsupported syntax yields an unknown, not a wrong answer).
"""

from __future__ import annotations

import base64
import binascii
import csv
import functools
import hashlib
import inspect
import io
import ipaddress
import itertools
import math
import posixpath
import re
import unicodedata
import urllib.parse
import uuid as uuidlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterator

from linter.model import Unknown, contains_unknown
from linter.terraform.values import (
    ANY,
    STRING,
    EvalError,
    Number,
    convert,
    equals,
    format_number,
    from_decimal,
    is_number,
    json_decode,
    json_encode,
    normalize_number,
    number_decimal,
    parse_number,
    quote,
    set_items,
    to_bool,
    to_number,
    to_string,
    type_name,
    type_of,
    unify,
)

_WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
_MISSING = object()  # marks an optional argument that was not given


# --- argument checks -------------------------------------------------------------------

def _param_error(param: str, message: str) -> EvalError:
    return EvalError(f'Invalid value for "{param}" parameter: {message}')


def _not_null(value: object, param: str) -> object:
    if value is None:
        raise _param_error(param, "argument must not be null")
    return value


def _str(value: object, param: str = "str") -> str:
    if isinstance(_not_null(value, param), (list, dict)):
        raise _param_error(param, "string required")
    return to_string(value)  # type: ignore[return-value]


def _num(value: object, param: str = "num") -> Number:
    if isinstance(_not_null(value, param), (bool, list, dict)):
        raise _param_error(param, "number required")
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed is None:
            raise _param_error(param, "a number is required")
        return parsed
    return normalize_number(value)  # type: ignore[arg-type]


def _int(value: object, param: str) -> int:
    number = _num(value, param)
    if isinstance(number, float) and not number.is_integer():
        raise EvalError(_WHOLE)
    if not -(2**63) <= number < 2**63:
        raise EvalError(_WHOLE)
    return int(number)


def _seq(value: object, param: str, message: str) -> list[object]:
    if not isinstance(_not_null(value, param), list):
        raise _param_error(param, message)
    return value  # type: ignore[return-value]


def _single_type_list(value: object, param: str) -> list[object]:
    """A `list(any)` parameter: a tuple converts to a list of one unified type."""
    items = _seq(value, param, "list of any single type required")
    try:
        return convert(items, ("list", ANY))  # type: ignore[return-value]
    except EvalError as err:
        raise _param_error(param, str(err)) from None


def _string_elements(value: object, param: str, null_message: str) -> list[str]:
    items = _seq(value, param, "list of string required")
    strings = []
    for index, item in enumerate(items):
        if item is None:
            raise _param_error(param, null_message.format(index=index))
        if isinstance(item, (list, dict)):
            raise _param_error(param, f"element {index}: string required")
        strings.append(to_string(item))
    return strings  # type: ignore[return-value]


# --- type conversion -------------------------------------------------------------------

def _converting(fn: Callable[[object], object], value: object) -> object:
    try:
        return fn(value)
    except EvalError as err:
        raise _param_error("v", str(err)) from None


def _tobool(v: object) -> object:
    return _converting(to_bool, v)


def _tostring(v: object) -> object:
    return _converting(to_string, v)


def _tonumber(v: object) -> object:
    return _converting(to_number, v)


def _to_collection(value: object, kind: str) -> object:
    if value is None or isinstance(value, Unknown):
        return value
    failure = _param_error("v", f"cannot convert {type_name(value)} to {kind} of any single type")
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


# --- collections -----------------------------------------------------------------------

def _length(value: object) -> object:
    if isinstance(value, Unknown):
        return value
    if isinstance(_not_null(value, "value"), str):
        return len(_graphemes(value))  # type: ignore[arg-type]
    if isinstance(value, (list, dict)):
        return len(value)
    raise EvalError("argument must be a string, a collection type, or a structural type")


def _mapping(value: object, param: str, message: str) -> dict[str, object]:
    if not isinstance(_not_null(value, param), dict):
        raise _param_error(param, message)
    return value  # type: ignore[return-value]


def _keys(input_map: object) -> object:
    if isinstance(input_map, Unknown):
        return input_map
    return sorted(_mapping(input_map, "inputMap", "must have map or object type"))


def _values(input_map: object) -> object:
    if isinstance(input_map, Unknown):
        return input_map
    mapping = _mapping(input_map, "inputMap", "must have map or object type")
    return [mapping[k] for k in sorted(mapping)]


def _lookup(input_map: object, key: object, default: object = _MISSING) -> object:
    for arg in (input_map, key):
        if isinstance(arg, Unknown):
            return arg  # a known map with unknown values can still answer
    mapping = _mapping(input_map, "inputMap", "lookup() requires a map as the first argument")
    name = _str(key, "key")
    if name in mapping:
        return mapping[name]
    if default is not _MISSING:
        return default
    raise _param_error("inputMap", f"the given object has no attribute {quote(name)}")


def _merge(*maps: object) -> object:
    merged: dict[str, object] = {}
    for mapping in maps:
        if isinstance(mapping, Unknown):
            return mapping  # its keys are not known, so neither are the result's
        if mapping is None:
            continue
        if not isinstance(mapping, dict):
            raise EvalError(f"arguments must be maps or objects, got {quote(type_name(mapping))}")
        merged.update(mapping)
    return merged


def _concat(*seqs: object) -> object:
    if not seqs:
        raise EvalError("at least one argument is required")
    result: list[object] = []
    for seq in seqs:
        if isinstance(seq, Unknown):
            return seq
        if not isinstance(_not_null(seq, "seqs"), list):
            raise _param_error("seqs", f"all arguments must be lists or tuples; got {type_name(seq)}")
        result.extend(seq)  # type: ignore[arg-type]
    return result


def _contains(items: object, value: object) -> object:
    for arg in (items, value):
        if isinstance(arg, Unknown):
            return arg
    _not_null(value, "value")
    if not isinstance(_not_null(items, "list"), list):
        raise EvalError("argument must be list, tuple, or set")
    unknown: Unknown | None = None
    for item in items:  # type: ignore[union-attr]
        same = equals(item, value)
        if same is True:
            return True
        if isinstance(same, Unknown):
            unknown = unknown or same
    return unknown if unknown is not None else False


def _index(items: object, value: object) -> object:
    if not isinstance(_not_null(items, "list"), list):
        raise EvalError("argument must be a list or tuple")
    for position, item in enumerate(items):  # type: ignore[arg-type]
        if equals(item, value) is True:
            return position
    raise EvalError("item not found")


def _element(items: object, index: object) -> object:
    if isinstance(items, Unknown) or isinstance(index, Unknown):
        return items if isinstance(items, Unknown) else index
    if not isinstance(_not_null(items, "list"), list):
        raise EvalError(f"cannot read elements from {type_name(items)}")
    try:
        position = _int(index, "index")
    except EvalError as err:
        raise EvalError(f"invalid index: {err}") from None
    if not items:
        raise EvalError("cannot use element function with an empty list")
    if position < 0:
        raise EvalError("cannot use element function with a negative index")
    return items[position % len(items)]  # type: ignore[index]


def _flatten(items: object) -> object:
    if not isinstance(_not_null(items, "list"), list):
        raise EvalError("can only flatten lists, sets and tuples")
    flat: list[object] = []
    for item in items:  # type: ignore[union-attr]
        flat.extend(_flatten(item) if isinstance(item, list) else [item])  # type: ignore[arg-type]
    return flat


def _distinct(items: object) -> object:
    unique: list[object] = []
    for item in _single_type_list(items, "list"):
        if not any(equals(item, seen) is True for seen in unique):
            unique.append(item)
    return unique


def _compact(items: object) -> object:
    strings = _seq(items, "list", "list of string required")
    kept = []
    for index, item in enumerate(strings):
        if isinstance(item, (list, dict)):
            raise _param_error("list", f"element {index}: string required")
        if item is not None and to_string(item) != "":
            kept.append(to_string(item))
    return kept


def _one(items: object) -> object:
    if not isinstance(_not_null(items, "list"), list) or len(items) > 1:  # type: ignore[arg-type]
        raise _param_error("list", "must be a list, set, or tuple value with either zero or one elements")
    return items[0] if items else None  # type: ignore[index]


def _bools(items: object) -> list[object]:
    values = []
    for index, item in enumerate(_seq(items, "list", "list of bool required")):
        if isinstance(item, str) and item in ("true", "false", "1", "0"):
            item = to_bool(item)
        elif not (item is None or isinstance(item, (bool, Unknown))):
            raise _param_error("list", f"element {index}: bool required")
        values.append(item)
    return values


def _alltrue(items: object) -> object:
    unknown = None
    for item in _bools(items):
        if isinstance(item, Unknown):
            unknown = unknown or item
        elif item is not True:
            return False  # null counts as not true
    return unknown if unknown is not None else True


def _anytrue(items: object) -> object:
    unknown = None
    for item in _bools(items):
        if isinstance(item, Unknown):
            unknown = unknown or item
        elif item is True:
            return True
    return unknown if unknown is not None else False


def _zipmap(keys: object, values: object) -> object:
    found = contains_unknown(keys) or (values if isinstance(values, Unknown) else None)
    if found is not None:
        return found
    names = _string_elements(keys, "keys", "element {index}: string required")
    items = _seq(values, "values", "list or tuple required")
    if len(names) != len(items):
        raise EvalError(f"number of keys ({len(names)}) does not match number of values ({len(items)})")
    return dict(zip(names, items))


def _range(*params: object) -> object:
    if not 1 <= len(params) <= 3:
        raise EvalError("must have one, two, or three arguments")
    nums = [number_decimal(_num(p, "params")) for p in params]
    if len(nums) == 1:
        nums = [Decimal(0), nums[0]]
    start, end = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else Decimal(-1 if end < start else 1)
    down = step < 0
    if down and end > start:
        raise _param_error("params", "end must be less than start when step is negative")
    if not down and end < start:
        raise _param_error("params", "end must be greater than start when step is positive")
    result: list[object] = []
    current = start
    while current > end if down else current < end:  # a zero step runs into the limit, as in Terraform
        if len(result) >= 1024:
            raise EvalError("more than 1024 values were generated; either decrease the difference "
                            "between start and end or use a smaller step")
        result.append(from_decimal(current))
        current += step
    return result


def _slice(items: object, start_index: object, end_index: object) -> object:
    if isinstance(items, Unknown):
        return items
    seq = _seq(items, "list", "must be a list or tuple value")
    start, end = _int(start_index, "start_index"), _int(end_index, "end_index")
    if start < 0:
        raise _param_error("start_index", "start index must not be less than zero")
    if end > len(seq):
        raise _param_error("end_index", "end index must not be greater than the length of the list")
    if start > end:
        raise _param_error("start_index", "start index must not be greater than end index")
    return seq[start:end]


def _reverse(items: object) -> object:
    if isinstance(items, Unknown):
        return items
    if not isinstance(_not_null(items, "list"), list):
        raise _param_error("list", f"can only reverse list or tuple values, not {type_name(items)}")
    return items[::-1]  # type: ignore[index]


def _sort(items: object) -> object:
    strings = _seq(items, "list", "list of string required")
    for index, item in enumerate(strings):
        if item is None:
            raise EvalError(f"given list element {index} is null; a null string cannot be sorted")
    return sorted(_string_elements(strings, "list", "element {index}: string required"))


def _set_arguments(sets: tuple[object, ...], param: str) -> list[list[object]]:
    """Set arguments converted to one common element type, deduplicated and ordered:
    each becomes a set of its own element type first, as Terraform converts arguments."""
    element_types = []
    for given in sets:
        try:
            converted = convert(_seq(given, param, "set of any single type required"), ("set", ANY))
        except EvalError:
            raise _param_error(param, "set of any single type required") from None
        element_types.append(unify(type_of(i) for i in converted))  # type: ignore[union-attr]
    element = unify(element_types)
    if element is None:
        raise EvalError("given sets must all have compatible element types")
    return [set_items([convert(i, element) for i in given]) for given in sets]  # type: ignore[misc, union-attr]


def _setunion(first_set: object, *other_sets: object) -> object:
    converted = _set_arguments((first_set, *other_sets), "first_set")
    return set_items([item for given in converted for item in given])


def _setintersection(first_set: object, *other_sets: object) -> object:
    first, *others = _set_arguments((first_set, *other_sets), "first_set")
    return [i for i in first if all(any(equals(i, o) is True for o in other) for other in others)]


def _setsubtract(a: object, b: object) -> object:
    first, second = _set_arguments((a, b), "a")
    return [i for i in first if not any(equals(i, o) is True for o in second)]


def _setproduct(*sets: object) -> object:
    if len(sets) < 2:
        raise EvalError("at least two arguments are required")
    seqs = [_single_type_list(s, "sets") for s in sets]
    return [list(combination) for combination in itertools.product(*seqs)]


def _transpose(values: object) -> object:
    mapping = _mapping(values, "values", "map of list of string required")
    result: dict[str, list[object]] = {}
    for key in sorted(mapping):
        items = _seq(mapping[key], "values", "map of list of string required")
        for item in items:
            if item is None:
                raise EvalError("input list must not contain null string")
            result.setdefault(_str(item, "values"), []).append(key)
    return {k: result[k] for k in sorted(result)}


def _chunklist(items: object, size: object) -> object:
    seq = _single_type_list(items, "list")
    chunk = _int(size, "size")
    if chunk < 0:
        raise EvalError("the size argument must be positive")
    if chunk == 0:
        return [seq] if seq else []
    return [seq[i:i + chunk] for i in range(0, len(seq), chunk)]


def _matchkeys(values: object, keys: object, searchset: object) -> object:
    vals = _seq(values, "values", "list required")
    names = _seq(keys, "keys", "list required")
    search = _seq(searchset, "searchset", "list required")
    if len(vals) != len(names):
        raise EvalError("length of keys and values should be equal")
    element = unify(type_of(i) for i in [*names, *search])
    if element is None:
        raise EvalError("keys and searchset must be of the same type")
    wanted = [convert(s, element) for s in search]
    return [v for v, k in zip(vals, names) if any(equals(convert(k, element), w) is True for w in wanted)]


def _coalesce(*vals: object) -> object:
    target = unify(type_of(v) for v in vals) if vals else None
    if target is None:
        raise EvalError("all arguments must have the same type")
    for value in vals:
        if isinstance(value, Unknown):
            return value
        if value is None:
            continue
        converted = convert(value, target)
        if target == STRING and converted == "":
            continue
        return converted
    raise EvalError("no non-null, non-empty-string arguments")


def _coalescelist(*vals: object) -> object:
    if not all(isinstance(v, (list, Unknown)) for v in vals):
        raise EvalError("coalescelist arguments must be lists or tuples")
    for value in vals:
        if isinstance(value, Unknown) or value:
            return value
    raise EvalError("no non-null arguments")


# --- numbers ---------------------------------------------------------------------------

def _abs(num: object) -> object:
    return abs(_num(num))


def _ceil(num: object) -> object:
    value = _num(num)
    return value if isinstance(value, int) or value.is_integer() or math.isinf(value) else math.ceil(value)


def _floor(num: object) -> object:
    value = _num(num)
    return value if isinstance(value, int) or value.is_integer() or math.isinf(value) else math.floor(value)


def _signum(num: object) -> object:
    value = _int(num, "num")  # Terraform insists on a whole number here
    return (value > 0) - (value < 0)


def _pow(num: object, power: object) -> object:
    base, exponent = float(_num(num)), float(_num(power, "power"))
    try:
        result = math.pow(base, exponent)  # Terraform computes pow in float64 too
    except OverflowError:
        result = math.inf
    except ValueError:
        raise EvalError("the result of pow() is not a number") from None
    return normalize_number(result)


def _go_log(value: float) -> float:
    if value == 0:
        return -math.inf
    return math.nan if value < 0 else math.log(value)


def _log(num: object, base: object) -> object:
    top, bottom = _go_log(float(_num(num))), _go_log(float(_num(base, "base")))
    result = top / bottom if bottom else (math.copysign(math.inf, top) if top else math.nan)
    if math.isnan(result):
        raise EvalError("the result of log() is not a number")
    return normalize_number(result)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parseint(number: object, base: object) -> object:
    text, radix = _str(number, "number"), _int(base, "base")
    if not 2 <= radix <= 62:
        raise _param_error("base", "base must be a whole number between 2 and 62 inclusive")
    digits = text[1:] if text[:1] in "+-" else text
    folded = digits.lower() if radix <= 36 else digits
    if not digits or any(_DIGITS.find(c) not in range(radix) for c in folded):
        raise _param_error("number", f"cannot parse {quote(text)} as a base {radix} integer")
    value = 0
    for char in folded:
        value = value * radix + _DIGITS.index(char)
    return -value if text.startswith("-") else value


def _min(*numbers: object) -> object:
    if not numbers:
        raise EvalError("must pass at least one number")
    return min(_num(n, "numbers") for n in numbers)


def _max(*numbers: object) -> object:
    if not numbers:
        raise EvalError("must pass at least one number")
    return max(_num(n, "numbers") for n in numbers)


def _sum(items: object) -> object:
    if not isinstance(_not_null(items, "list"), list):
        raise _param_error("list", "cannot sum noniterable")
    if not items:
        raise _param_error("list", "cannot sum an empty list")
    total = Decimal(0)
    for item in items:  # type: ignore[union-attr]
        if item is None or isinstance(item, (bool, list, dict)):
            raise _param_error("list", "argument must be list, set, or tuple of number values")
        total += number_decimal(_num(item, "list"))
    return from_decimal(total)


# --- strings ---------------------------------------------------------------------------

def _graphemes(text: str) -> list[str]:
    """Grapheme clusters, approximately: a character with its combining marks and
    variation selectors, ZWJ sequences, regional-indicator pairs, CR LF. Terraform
    normalises strings to NFC, so we do too."""
    clusters: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if clusters and _extends(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _extends(cluster: str, char: str) -> bool:
    code = ord(char)
    if cluster == "\r" and char == "\n":
        return True
    if unicodedata.category(char) in ("Mn", "Me", "Mc") or char == "\u200d" or cluster[-1] == "\u200d":
        return True
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    regional = 0x1F1E6 <= code <= 0x1F1FF
    return regional and len(cluster) == 1 and 0x1F1E6 <= ord(cluster) <= 0x1F1FF


def _simple_case(char: str, mapped: str) -> str:
    """Go maps case rune by rune: a character whose mapping is longer stays as it is."""
    return mapped if len(mapped) == 1 else char


def _upper(s: object) -> object:
    return "".join(_simple_case(c, c.upper()) for c in _str(s))


def _lower(s: object) -> object:
    # Python's full mapping of U+0130 adds a combining dot; Go's simple mapping does not.
    return "".join(_simple_case(c, "i" if c == "\u0130" else c.lower()) for c in _str(s))


def _is_word_separator(char: str) -> bool:
    """Go's strings.Title: which characters start a new word after them."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    category = unicodedata.category(char)
    if category.startswith("L") or category == "Nd":
        return False
    return char.isspace()


def _title(s: object) -> object:
    out, previous = [], " "
    for char in _str(s):
        out.append(_simple_case(char, char.title()) if _is_word_separator(previous) else char)
        previous = char
    return "".join(out)


# Go's unicode.IsSpace, which Python's str.isspace exceeds (it also strips \x1c-\x1f).
_GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
             "\u200a\u2028\u2029\u202f\u205f\u3000")


def _trimspace(s: object) -> object:
    return _str(s).strip(_GO_SPACE)


def _trim(s: object, cutset: object) -> object:
    return _str(s).strip(_str(cutset, "cutset"))


def _trimprefix(s: object, prefix: object) -> object:
    return _str(s).removeprefix(_str(prefix, "prefix"))


def _trimsuffix(s: object, suffix: object) -> object:
    return _str(s).removesuffix(_str(suffix, "suffix"))


def _startswith(s: object, prefix: object) -> object:
    return _str(s).startswith(_str(prefix, "prefix"))


def _endswith(s: object, suffix: object) -> object:
    return _str(s).endswith(_str(suffix, "suffix"))


def _strcontains(s: object, substr: object) -> object:
    return _str(substr, "substr") in _str(s)


def _chomp(s: object) -> object:
    return re.sub(r"(?:\r\n|\r|\n)+\Z", "", _str(s))


def _indent(spaces: object, s: object) -> object:
    count, text = _int(spaces, "spaces"), _str(s)
    if count < 0:
        raise EvalError("strings: negative Repeat count")
    return text.replace("\n", "\n" + " " * count)


def _join(separator: object, *lists: object) -> object:
    sep = _str(separator, "separator")
    if not lists:
        raise EvalError("at least one list is required")
    parts: list[str] = []
    for given in lists:
        null_message = "element {index} is null; cannot concatenate null values"
        for text in _string_elements(given, "lists", null_message):
            parts.append(text)
    return sep.join(parts)


def _split(separator: object, s: object) -> object:
    sep, text = _str(separator, "separator"), _str(s)
    return list(text) if sep == "" else text.split(sep)


def _strrev(s: object) -> object:
    return "".join(reversed(_graphemes(_str(s))))


def _substr(s: object, offset: object, length: object) -> object:
    clusters = _graphemes(_str(s))
    start, count = _int(offset, "offset"), _int(length, "length")
    if start < 0:
        # Terraform quirk: from a negative offset, a zero length takes the rest.
        start, count = max(start + len(clusters), 0), count or -1
    if start >= len(clusters) or count == 0:
        return ""
    return "".join(clusters[start:] if count < 0 else clusters[start:start + count])


# --- regular expressions ---------------------------------------------------------------

_PERL_CLASSES = {"d": "[0-9]", "D": "[^0-9]", "s": "[\\t\\n\\f\\r ]", "S": "[^\\t\\n\\f\\r ]",
                 "w": "[0-9A-Za-z_]", "W": "[^0-9A-Za-z_]", "z": "\\Z"}
_PERL_IN_CLASS = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
_POSIX_CLASSES = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
                  "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
                  "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ",
                  "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f"}
_UNICODE_CLASSES = {"L": "[^\\W\\d_]", "N": "\\d", "Nd": "\\d"}


class _Untranslatable(Exception):
    """RE2 syntax with no faithful Python equivalent: the result is unknown, not wrong."""


@dataclass
class _RegexTranslator:
    """Rewrites an RE2 pattern for Python's `re`: ASCII `\\d\\s\\w`, POSIX classes, `$`
    as end of text, `\\z`, `\\Q...\\E`, `(?<name>`, mid-pattern flag groups."""

    pattern: str
    pos: int = 0
    in_class: bool = False

    def translate(self) -> str:
        out: list[str] = []
        closers = [0]  # per open group: scoped flag groups to close along with it
        multiline = re.search(r"\(\?[a-zA-Z]*m", self.pattern) is not None
        while self.pos < len(self.pattern):
            char = self.pattern[self.pos]
            if char == "\\":
                out.append(self._escape())
            elif self.in_class:
                out.append(self._class_char())
            elif char == "[":
                out.append(self._class_start())
            elif char == "(":
                out.append(self._group(closers))
            elif char == ")":
                out.append(")" * (closers.pop() + 1) if len(closers) > 1 else ")")
                self.pos += 1
            else:
                out.append("\\Z" if char == "$" and not multiline else char)
                self.pos += 1
        return "".join(out) + ")" * closers[0]

    def _escape(self) -> str:
        pattern, at = self.pattern, self.pos
        if at + 1 >= len(pattern):
            raise EvalError("error parsing regexp: trailing backslash at end of expression: ``")
        code = pattern[at + 1]
        self.pos += 2
        if code == "Q":
            end = pattern.find("\\E", self.pos)
            literal = pattern[self.pos:] if end < 0 else pattern[self.pos:end]
            self.pos = len(pattern) if end < 0 else end + 2
            return re.escape(literal)
        if code in "pP":
            return self._unicode_class(code == "P")
        if code == "x" and pattern[self.pos:self.pos + 1] == "{":
            end = pattern.index("}", self.pos)
            char = chr(int(pattern[self.pos + 1:end], 16))
            self.pos = end + 1
            return re.escape(char)
        if code.isdigit() and code != "0":
            raise EvalError(f"error parsing regexp: invalid escape sequence: `\\{code}`")
        table = _PERL_IN_CLASS if self.in_class else _PERL_CLASSES
        return table.get(code, "\\" + code)

    def _unicode_class(self, negated: bool) -> str:
        pattern = self.pattern
        if pattern[self.pos:self.pos + 1] == "{":
            end = pattern.index("}", self.pos)
            name, self.pos = pattern[self.pos + 1:end], end + 1
        else:
            name, self.pos = pattern[self.pos:self.pos + 1], self.pos + 1
        if name not in _UNICODE_CLASSES or self.in_class:
            raise _Untranslatable(name)
        if name == "L":
            return "[\\W\\d_]" if negated else "[^\\W\\d_]"
        return "\\D" if negated else "\\d"

    def _class_start(self) -> str:
        self.in_class = True
        self.pos += 1
        head = "["
        if self.pattern[self.pos:self.pos + 1] == "^":
            head, self.pos = "[^", self.pos + 1
        if self.pattern[self.pos:self.pos + 1] == "]":  # a leading ] is literal
            head, self.pos = head + "\\]", self.pos + 1
        return head

    def _class_char(self) -> str:
        pattern, char = self.pattern, self.pattern[self.pos]
        if pattern.startswith("[:", self.pos):
            end = pattern.find(":]", self.pos)
            name = pattern[self.pos + 2:end] if end > 0 else ""
            if name not in _POSIX_CLASSES:
                raise _Untranslatable(f"[:{name}:]")
            self.pos = end + 2
            return _POSIX_CLASSES[name]
        self.pos += 1
        if char == "]":
            self.in_class = False
            return "]"
        return "\\" + char if char in "[&~|" else char  # Python warns on these as set syntax

    def _group(self, closers: list[int]) -> str:
        pattern, at = self.pattern, self.pos
        flags = re.match(r"\(\?([imsU-]*)\)", pattern[at:])
        if flags:
            self.pos += flags.end()
            if "U" in flags.group(1):
                raise _Untranslatable("(?U)")
            if at == 0:
                return flags.group(0)
            closers[-1] += 1  # RE2 applies mid-pattern flags to the rest of the group
            return f"(?{flags.group(1)}:"
        for perl in ("(?=", "(?!", "(?<=", "(?<!"):
            if pattern.startswith(perl, at):
                raise EvalError(f"error parsing regexp: invalid or unsupported Perl syntax: `{perl}`")
        closers.append(0)
        if pattern.startswith("(?<", at):
            self.pos += 3
            return "(?P<"
        self.pos += 1
        return "("


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | Unknown:
    try:
        translated = _RegexTranslator(pattern).translate()
    except _Untranslatable as err:
        return Unknown(f"regular expression feature {err} is not supported by iaclint")
    except ValueError:
        raise EvalError(f"error parsing regexp: invalid pattern `{pattern}`") from None
    try:
        return re.compile(translated)
    except re.error as err:
        raise EvalError(f"error parsing regexp: {err}") from None


def _go_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches as Go finds them: an empty match right after a match is not one."""
    previous_end = -1
    for match in regex.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


def _pattern(pattern: object) -> re.Pattern[str] | Unknown:
    regex = _compile(_str(pattern, "pattern"))
    if isinstance(regex, re.Pattern) and regex.groupindex and len(regex.groupindex) != regex.groups:
        raise _param_error("pattern", "invalid regexp pattern: cannot mix both named and unnamed "
                                      "capture groups")
    return regex


def _match_value(regex: re.Pattern[str], match: re.Match[str]) -> object:
    if regex.groupindex:
        return {name: match.group(name) for name in regex.groupindex}
    return list(match.groups()) if regex.groups else match.group(0)


def _regex(pattern: object, s: object) -> object:
    regex, text = _pattern(pattern), _str(s, "string")
    if isinstance(regex, Unknown):
        return regex
    match = next(_go_matches(regex, text), None)
    if match is None:
        raise EvalError("pattern did not match any part of the given string")
    return _match_value(regex, match)


def _regexall(pattern: object, s: object) -> object:
    regex, text = _pattern(pattern), _str(s, "string")
    if isinstance(regex, Unknown):
        return regex
    return [_match_value(regex, m) for m in _go_matches(regex, text)]


def _expand(template: str, match: re.Match[str]) -> str:
    """Go's regexp template expansion: `$1`, `$name`, `${name}`, `$$`; a reference to
    a group that does not exist expands to nothing (so `$1x` is group "1x")."""
    out, pos = [], 0
    while pos < len(template):
        char = template[pos]
        if char != "$" or pos + 1 >= len(template):
            out.append(char)
            pos += 1
            continue
        if template[pos + 1] == "$":
            out.append("$")
            pos += 2
            continue
        braced = re.match(r"\{(\w+)\}" if template[pos + 1] == "{" else r"(\w+)", template[pos + 1:])
        if braced is None:
            out.append("$")
            pos += 1
            continue
        out.append(_group_text(match, braced.group(1)))
        pos += 1 + braced.end()
    return "".join(out)


def _group_text(match: re.Match[str], name: str) -> str:
    if name.isdigit():
        index = int(name)
        return (match.group(index) or "") if index <= match.re.groups else ""
    return (match.group(name) or "") if name in match.re.groupindex else ""


def _replace(s: object, substr: object, replace: object) -> object:
    text, search, replacement = _str(s), _str(substr, "substr"), _str(replace, "replace")
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        regex = _compile(search[1:-1])
        if isinstance(regex, Unknown):
            return regex
        out, last = [], 0
        for match in _go_matches(regex, text):
            out += [text[last:match.start()], _expand(replacement, match)]
            last = match.end()
        return "".join(out) + text[last:]
    return text.replace(search, replacement)


# --- format and formatlist -------------------------------------------------------------

_VERBS = frozenset("vtbdoxXeEfgGsq")


@dataclass(frozen=True)
class _Verb:
    """One `%` directive of a format string, as written and where."""

    text: str
    offset: int
    flags: str
    width: int | None
    precision: int | None
    argument: int | None  # an explicit 1-based `[n]` index
    verb: str


def _digits(text: str, pos: int) -> tuple[int | None, int]:
    end = pos
    while end < len(text) and text[end].isdigit():
        end += 1
    return (int(text[pos:end]) if end > pos else None), end


def _parse_format(fmt: str) -> list[str | _Verb]:
    pieces: list[str | _Verb] = []
    pos = 0
    while pos < len(fmt):
        if fmt[pos] != "%":
            pieces.append(fmt[pos])
            pos += 1
        elif fmt.startswith("%%", pos):
            pieces.append("%")
            pos += 2
        else:
            verb, pos = _parse_verb(fmt, pos)
            pieces.append(verb)
    return pieces


def _parse_verb(fmt: str, start: int) -> tuple[_Verb, int]:
    pos = start + 1
    while pos < len(fmt) and fmt[pos] in "+- #0":
        pos += 1
    flags = fmt[start + 1:pos]
    width, pos = _digits(fmt, pos)
    precision = None
    if fmt.startswith(".", pos):  # a bare "." is precision 0
        precision, pos = _digits(fmt, pos + 1)
        precision = precision or 0
    argument = None
    if fmt.startswith("[", pos):  # an explicit argument index, "[n]"
        argument, end = _digits(fmt, pos + 1)
        bad = pos + 1 if argument == 0 else end if argument is None or fmt[end:end + 1] != "]" else None
        if bad is not None and bad < len(fmt):
            raise EvalError(f"unrecognized format character {fmt[bad]!r} at offset {bad}")
        pos = end + 1
    if pos >= len(fmt):
        raise EvalError(f"invalid format string starting at offset {len(fmt)}")
    verb = fmt[pos]
    if verb not in _VERBS:
        if verb.isalpha():
            written = quote(fmt[start:pos + 1])
            raise EvalError(f"unsupported format verb {verb!r} in {written} at offset {start}")
        raise EvalError(f"unrecognized format character {verb!r} at offset {pos}")
    return _Verb(fmt[start:pos + 1], start, flags, width, precision, argument, verb), pos + 1


def _format(format: object, *args: object) -> object:
    pieces = _parse_format(_str(format, "format"))
    out: list[str] = []
    next_argument, used, verbs = 0, 0, 0
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        verbs += 1
        index = piece.argument - 1 if piece.argument else next_argument
        if index >= len(args):
            raise EvalError(f"not enough arguments for {quote(piece.text)} at {piece.offset}: "
                            f"need index {index + 1} but have {len(args)} total")
        out.append(_format_verb(piece, args[index]))
        next_argument, used = index + 1, max(used, index + 1)
    if args and not verbs:
        raise _param_error("args", "too many arguments; no verbs in format string")
    if used < len(args):
        raise _param_error("args", f"too many arguments; only {used} used by format string")
    return "".join(out)


def _format_verb(verb: _Verb, value: object) -> str:
    def unsupported(message: str) -> EvalError:
        return EvalError(f"unsupported value for {quote(verb.text)} at {verb.offset}: {message}")

    if value is None:
        # Terraform returns unknown for an untyped null literal; a typed null (the usual
        # case, from a variable) is this error.
        raise unsupported("null value cannot be formatted")
    if verb.verb == "v":
        if "#" in verb.flags or isinstance(value, (list, dict)):
            return _pad_text(json_encode(value), verb)
        text = _go_shortest_g(value) if is_number(value) else to_string(value)  # type: ignore[arg-type]
        return _pad_text(text, verb)  # type: ignore[arg-type]
    if verb.verb in "sq":
        if isinstance(value, (list, dict)):
            raise unsupported("string required")
        text: str = to_string(value)  # type: ignore[assignment]
        if verb.precision:  # Terraform ignores a zero precision for strings
            text = "".join(_graphemes(text)[:verb.precision])
        return _pad_text(quote(text) if verb.verb == "q" else text, verb)
    if verb.verb == "t":
        if isinstance(value, str) and value in ("true", "false", "1", "0"):
            return "true" if to_bool(value) else "false"
        if not isinstance(value, bool):
            raise unsupported("a bool is required" if isinstance(value, str) else "bool required")
        return "true" if value else "false"
    if isinstance(value, (bool, list, dict)):
        raise unsupported("number required")
    number = parse_number(value) if isinstance(value, str) else value
    if number is None:
        raise unsupported("a number is required")
    if verb.verb in "bdoxX":
        if isinstance(number, float) and not number.is_integer():
            raise unsupported("an integer is required")
        return _format_integer(int(number_decimal(number)), verb)  # type: ignore[arg-type]
    return _format_float(number, verb)  # type: ignore[arg-type]


def _pad_text(text: str, verb: _Verb) -> str:
    """Go's string padding, counted in grapheme clusters as Terraform counts: "0" pads
    with zeros, on the right too when with "-"."""
    length = len(_graphemes(text))
    if verb.width is None or length >= verb.width:
        return text
    fill = ("0" if "0" in verb.flags else " ") * (verb.width - length)
    return text + fill if "-" in verb.flags else fill + text


def _pad_float(text: str, verb: _Verb) -> str:
    """big.Float's padding: "0" wins over "-" and pads after the sign."""
    if verb.width is None or len(text) >= verb.width:
        return text
    fill = verb.width - len(text)
    if "0" in verb.flags:
        sign = text[0] if text[:1] in "+- " else ""
        return sign + "0" * fill + text[len(sign):]
    return text + " " * fill if "-" in verb.flags else " " * fill + text


def _sign(negative: bool, flags: str) -> str:
    return "-" if negative else "+" if "+" in flags else " " if " " in flags else ""


def _format_integer(number: int, verb: _Verb) -> str:
    """%d %b %o %x %X as big.Int formats them: "-" wins over "0", zero padding goes
    between the sign/prefix and the digits, and `%.0d` of zero prints nothing at all."""
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb.verb]
    if verb.precision == 0 and number == 0:
        return ""
    text, rest = "", abs(number)
    while rest or not text:
        text, rest = _DIGITS[rest % base] + text, rest // base
    text = text.upper() if verb.verb == "X" else text
    if verb.precision is not None:
        text = text.rjust(verb.precision, "0")
    head = _sign(number < 0, verb.flags)
    if "#" in verb.flags:
        head += {"x": "0x", "X": "0X", "o": "0", "b": "0b"}.get(verb.verb, "")
    fill = max((verb.width or 0) - len(head) - len(text), 0)
    if "-" in verb.flags:
        return head + text + " " * fill
    if "0" in verb.flags and verb.precision is None:
        return head + "0" * fill + text
    return " " * fill + head + text


def _format_float(number: Number, verb: _Verb) -> str:
    """%e %f %g as big.Float formats them: "#" has no effect, %g without a precision
    is the shortest form."""
    if verb.verb in "gG" and verb.precision is None:
        text = _go_shortest_g(number)
        text = text.upper() if verb.verb == "G" else text
    elif verb.verb == "f":  # exact decimal rounding, and no float overflow for big integers
        text = format(number_decimal(number), f".{6 if verb.precision is None else verb.precision}f")
    else:
        text = f"%.{6 if verb.precision is None else verb.precision}{verb.verb}" % float(number)
    text = _sign(text.startswith("-"), verb.flags) + text.lstrip("-")
    return _pad_float(text, verb)


def _go_shortest_g(number: Number) -> str:
    """A number as Go's `%v` prints a big float: shortest digits, with an exponent when
    it is below -4 or at least 6 (`1e+06`, `1.5`, `100000`)."""
    if isinstance(number, float) and math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    value = number_decimal(number)
    if value == 0:
        return "0"
    sign, digit_tuple, exponent = value.normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent) - 1
    prefix = "-" if sign else ""
    if point < -4 or point >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if point < 0 else '+'}{abs(point):02d}"
    return prefix + format_number(abs(from_decimal(value)))


def _formatlist(format: object, *args: object) -> object:
    length, first = None, 0
    for position, arg in enumerate(args):
        if not isinstance(arg, list):
            continue
        if length is None:
            length, first = len(arg), position
        elif len(arg) != length:
            raise _param_error("args", f"argument {position + 1} has length {len(arg)}, which is "
                                       f"inconsistent with argument {first + 1} of length {length}")
    results = []
    for iteration in range(1 if length is None else length):
        row = [a[iteration] if isinstance(a, list) else a for a in args]
        try:
            results.append(_format(format, *row))
        except EvalError as err:
            raise EvalError(f"error on format iteration {iteration}: {err}") from None
    return results


# --- encodings -------------------------------------------------------------------------

def _jsonencode(value: object) -> object:
    return json_encode(value)


def _jsondecode(s: object) -> object:
    return json_decode(_str(s))


def _base64encode(s: object) -> object:
    return base64.b64encode(_str(s).encode()).decode()


def _base64decode(s: object) -> object:
    text = _str(s)
    cleaned = text.replace("\r", "").replace("\n", "")  # Go skips line breaks, nothing else
    try:
        if len(cleaned) % 4:  # Go wants exact padding; Python tolerates extra "="
            raise binascii.Error
        raw = base64.b64decode(cleaned, validate=True)
    except binascii.Error:
        raise EvalError(f"failed to decode base64 data {quote(text)}") from None
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise EvalError("the result of decoding the provided string is not valid UTF-8") from None


def _urlencode(s: object) -> object:
    return urllib.parse.quote_plus(_str(s), safe="")


def _csv_bare_quote(text: str) -> int | None:
    """The line of a quote inside an unquoted field, which Go's reader rejects."""
    line, quoted, field_start = 1, False, True
    for position, char in enumerate(text):
        if quoted:
            quoted = char != '"' or text[position + 1:position + 2] == '"'
        elif char == '"':
            if not field_start:
                return line
            quoted = True
        field_start = char in ",\n"
        line += char == "\n"
    return None


def _csvdecode(s: object) -> object:
    bare = _csv_bare_quote(_str(s))
    if bare is not None:
        raise EvalError(f'CSV parse error on line {bare}: bare " in non-quoted-field')
    reader = csv.reader(io.StringIO(_str(s), newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if row:  # Go's reader skips empty lines
                rows.append((reader.line_num, row))
    except csv.Error as err:
        raise EvalError(f"CSV parse error on line {reader.line_num}: {err}") from None
    if not rows:
        raise EvalError("missing header line")
    header = rows[0][1]
    for position, name in enumerate(header):
        if name in header[:position]:
            raise EvalError(f"duplicate column name {quote(name)}")
    records = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise EvalError(f"CSV parse error on line {line}: wrong number of fields")
        records.append(dict(zip(header, row)))
    return records


# --- YAML ------------------------------------------------------------------------------

_YAML_BREAKS = "\n\r\x85\u2028\u2029"
_YAML_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f",
                 "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L",
                 "\u2029": "P"}


def _yaml_printable(char: str) -> bool:
    code = ord(char)  # libyaml's test, which leaves out everything beyond the BMP
    return (code == 0x0A or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF))


def _yaml_escape(char: str) -> str:
    code = ord(char)
    if char in _YAML_ESCAPES:
        return "\\" + _YAML_ESCAPES[char]
    if code <= 0xFF:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


@dataclass
class _YamlEmitter:
    """The block style Terraform's `yamlencode` writes (libyaml's emitter, as used by
    go-cty-yaml): double-quoted strings folded past column 80, literal blocks for
    multi-line strings, flow `[]`/`{}` for empty collections, `...` after a root plain
    scalar. The state (column, indent, whitespace, indention) mirrors libyaml's."""

    out: list[str]
    column: int = 0
    indent: int = -1
    whitespace: bool = True
    indention: bool = True

    def document(self, value: object) -> str:
        self.node(value, mapping_value=False)
        plain_root = value is None or isinstance(value, bool) or is_number(value)
        self.write_indent()
        if plain_root:
            self.put("...")
            self.put_break()
        return "".join(self.out)

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        self.put(" " * (indent - self.column))
        self.whitespace = self.indention = True

    def indicator(self, text: str, need_space: bool, is_whitespace: bool, is_indention: bool) -> None:
        if need_space and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    def increase_indent(self, flow: bool, indentless: bool) -> int:
        saved = self.indent
        if self.indent < 0:
            self.indent = 2 if flow else 0
        elif not indentless:
            self.indent += 2
        return saved

    def node(self, value: object, mapping_value: bool) -> None:
        if isinstance(value, (list, dict)) and not value:
            self.indicator("[]" if isinstance(value, list) else "{}", True, False, False)
        elif isinstance(value, list):
            saved = self.increase_indent(False, mapping_value and not self.indention)
            for item in value:
                self.write_indent()
                self.indicator("-", True, False, True)
                self.node(item, mapping_value=False)
            self.indent = saved
        elif isinstance(value, dict):
            saved = self.increase_indent(False, False)
            for key in sorted(value):
                self.mapping_entry(key, value[key])
            self.indent = saved
        else:
            self.scalar(value, simple_key=False)

    def mapping_entry(self, key: str, value: object) -> None:
        self.write_indent()
        if any(c in _YAML_BREAKS for c in key) or len(key.encode()) > 128:  # libyaml: "? key"
            self.indicator("?", True, False, True)
            self.scalar(key, simple_key=False)
            self.write_indent()
            self.indicator(":", True, False, True)
        else:
            self.scalar(key, simple_key=True)
            self.indicator(":", False, False, False)
        self.node(value, mapping_value=True)

    def scalar(self, value: object, simple_key: bool) -> None:
        saved = self.increase_indent(True, False)
        if isinstance(value, str):
            if "\n" in value and not simple_key and _yaml_block_allowed(value):
                self.literal(value)
            else:
                self.double_quoted(value, allow_breaks=not simple_key)
        else:
            text = "null" if value is None else to_string(value)
            self.indicator(text, True, False, False)  # type: ignore[arg-type]
        self.indent = saved

    def literal(self, text: str) -> None:
        self.indicator("|", True, False, False)
        if text[0] in " \n":
            self.put("2")  # an indentation indicator, as the content starts with a blank
        if not text.endswith("\n"):
            self.put("-")
        elif len(text) == 1 or text.endswith("\n\n"):
            self.put("+")
        self.put_break()
        self.indention = self.whitespace = True
        breaks = True
        for char in text:
            if char == "\n":
                self.put_break()
                self.indention = breaks = True
                continue
            if breaks:
                self.write_indent()
                breaks = False
            self.put(char)
            self.indention = False

    def double_quoted(self, text: str, allow_breaks: bool) -> None:
        self.indicator('"', True, False, False)
        spaces = False
        for position, char in enumerate(text):
            if not _yaml_printable(char) or char in _YAML_BREAKS or char in '"\\':
                self.put(_yaml_escape(char))
                spaces = False
            elif char == " ":
                last = position == len(text) - 1
                if allow_breaks and not spaces and self.column > 80 and position and not last:
                    self.write_indent()
                    if text[position + 1] == " ":
                        self.put("\\")
                else:
                    self.put(" ")
                spaces = True
            else:
                self.put(char)
                spaces = False
        self.indicator('"', False, False, False)


def _yaml_block_allowed(text: str) -> bool:
    """libyaml's analysis: a literal block cannot hold special characters, a space
    before a line break, a trailing space, or line breaks other than LF."""
    if any(not _yaml_printable(c) or c in "\r\x85\u2028\u2029" for c in text):
        return False
    return " \n" not in text and not text.endswith(" ")


def _yamlencode(value: object) -> object:
    return _YamlEmitter([]).document(value)


_YAML_BOOLS = {**dict.fromkeys("y Y yes Yes YES on On ON true True TRUE".split(), True),
               **dict.fromkeys("n N no No NO off Off OFF false False FALSE".split(), False)}
_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_YAML_TIMESTAMP = re.compile(r"(\d{4})-(\d\d?)-(\d\d?)(?:(?:([Tt])|( ))(\d\d?):(\d\d?):(\d\d?)"
                             r"(?:\.\d{1,9})?(Z|[+-]\d\d:\d\d)?)?\Z")


def _yaml_plain(text: str) -> object:
    """A plain scalar resolved as go-cty-yaml does: YAML 1.1 booleans (yes, on, y),
    decimal/0x/0o integers, floats, timestamps as RFC 3339 strings; NaN is an error."""
    if text in _YAML_NULLS:
        return None
    if text in _YAML_BOOLS:
        return _YAML_BOOLS[text]
    if re.fullmatch(r"0x[0-9a-fA-F]+|0o[0-7]+", text):
        return int(text[2:], 16 if text[1] == "x" else 8)
    if _YAML_FLOAT.match(text):
        return from_decimal(Decimal(text))
    if text.lower().lstrip("+-") == ".inf" and text[-3:] in ("inf", "Inf", "INF"):
        return -math.inf if text.startswith("-") else math.inf
    if text in (".nan", ".NaN", ".NAN"):
        raise EvalError("floating point NaN is not supported")
    return _yaml_timestamp(text) or text


def _yaml_timestamp(text: str) -> str | None:
    import datetime

    match = _YAML_TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, t_sep, space_sep, hour, minute, second, zone = match.groups()
    if (t_sep and not zone) or (space_sep and zone):
        return None
    try:
        stamp = datetime.datetime(int(year), int(month), int(day), int(hour or 0),
                                  int(minute or 0), int(second or 0))
    except ValueError:
        return None
    suffix = "Z" if zone in (None, "Z", "+00:00", "-00:00") else zone
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def _yaml_value(node: object, depth: int = 0) -> object:
    if depth > 1000:
        raise EvalError("YAML nesting too deep (a recursive alias?)")
    kind, value, tag = node.id, node.value, node.tag  # type: ignore[attr-defined]
    if kind == "sequence":
        return [_yaml_value(item, depth + 1) for item in value]
    if kind == "mapping":
        return _yaml_mapping(value, depth)
    if tag == "!plain" or (node.style is None and tag.rsplit(":", 1)[-1] in  # type: ignore[attr-defined]
                           ("int", "float", "bool", "null", "timestamp")):
        return _yaml_plain(value)
    return value


def _yaml_mapping(pairs: list[tuple[object, object]], depth: int) -> dict[str, object]:
    merged: dict[str, object] = {}
    explicit: dict[str, object] = {}
    for key_node, value_node in pairs:
        key_tag, key_text = key_node.tag, key_node.value  # type: ignore[attr-defined]
        if key_tag in ("!plain", "tag:yaml.org,2002:merge") and key_text == "<<":
            sequence = value_node.id == "sequence"  # type: ignore[attr-defined]
            sources = value_node.value if sequence else [value_node]  # type: ignore[attr-defined]
            for source in sources:
                merged.update(_mapping(_yaml_value(source, depth + 1), "src", "merge of a non-mapping"))
            continue
        key = _yaml_value(key_node, depth + 1)
        if key is None:
            raise EvalError("mapping key cannot be null")
        if isinstance(key, (list, dict)):
            raise EvalError("only strings are allowed as mapping keys")
        explicit[to_string(key)] = _yaml_value(value_node, depth + 1)  # type: ignore[index]
    return {**merged, **explicit}


@functools.lru_cache(maxsize=1)
def _yaml_loader() -> type:
    import yaml  # heavy; only loaded once a configuration calls yamldecode

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        """Leaves plain scalars untagged, so go-cty-yaml's resolution can be applied."""

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode and implicit[0]:
                return "!plain"
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]

    return Loader


def _yamldecode(src: object) -> object:
    import yaml

    text = _str(src, "src")
    if re.match(r"%YAML\s+(?!1\.1\s)", text):
        raise EvalError("found incompatible YAML document")  # go-yaml reads YAML 1.1 only
    try:
        node = yaml.compose(text, Loader=_yaml_loader())
    except yaml.YAMLError as err:
        raise EvalError(str(err).replace("\n", " ")) from None
    if node is None:
        raise EvalError("on line 1, column 1: missing start of document")
    return _yaml_value(node)


# --- hashes and identifiers ------------------------------------------------------------

def _digest(name: str) -> Callable[[object], object]:
    def hexdigest(s: object) -> object:
        return hashlib.new(name, _str(s).encode()).hexdigest()
    return hexdigest


def _base64digest(name: str) -> Callable[[object], object]:
    def b64digest(s: object) -> object:
        return base64.b64encode(hashlib.new(name, _str(s).encode()).digest()).decode()
    return b64digest


def _after_apply(reason: str) -> Callable[..., object]:
    def unknown(*_args: object) -> object:
        return Unknown(reason)
    return unknown


_UUID_NAMESPACES = {"dns": uuidlib.NAMESPACE_DNS, "url": uuidlib.NAMESPACE_URL,
                    "oid": uuidlib.NAMESPACE_OID, "x500": uuidlib.NAMESPACE_X500}


def _uuidv5(namespace: object, name: object) -> object:
    space, text = _str(namespace, "namespace"), _str(name, "name")
    try:
        parsed = _UUID_NAMESPACES.get(space) or uuidlib.UUID(space)
    except ValueError:
        raise EvalError(f"uuidv5() doesn't support namespace {space} (invalid UUID)") from None
    return str(uuidlib.uuid5(parsed, text))


# --- networks --------------------------------------------------------------------------

def _parse_cidr(text: str) -> tuple[int, int, int]:
    """(network address, prefix length, address bits) of a CIDR; like Terraform, IPv4
    octets may have leading zeros (read as decimal) and host bits are cleared."""
    failure = EvalError(f"invalid CIDR expression: invalid CIDR address: {text}")
    address, _, length = text.partition("/")
    if not (length.isascii() and length.isdigit()):
        raise failure
    if ":" in address:
        try:
            value, bits = int(ipaddress.IPv6Address(address)), 128
        except ValueError:
            raise failure from None
    else:
        octets = address.split(".")
        valid = all(o.isascii() and o.isdigit() and len(o) <= 3 and int(o) < 256 for o in octets)
        if len(octets) != 4 or not valid:
            raise failure
        value, bits = int.from_bytes(bytes(int(o) for o in octets), "big"), 32
    prefix = int(length)
    if prefix > bits:
        raise failure
    return value & ~((1 << (bits - prefix)) - 1), prefix, bits


def _address(value: int, bits: int) -> str:
    if bits == 32:
        return str(ipaddress.IPv4Address(value % 2**32))
    return ipaddress.IPv6Address(value % 2**128).compressed


def _cidrsubnet(prefix: object, newbits: object, netnum: object) -> object:
    network, length, bits = _parse_cidr(_str(prefix, "prefix"))
    extra, number = _int(newbits, "newbits"), _int(netnum, "netnum")
    if length + extra > bits or extra < 0:
        raise EvalError(f"insufficient address space to extend prefix of {length} by {extra}")
    if not 0 <= number < 2**extra:
        raise EvalError(f"prefix extension of {extra} does not accommodate a subnet numbered {number}")
    new_length = length + extra
    return f"{_address(network | number << (bits - new_length), bits)}/{new_length}"


def _cidrhost(prefix: object, hostnum: object) -> object:
    network, length, bits = _parse_cidr(_str(prefix, "prefix"))
    host, size = _int(hostnum, "hostnum"), 2 ** (bits - length)
    if host < 0:
        host += size  # counts back from the end of the range
    if not 0 <= host < size:
        raise EvalError(f"prefix of {length} does not accommodate a host numbered {host}")
    return _address(network + host, bits)


def _cidrnetmask(prefix: object) -> object:
    text = _str(prefix, "prefix")
    _, length, bits = _parse_cidr(text)
    if bits == 128:
        raise EvalError(f"IPv6 addresses cannot have a netmask: {text}")
    return _address(((1 << length) - 1) << (32 - length), 32)


def _cidrsubnets(prefix: object, *newbits: object) -> object:
    network, start, bits = _parse_cidr(_str(prefix, "prefix"))
    current, current_length = _mask(network - 1, start, bits), start  # the subnet just before
    subnets = []
    for position, extra in enumerate(newbits):
        added = _int(extra, "newbits")
        if added < 1:
            raise _param_error("newbits", "must extend prefix by at least one bit")
        if added > 32:
            raise _param_error("newbits", "may not extend prefix by more than 32 bits")
        length = start + added
        if length > bits:
            raise _param_error("newbits", f"would extend prefix to {length} bits, which is too long "
                                          f"for an IPv{4 if bits == 32 else 6} address")
        last = _mask(current | _host_mask(current_length, bits), length, bits) | _host_mask(length, bits)
        following = (last + 1) % 2**bits
        if following == 0 or _mask(following, start, bits) != network:
            after = f"{_address(current, bits)}/{current_length}"
            raise _param_error("newbits", f"not enough remaining address space for a subnet with a "
                                          f"prefix of {length} bits after {after}")
        current, current_length = following, length
        subnets.append(f"{_address(current, bits)}/{length}")
    return subnets


def _host_mask(length: int, bits: int) -> int:
    return (1 << (bits - length)) - 1


def _mask(value: int, length: int, bits: int) -> int:
    return value % 2**bits & ~_host_mask(length, bits)


# --- paths (pure string functions only) ------------------------------------------------

def _clean(path: str) -> str:
    """Go's path.Clean: unlike Python's normpath, a leading "//" becomes "/"."""
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _abspath(path: object) -> object:
    text = _str(path, "path")
    if text.startswith("/"):
        return _clean(text)
    return Unknown("abspath() of a relative path depends on the working directory")


def _dirname(path: object) -> object:
    text = _str(path, "path")
    return _clean(text[:text.rfind("/") + 1])


def _basename(path: object) -> object:
    text = _str(path, "path").rstrip("/")
    if not text:
        return "/" if _str(path, "path") else "."
    return text[text.rfind("/") + 1:]


def _pathexpand(path: object) -> object:
    text = _str(path, "path")
    if text.startswith("~"):
        return Unknown("pathexpand() reads the home directory of the machine running Terraform")
    return text


# --- the table -------------------------------------------------------------------------

_IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    # type conversion
    "tobool": _tobool, "tonumber": _tonumber, "tostring": _tostring, "tolist": _tolist,
    "toset": _toset, "tomap": _tomap, "sensitive": _identity, "nonsensitive": _identity,
    # collections
    "alltrue": _alltrue, "anytrue": _anytrue, "chunklist": _chunklist, "coalesce": _coalesce,
    "coalescelist": _coalescelist, "compact": _compact, "concat": _concat,
    "contains": _contains, "distinct": _distinct, "element": _element, "flatten": _flatten,
    "index": _index, "keys": _keys, "length": _length, "lookup": _lookup,
    "matchkeys": _matchkeys, "merge": _merge, "one": _one, "range": _range,
    "reverse": _reverse, "setintersection": _setintersection, "setproduct": _setproduct,
    "setsubtract": _setsubtract, "setunion": _setunion, "slice": _slice, "sort": _sort,
    "sum": _sum, "transpose": _transpose, "values": _values, "zipmap": _zipmap,
    # numbers
    "abs": _abs, "ceil": _ceil, "floor": _floor, "log": _log, "max": _max, "min": _min,
    "parseint": _parseint, "pow": _pow, "signum": _signum,
    # strings
    "chomp": _chomp, "endswith": _endswith, "format": _format, "formatlist": _formatlist,
    "indent": _indent, "join": _join, "lower": _lower, "regex": _regex,
    "regexall": _regexall, "replace": _replace, "split": _split, "startswith": _startswith,
    "strcontains": _strcontains, "strrev": _strrev, "substr": _substr, "title": _title,
    "trim": _trim, "trimprefix": _trimprefix, "trimspace": _trimspace,
    "trimsuffix": _trimsuffix, "upper": _upper,
    # encodings
    "base64decode": _base64decode, "base64encode": _base64encode, "csvdecode": _csvdecode,
    "jsondecode": _jsondecode, "jsonencode": _jsonencode, "urlencode": _urlencode,
    "yamldecode": _yamldecode, "yamlencode": _yamlencode,
    # hashes and identifiers
    "md5": _digest("md5"), "sha1": _digest("sha1"), "sha256": _digest("sha256"),
    "sha512": _digest("sha512"), "base64sha256": _base64digest("sha256"),
    "base64sha512": _base64digest("sha512"), "uuidv5": _uuidv5,
    "uuid": _after_apply("uuid() is only known after apply"),
    "timestamp": _after_apply("timestamp() is only known after apply"),
    "plantimestamp": _after_apply("plantimestamp() is only known when planning"),
    "bcrypt": _after_apply("bcrypt() uses a random salt, so is only known after apply"),
    # networks
    "cidrhost": _cidrhost, "cidrnetmask": _cidrnetmask, "cidrsubnet": _cidrsubnet,
    "cidrsubnets": _cidrsubnets,
    # paths
    "abspath": _abspath, "basename": _basename, "dirname": _dirname, "pathexpand": _pathexpand,
}

# Functions that handle unknown arguments themselves, because the result can still be
# (partly) known: `length([unknown])` is 1, `concat([unknown], [1])` has two elements.
_UNKNOWN_AWARE = frozenset({
    "alltrue", "anytrue", "coalesce", "coalescelist", "concat", "contains", "element", "keys", "length",
    "lookup", "merge", "nonsensitive", "reverse", "sensitive", "slice", "tolist", "tomap",
    "toset", "values", "zipmap",
})

_ARITIES = {"uuid": (0, 0), "timestamp": (0, 0), "plantimestamp": (0, 0), "bcrypt": (1, 2)}


def _arity(name: str, impl: Callable[..., object]) -> tuple[int, int | None]:
    if name in _ARITIES:
        return _ARITIES[name]
    params = list(inspect.signature(impl).parameters.values())
    required = sum(1 for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty)
    variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
    return required, None if variadic else len(params)


def _terraform_function(name: str, impl: Callable[..., object]) -> Callable[..., object]:
    """Wraps an implementation with Terraform's argument-count check and the default
    unknown handling (any unknown argument makes the result that unknown)."""
    required, maximum = _arity(name, impl)
    unknown_aware = name in _UNKNOWN_AWARE

    def call(*args: object) -> object:
        if len(args) < required:
            raise EvalError(f'Not enough function arguments: function "{name}" expects at least '
                            f"{required} argument(s).")
        if maximum is not None and len(args) > maximum:
            raise EvalError(f'Too many function arguments: function "{name}" expects only '
                            f"{maximum} argument(s).")
        if not unknown_aware:
            unknown = contains_unknown(list(args))
            if unknown is not None:
                return unknown
        return impl(*args)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = impl.__doc__
    return call


FUNCTIONS: dict[str, Callable[..., object]] = {
    name: _terraform_function(name, impl) for name, impl in sorted(_IMPLEMENTATIONS.items())
}
