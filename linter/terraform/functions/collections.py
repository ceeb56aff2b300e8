"""The collection functions: lists, maps and sets (`length`, `lookup`, `merge`,
`flatten`, `setunion`, `coalesce`, ...). Several of them handle unknown arguments
themselves (see `_UNKNOWN_AWARE` in the package), because a known part of a collection
can still decide the result."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Callable, cast

from linter.model import Unknown, contains_unknown
from linter.terraform.functions.arguments import (
    int_arg,
    list_arg,
    map_arg,
    not_null,
    number_arg,
    param_error,
    single_type_list,
    string_arg,
    string_elements,
)
from linter.terraform.functions.strings import graphemes
from linter.terraform.values import (
    ANY,
    STRING,
    EvalError,
    convert,
    equals,
    from_decimal,
    number_decimal,
    quote,
    set_items,
    to_bool,
    to_string,
    type_name,
    type_of,
    unify,
)

_MISSING = object()  # marks an optional argument that was not given


def _length(value: object) -> object:
    if isinstance(value, Unknown):
        return value
    if isinstance(not_null(value, "value"), str):
        return len(graphemes(value))  # type: ignore[arg-type]
    if isinstance(value, (list, dict)):
        return len(value)
    raise EvalError("argument must be a string, a collection type, or a structural type")



def _keys(input_map: object) -> object:
    if isinstance(input_map, Unknown):
        return input_map
    return sorted(map_arg(input_map, "inputMap", "must have map or object type"))


def _values(input_map: object) -> object:
    if isinstance(input_map, Unknown):
        return input_map
    mapping = map_arg(input_map, "inputMap", "must have map or object type")
    return [mapping[k] for k in sorted(mapping)]


def _lookup(input_map: object, key: object, default: object = _MISSING) -> object:
    for arg in (input_map, key):
        if isinstance(arg, Unknown):
            return arg  # a known map with unknown values can still answer
    mapping = map_arg(input_map, "inputMap", "lookup() requires a map as the first argument")
    name = string_arg(key, "key")
    if name in mapping:
        return mapping[name]
    if default is not _MISSING:
        return default
    raise param_error("inputMap", f"the given object has no attribute {quote(name)}")


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
        if not isinstance(not_null(seq, "seqs"), list):
            raise param_error("seqs", f"all arguments must be lists or tuples; got {type_name(seq)}")
        result.extend(seq)  # type: ignore[arg-type]
    return result


def _contains(items: object, value: object) -> object:
    for arg in (items, value):
        if isinstance(arg, Unknown):
            return arg
    not_null(value, "value")
    not_null(items, "list")
    if not isinstance(items, list):
        raise EvalError("argument must be list, tuple, or set")
    unknown: Unknown | None = None
    for item in items:
        same = equals(item, value)
        if same is True:
            return True
        if isinstance(same, Unknown):
            unknown = unknown or same
    return unknown if unknown is not None else False


def _index(items: object, value: object) -> object:
    not_null(items, "list")
    if not isinstance(items, list):
        raise EvalError("argument must be a list or tuple")
    for position, item in enumerate(items):
        if equals(item, value) is True:
            return position
    raise EvalError("item not found")


def _element(items: object, index: object) -> object:
    if isinstance(items, Unknown) or isinstance(index, Unknown):
        return items if isinstance(items, Unknown) else index
    not_null(items, "list")
    if not isinstance(items, list):
        raise EvalError(f"cannot read elements from {type_name(items)}")
    try:
        position = int_arg(index, "index")
    except EvalError as err:
        raise EvalError(f"invalid index: {err}") from None
    if not items:
        raise EvalError("cannot use element function with an empty list")
    if position < 0:
        raise EvalError("cannot use element function with a negative index")
    return items[position % len(items)]


def _flatten(items: object) -> object:
    not_null(items, "list")
    if not isinstance(items, list):
        raise EvalError("can only flatten lists, sets and tuples")
    flat: list[object] = []
    for item in items:
        flat.extend(_flatten(item) if isinstance(item, list) else [item])  # type: ignore[arg-type]
    return flat


def _distinct(items: object) -> object:
    unique: list[object] = []
    for item in single_type_list(items, "list"):
        if not any(equals(item, seen) is True for seen in unique):
            unique.append(item)
    return unique


def _compact(items: object) -> object:
    strings = list_arg(items, "list", "list of string required")
    kept = []
    for index, item in enumerate(strings):
        if isinstance(item, (list, dict)):
            raise param_error("list", f"element {index}: string required")
        if item is not None and to_string(item) != "":
            kept.append(to_string(item))
    return kept


def _one(items: object) -> object:
    not_null(items, "list")
    if not isinstance(items, list) or len(items) > 1:
        raise param_error("list", "must be a list, set, or tuple value with either zero or one elements")
    return items[0] if items else None


def _bools(items: object) -> list[object]:
    values = []
    for index, item in enumerate(list_arg(items, "list", "list of bool required")):
        if isinstance(item, str) and item in ("true", "false", "1", "0"):
            item = to_bool(item)
        elif not (item is None or isinstance(item, (bool, Unknown))):
            raise param_error("list", f"element {index}: bool required")
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
    names = string_elements(keys, "keys", "element {index}: string required")
    items = list_arg(values, "values", "list or tuple required")
    if len(names) != len(items):
        raise EvalError(f"number of keys ({len(names)}) does not match number of values ({len(items)})")
    return dict(zip(names, items))


def _range(*params: object) -> object:
    if not 1 <= len(params) <= 3:
        raise EvalError("must have one, two, or three arguments")
    nums = [number_decimal(number_arg(p, "params")) for p in params]
    if len(nums) == 1:
        nums = [Decimal(0), nums[0]]
    start, end = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else Decimal(-1 if end < start else 1)
    down = step < 0
    if down and end > start:
        raise param_error("params", "end must be less than start when step is negative")
    if not down and end < start:
        raise param_error("params", "end must be greater than start when step is positive")
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
    seq = list_arg(items, "list", "must be a list or tuple value")
    start, end = int_arg(start_index, "start_index"), int_arg(end_index, "end_index")
    if start < 0:
        raise param_error("start_index", "start index must not be less than zero")
    if end > len(seq):
        raise param_error("end_index", "end index must not be greater than the length of the list")
    if start > end:
        raise param_error("start_index", "start index must not be greater than end index")
    return seq[start:end]


def _reverse(items: object) -> object:
    if isinstance(items, Unknown):
        return items
    not_null(items, "list")
    if not isinstance(items, list):
        raise param_error("list", f"can only reverse list or tuple values, not {type_name(items)}")
    return items[::-1]


def _sort(items: object) -> object:
    strings = list_arg(items, "list", "list of string required")
    for index, item in enumerate(strings):
        if item is None:
            raise EvalError(f"given list element {index} is null; a null string cannot be sorted")
    return sorted(string_elements(strings, "list", "element {index}: string required"))


def _set_arguments(sets: tuple[object, ...], param: str) -> list[list[object]]:
    """Set arguments converted to one common element type, deduplicated and ordered:
    each becomes a set of its own element type first, as Terraform converts arguments."""
    element_types = []
    for given in sets:
        try:
            converted = cast(list, convert(list_arg(given, param, "set of any single type required"), ("set", ANY)))
        except EvalError:
            raise param_error(param, "set of any single type required") from None
        element_types.append(unify(type_of(i) for i in converted))
    element = unify(element_types)
    if element is None:
        raise EvalError("given sets must all have compatible element types")
    return [cast(list, set_items([convert(i, element) for i in cast(list, given)])) for given in sets]


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
    seqs = [single_type_list(s, "sets") for s in sets]
    return [list(combination) for combination in itertools.product(*seqs)]


def _transpose(values: object) -> object:
    mapping = map_arg(values, "values", "map of list of string required")
    result: dict[str, list[object]] = {}
    for key in sorted(mapping):
        items = list_arg(mapping[key], "values", "map of list of string required")
        for item in items:
            if item is None:
                raise EvalError("input list must not contain null string")
            result.setdefault(string_arg(item, "values"), []).append(key)
    return {k: result[k] for k in sorted(result)}


def _chunklist(items: object, size: object) -> object:
    seq = single_type_list(items, "list")
    chunk = int_arg(size, "size")
    if chunk < 0:
        raise EvalError("the size argument must be positive")
    if chunk == 0:
        return [seq] if seq else []
    return [seq[i:i + chunk] for i in range(0, len(seq), chunk)]


def _matchkeys(values: object, keys: object, searchset: object) -> object:
    vals = list_arg(values, "values", "list required")
    names = list_arg(keys, "keys", "list required")
    search = list_arg(searchset, "searchset", "list required")
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


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "alltrue": _alltrue, "anytrue": _anytrue, "chunklist": _chunklist, "coalesce": _coalesce,
    "coalescelist": _coalescelist, "compact": _compact, "concat": _concat,
    "contains": _contains, "distinct": _distinct, "element": _element, "flatten": _flatten,
    "index": _index, "keys": _keys, "length": _length, "lookup": _lookup,
    "matchkeys": _matchkeys, "merge": _merge, "one": _one, "range": _range,
    "reverse": _reverse, "setintersection": _setintersection, "setproduct": _setproduct,
    "setsubtract": _setsubtract, "setunion": _setunion, "slice": _slice, "sort": _sort,
    "transpose": _transpose, "values": _values, "zipmap": _zipmap,
}
