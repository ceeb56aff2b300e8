"""The intrinsic functions that compute a value from values: `Fn::Sub`, `Fn::Join`,
`Fn::Select`, `Fn::Split`, `Fn::Base64`, `Fn::Cidr`, `Fn::FindInMap` and the
LanguageExtensions' `Fn::Length` and `Fn::ToJsonString`; and those whose value exists
only at deploy time (`Fn::GetAZs`, `Fn::ImportValue`), which are unknown with the reason.

Each is `handler(evaluator, argument, trace, line) -> value`; a `Malformed` argument
becomes an unknown value and a warning in the evaluator.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Mapping

from linter.cloudformation.rendering import quoted, render
from linter.cloudformation.values import Malformed, Trace, args, first_unknown, reason_of, text
from linter.model import Step, Unknown, contains_unknown
from linter.parsers.yamljson import key_line

if TYPE_CHECKING:
    from linter.cloudformation.intrinsics import TemplateEvaluator

Handler = Callable[["TemplateEvaluator", Any, Trace, int], Any]
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def sub(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        template, variables = arg[0], {k: ev.eval(v, tr, key_line(arg[1], k, line)) for k, v in arg[1].items()}
    else:
        template, variables = arg, {}
    if isinstance(template, dict):  # e.g. `!Sub !Rain::Embed file`: the text comes from elsewhere
        template = ev.eval(template, tr, line)
        if isinstance(template, Unknown):
            return template
    if not isinstance(template, str):
        raise Malformed("expected a string or [string, {variables}]")
    pieces, unknown, last = [], None, 0
    for match in SUB_VARIABLE.finditer(template):
        pieces.append(template[last:match.start()])
        last = match.end()
        inner = match.group(1)
        if inner.startswith("!"):  # `${!Literal}` is the literal text `${Literal}`
            pieces.append("${" + inner[1:] + "}")
            continue
        piece = text(ev.sub_variable(inner.strip(), variables, tr, line))
        if isinstance(piece, Unknown):
            unknown = piece if unknown is None else unknown
        pieces.append(piece if isinstance(piece, str) else "")
    pieces.append(template[last:])
    if unknown is not None:
        return ev.unknown(f"Fn::Sub {render(template)}: {unknown.reason}", line)
    return "".join(pieces)


def join(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    delimiter, items = args(arg, 2)
    delimiter, items = ev.eval(delimiter, tr, line), ev.eval(items, tr, line)
    if isinstance(items, Unknown) or isinstance(delimiter, Unknown):
        return ev.unknown(f"Fn::Join: {reason_of(delimiter, items)}", line)
    if not isinstance(items, list) or not isinstance(delimiter, str):
        raise Malformed("expected [delimiter, [values]]")
    texts = [text(i) for i in items]
    unknown = next((t for t in texts if isinstance(t, Unknown)), None)
    if unknown is not None:
        return ev.unknown(f"Fn::Join: {unknown.reason}", line)
    return delimiter.join(texts)


def select(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    index, items = args(arg, 2)
    index, items = ev.eval(index, tr, line), ev.eval(items, tr, line)
    if isinstance(index, Unknown) or isinstance(items, Unknown):
        return ev.unknown(f"Fn::Select: {reason_of(index, items)}", line)
    position = _integer(index, "index")
    if not isinstance(items, list):
        raise Malformed("expected [index, [values]]")
    if not 0 <= position < len(items):
        raise Malformed(f"index {position} is out of range for {len(items)} values")
    return items[position]


def split(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    delimiter, source = (ev.eval(a, tr, line) for a in args(arg, 2))
    if isinstance(source, Unknown) or isinstance(delimiter, Unknown):
        return ev.unknown(f"Fn::Split: {reason_of(delimiter, source)}", line)
    if not isinstance(source, str) or not isinstance(delimiter, str) or not delimiter:
        raise Malformed("expected [delimiter, string]")
    return source.split(delimiter)


def base64_(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    value = text(ev.eval(arg, tr, line))
    if isinstance(value, Unknown):
        return ev.unknown(f"Fn::Base64: {value.reason}", line)
    return base64.b64encode(str(value).encode()).decode()


def cidr(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    """`[block, count, bits]`: the first `count` blocks of `bits` host bits in `block`."""
    block, count, bits = (ev.eval(a, tr, line) for a in args(arg, 3))
    unknown = first_unknown(block, count, bits)
    if unknown is not None:
        return ev.unknown(f"Fn::Cidr: {unknown.reason}", line)
    try:
        network = ipaddress.ip_network(str(text(block)), strict=False)
    except ValueError:
        raise Malformed(f"{render(block)} is not an address block") from None
    wanted, host_bits = _integer(count, "count"), _integer(bits, "cidrBits")
    prefix = network.max_prefixlen - host_bits
    if not 1 <= wanted <= 256 or host_bits < 1 or prefix < network.prefixlen:
        raise Malformed(f"cannot cut {wanted} blocks with {host_bits} host bits from {network}")
    blocks = [str(b) for b in islice(network.subnets(new_prefix=prefix), wanted)]
    if len(blocks) < wanted:
        raise Malformed(f"{network} holds only {len(blocks)} blocks of /{prefix}")
    return blocks


def find_in_map(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    if not isinstance(arg, list) or len(arg) not in (3, 4):
        raise Malformed("expected [map, top-level key, second-level key]")
    keys = [ev.eval(a, tr, line) for a in arg[:3]]
    unknown = first_unknown(*keys)
    if unknown is not None:
        return ev.unknown(f"Fn::FindInMap key: {unknown.reason}", line)
    map_name, top, second = (text(k) for k in keys)
    if len(arg) == 4:
        ev.require_language_extensions("Fn::FindInMap with DefaultValue", line)
    table = ev.mappings.get(map_name)
    if not isinstance(table, dict):
        ev.warn(line, f"Fn::FindInMap: no mapping named {map_name}")
        return ev.unknown(f"no mapping named {map_name}", line)
    top_key = _find_key(table, top)
    inner = table.get(top_key) if top_key is not None else None
    second_key = _find_key(inner, second) if isinstance(inner, dict) else None
    if second_key is None or not isinstance(inner, dict):
        missing = f"{top!r}" if top_key is None else f"{top!r}.{second!r}"
        return _map_default(ev, arg, map_name, missing, tr, line)
    value = ev.eval(inner[second_key], Trace(), line)
    where = ev.loc(key_line(inner, second_key, line))
    tr.add((Step(where, f"mapping {map_name}.{top}.{second} = {quoted(value)}"),))
    return value


def _map_default(ev: TemplateEvaluator, arg: list[Any], map_name: str, missing: str, tr: Trace, line: int) -> Any:
    options = arg[3] if len(arg) == 4 else None
    if isinstance(options, dict) and "DefaultValue" in options:
        value = ev.eval(options["DefaultValue"], tr, line)
        tr.add((Step(ev.loc(line), f"mapping {map_name} has no key {missing}: DefaultValue {quoted(value)}"),))
        return value
    return ev.unknown(f"mapping {map_name} has no key {missing}", line)


def length(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    ev.require_language_extensions("Fn::Length", line)
    value = ev.eval(arg, tr, line)
    if isinstance(value, Unknown):
        return ev.unknown(f"Fn::Length: {value.reason}", line)
    if not isinstance(value, list):
        raise Malformed("expected a list")
    return len(value)


def to_json_string(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    ev.require_language_extensions("Fn::ToJsonString", line)
    value = ev.eval(arg, tr, line)
    unknown = contains_unknown(value)
    if unknown is not None:
        return ev.unknown(f"Fn::ToJsonString: {unknown.reason}", line)
    if not isinstance(value, (dict, list)):
        raise Malformed("expected a mapping or a list")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def transform(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    calls = arg if isinstance(arg, list) else [arg]
    names = ", ".join(str(c.get("Name")) for c in calls if isinstance(c, dict)) or "(unnamed)"
    ev.warn(line, f"Fn::Transform {names} is not run; what it produces is not checked")
    return ev.unknown(f"Fn::Transform {names} is resolved only at deploy time", line)


def get_azs(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    return ev.unknown(f"Fn::GetAZs {render(arg)}: the Availability Zones, known only at deploy time", line)


def import_value(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    name = ev.eval(arg, tr, line)
    return ev.unknown(f"value exported by another stack as {render(name)}, known only at deploy time", line)


def contains(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    return ev.unknown("Fn::Contains is a Rules-only function", line)


FUNCTIONS: Mapping[str, Handler] = {
    "Fn::Sub": sub, "Fn::Join": join, "Fn::Select": select, "Fn::Split": split,
    "Fn::Base64": base64_, "Fn::Cidr": cidr, "Fn::FindInMap": find_in_map,
    "Fn::Length": length, "Fn::ToJsonString": to_json_string, "Fn::Transform": transform,
    "Fn::GetAZs": get_azs, "Fn::ImportValue": import_value, "Fn::Contains": contains,
}


def _integer(value: Any, what: str) -> int:
    try:
        return int(text(value))
    except (TypeError, ValueError):
        raise Malformed(f"{what} {value!r} is not a number") from None


def _find_key(table: Mapping[Any, Any], key: Any) -> Any:
    if key in table:
        return key
    return next((k for k in table if text(k) == key), None)
