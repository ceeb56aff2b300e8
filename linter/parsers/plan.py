"""Terraform plan JSON (`terraform show -json plan.out`) to `Resource` records.

Owns: decoding plan files (UTF-8, UTF-16/32 with or without a BOM), telling a plan from
other JSON, and turning each resource the plan leaves in place into a `Resource`.

What is evaluated: `resource_changes` entries of managed resources whose actions create,
update or keep (`no-op`) the resource, i.e. everything that exists after apply; deletions,
`forget`, deposed objects and data sources are not. Values come from `change.after`;
parts that `change.after_unknown` marks are `Unknown`, except where the plan's
`configuration` shows the argument is not written at all: then the provider fills in its
default (Optional+Computed arguments such as `multi_region`), so the attribute is left
out. A plan without a configuration section cannot tell, so there every unknown stays
`Unknown`. Plans without `resource_changes` fall back to `planned_values`, where unknown
values are simply missing: a configured argument missing there is `Unknown`.

A plan has no source lines of its own, so locations point into the plan file itself (a
resource: from its `"address"` key to the end of its entry; an attribute: its key and
value; end columns are exclusive). Terraform writes a plan on one line, so columns matter. The
JSON is read by a small position-keeping walker: the C scanner of `json` reads every
value, and only the few paths we report on (entries, their `after`, configuration
expressions) are walked in Python to note where each key sits.
"""

from __future__ import annotations

import bisect
import codecs
import json
import re
from dataclasses import dataclass, field
from json.decoder import JSONDecodeError
from typing import Any, Callable, Mapping, TypeGuard

from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Step, Unknown

# Actions after which the resource exists: "no-op" keeps an existing resource as it is,
# and a multi-Region key that stays is still one (cases/bl-29).
EVALUATED_ACTIONS = frozenset({"create", "update", "no-op"})
SUPPORTED_MAJOR_VERSION = 1


@dataclass(frozen=True)
class PlanResult:
    resources: tuple[Resource, ...]
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()


class PlanError(ValueError):
    """A plan file that cannot be read at all: undecodable bytes or invalid JSON."""

    def __init__(self, message: str, line: int = 1, column: int = 0) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message, self.line, self.column = message, line, column

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(path, self.line, self.message, self.column)


# ---------------------------------------------------------------------------- decoding

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff_encoding(raw: bytes) -> tuple[str, int]:
    """The encoding and BOM length. Without a BOM, JSON starts with an ASCII character,
    so where the zero bytes are gives the encoding away (RFC 4627, section 3)."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, len(bom)
    zeros = "".join("0" if b == 0 else "x" for b in raw[:4])
    for pattern, encoding in (("000x", "utf-32-be"), ("x000", "utf-32-le"), ("0x", "utf-16-be"), ("x0", "utf-16-le")):
        if zeros.startswith(pattern):
            return encoding, 0
    return "utf-8", 0


def decode(raw: bytes) -> str:
    """The text of a plan file; raises `PlanError` when the bytes do not decode."""
    encoding, skip = sniff_encoding(raw)
    body = raw[skip:]
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        before = body[: exc.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - before.rfind("\n")
        raise PlanError(f"not valid {encoding.upper()} text: {exc.reason}", line, column) from None


def looks_like_plan(data: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data)
    )


# ---------------------------------------------------------------------------- positions


@dataclass(slots=True)
class _Node:
    """Where a JSON object or array sits: its span, each member's (key or item start,
    value end), and the nodes of the members that were walked too."""

    start: int
    end: int = 0
    members: dict[str | int, tuple[int, int]] = field(default_factory=dict)
    children: dict[str | int, _Node] = field(default_factory=dict)

    def child(self, *path: str | int) -> _Node | None:
        node: _Node | None = self
        for key in path:
            node = node.children.get(key) if node is not None else None
        return node


# A walk spec names the members to walk (with their own spec); "*" stands for any key or
# index. Members not named are read by the C scanner of `json`, without positions. Only
# what is reported on is walked: the Python walk is ten times slower than the scanner.
_Spec = Mapping[str, Any]
_CONFIG_MODULE: dict[str, Any] = {}
_CONFIG_MODULE.update(
    resources={"*": {"expressions": {}}},
    module_calls={"*": {"expressions": {}, "module": _CONFIG_MODULE}},
)
_CHANGES_SPEC: _Spec = {
    "resource_changes": {"*": {"change": {"after": {}, "after_unknown": {}}}},
    "configuration": {"root_module": _CONFIG_MODULE},
    "variables": {},
}
_PLANNED_MODULE: dict[str, Any] = {}
_PLANNED_MODULE.update(resources={"*": {"values": {}}}, child_modules={"*": _PLANNED_MODULE})
_PLANNED_SPEC: _Spec = {**_CHANGES_SPEC, "planned_values": {"root_module": _PLANNED_MODULE}}

_WS = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_AFTER_MEMBER = re.compile(r"[ \t\n\r]*([,}\]])[ \t\n\r]*")
# The C scanner and string reader behind `json.loads` (typeshed does not declare them).
_SCAN: Callable[[str, int], tuple[object, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_SCAN_STRING: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _skip(text: str, pos: int) -> int:
    """Where the whitespace at `pos` ends."""
    return _WS.match(text, pos).end()  # type: ignore[union-attr]  # `*` always matches


def _read(text: str, pos: int, spec: _Spec | None) -> tuple[object, int, _Node | None]:
    if spec is not None and text.startswith("{", pos):
        return _read_object(text, pos, spec)
    if spec is not None and text.startswith("[", pos):
        return _read_array(text, pos, spec)
    return (*_scan(text, pos), None)


def _scan(text: str, pos: int) -> tuple[object, int]:
    try:
        return _SCAN(text, pos)
    except StopIteration as exc:
        raise JSONDecodeError("Expecting value", text, exc.value) from None


def _read_object(text: str, pos: int, spec: _Spec) -> tuple[dict[str, object], int, _Node]:
    node, value, any_spec = _Node(pos), {}, spec.get("*")
    pos = _skip(text, pos + 1)
    more = not text.startswith("}", pos)
    pos += not more
    while more:
        if not text.startswith('"', pos):
            raise JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
        key_start = pos
        key, pos = _SCAN_STRING(text, pos + 1)
        if not (colon := _COLON.match(text, pos)):
            raise JSONDecodeError("Expecting ':' delimiter", text, _skip(text, pos))
        sub = spec.get(key, any_spec)
        if sub is None:  # the usual case, kept inline: this loop is the hot path
            value[key], pos = _scan(text, colon.end())
        else:
            value[key], pos, child = _read(text, colon.end(), sub)
            if child is not None:
                node.children[key] = child
        node.members[key] = (key_start, pos)
        more, pos = _after_member(text, pos, "}")
    node.end = pos
    return value, pos, node


def _read_array(text: str, pos: int, spec: _Spec) -> tuple[list[object], int, _Node]:
    node, value, any_spec = _Node(pos), list[object](), spec.get("*")
    pos = _skip(text, pos + 1)
    more = not text.startswith("]", pos)
    pos += not more
    while more:
        start = pos
        item, pos, child = _read(text, pos, any_spec)
        node.members[len(value)] = (start, pos)
        if child is not None:
            node.children[len(value)] = child
        value.append(item)
        more, pos = _after_member(text, pos, "]")
    node.end = pos
    return value, pos, node


def _after_member(text: str, pos: int, closer: str) -> tuple[bool, int]:
    """Whether another member follows, and where it starts or the container ends."""
    match = _AFTER_MEMBER.match(text, pos)
    if match is not None and match[1] == ",":
        return True, match.end()
    if match is not None and match[1] == closer:
        return False, match.start(1) + 1
    pos = _skip(text, pos)
    raise JSONDecodeError("Expecting ',' delimiter", text, pos)


def _load(text: str, spec: _Spec) -> tuple[object, _Node]:
    """The JSON value of `text` and the positions along `spec`; `PlanError` if invalid."""
    try:
        pos = _skip(text, 0)
        value, end, node = _read(text, pos, spec)
        end = _skip(text, end)
        if end != len(text):
            raise JSONDecodeError("Extra data", text, end)
    except JSONDecodeError as exc:
        raise PlanError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise PlanError("invalid JSON: nested too deeply") from None
    return value, node or _Node(0, len(text))


class _Locator:
    """Turns character offsets into 1-based `Location`s of one file."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._newlines = [match.start() for match in re.finditer("\n", text)]

    def _line_col(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, offset - line_start + 1

    def span(self, start: int, end: int) -> Location:
        line, column = self._line_col(start)
        end_line, end_column = self._line_col(end)
        return Location(self.path, line, column, end_line, end_column)

    def member(self, node: _Node | None, key: str | int, default: Location) -> Location:
        span = node.members.get(key) if node is not None else None
        return self.span(*span) if span else default


# ---------------------------------------------------------------------------- configuration

_NO_CONFIG: Any = object()  # the plan cannot say whether a value is configured
_ABSENT: Any = object()  # an unknown part the configuration leaves to the provider default
_MODULE_STEP = re.compile(r'module\.([^.\[\]"]+)((?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)\.')
_VARIABLE = re.compile(r"var\.([A-Za-z_][A-Za-z0-9_-]*)$")


def _module_steps(address: str) -> list[tuple[str, str]]:
    """The module calls of a resource address: name and instance key, outermost first."""
    steps, pos = [], 0
    while match := _MODULE_STEP.match(address, pos):
        steps.append((match[1], match[2]))
        pos = match.end()
    return steps


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _child(node: _Node | None, *path: str | int) -> _Node | None:
    return node.child(*path) if node is not None else None


@dataclass(frozen=True)
class _Configured:
    expressions: dict[str, Any]
    node: _Node | None  # positions of the `expressions` members


class _Configuration:
    """The plan's `configuration` section, indexed by module path (call names without
    instance keys: configuration is written once per module, not per instance)."""

    def __init__(self, section: object, node: _Node | None, locator: _Locator) -> None:
        self.present = isinstance(section, dict) and isinstance(section.get("root_module"), dict)
        self.resources: dict[tuple[object, ...], _Configured] = {}
        # module path -> (the call's JSON object, its node, where the call is written)
        self.calls: dict[tuple[str, ...], tuple[dict[str, Any], _Node | None, Location]] = {}
        self._locator = locator
        if self.present:
            self._index((), _as_dict(section)["root_module"], _child(node, "root_module"))

    def _index(self, path: tuple[str, ...], module: dict[str, Any], node: _Node | None) -> None:
        for index, entry in enumerate(_as_list(module.get("resources"))):
            entry = _as_dict(entry)
            mode, type_, name = entry.get("mode", "managed"), entry.get("type"), entry.get("name")
            if isinstance(mode, str) and isinstance(type_, str) and isinstance(name, str):
                found = _Configured(_as_dict(entry.get("expressions")), _child(node, "resources", index, "expressions"))
                self.resources.setdefault((path, mode, type_, name), found)
        calls_node = _child(node, "module_calls")
        for name, call in _as_dict(module.get("module_calls")).items():
            if isinstance(call, dict) and isinstance(name, str):
                call_node = _child(calls_node, name)
                where = self._locator.member(calls_node, name, Location(self._locator.path, 1))
                self.calls[path + (name,)] = (call, call_node, where)
                if isinstance(call.get("module"), dict):
                    self._index(path + (name,), call["module"], _child(call_node, "module"))

    def resource(self, path: tuple[str, ...], type_: str, name: str) -> _Configured | None:
        return self.resources.get((path, "managed", type_, name))


def _sub(config: Any, key: str | int) -> Any:
    """The configuration of member `key` of a value configured by `config`."""
    if config is _NO_CONFIG or config is None:
        # Inside an unwritten value nothing can be told: a `dynamic` block, for one, is
        # missing from the configuration section, yet its parts are configured.
        return _NO_CONFIG
    if isinstance(config, _Configured):
        return config.expressions.get(key) if isinstance(key, str) else _NO_CONFIG
    if _is_expression(config):
        return config  # one expression writes the whole value
    if isinstance(config, list):  # nested blocks, one expression object per block
        return config[key] if isinstance(key, int) and key < len(config) else _NO_CONFIG
    if isinstance(config, dict):
        return config.get(key) if isinstance(key, str) else config
    return _NO_CONFIG


def _is_expression(config: object) -> bool:
    return isinstance(config, dict) and ("constant_value" in config or "references" in config)


def _is_unset(config: object) -> bool:
    """Not written, or written as a literal null: the provider default applies."""
    return config is None or (isinstance(config, dict) and "constant_value" in config and config["constant_value"] is None)


def _main_references(config: object) -> list[str]:
    """The references of an expression, less those that only prefix a longer one
    (Terraform lists `var.cfg.flag` and `var.cfg` both)."""
    refs = [r for r in _as_list(_as_dict(config).get("references")) if isinstance(r, str)]
    return [r for r in dict.fromkeys(refs) if not any(o.startswith((r + ".", r + "[")) for o in refs)]


def _describe(config: object) -> str:
    if isinstance(config, dict) and "constant_value" in config:
        return f"configured as {_render(config['constant_value'])}"
    if refs := _main_references(config):
        return "configured from " + ", ".join(refs)
    if config == {}:
        return "configured by an expression without references"
    return "configured as a block"


def _render(value: object, limit: int = 80) -> str:
    text = json.dumps(value, default=lambda o: "(known after apply)" if isinstance(o, Unknown) else str(o))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _overlay(value: Any, mask: Any, config: Any, unknown: Callable[[Any], Unknown]) -> Any:
    """`value` with the parts `mask` (an `after_unknown` tree) marks replaced by unknowns,
    or `_ABSENT` where such a part is not configured (the provider default applies)."""
    if mask is True:
        return _ABSENT if _is_unset(config) else unknown(config)
    if isinstance(mask, dict) and mask:
        members = _as_dict(value)
        merged = {k: _overlay(members.get(k), mask.get(k), _sub(config, k), unknown) for k in {**members, **mask}}
        return {k: v for k, v in merged.items() if v is not _ABSENT}
    if isinstance(mask, list) and mask:
        elements = _as_list(value)
        items = [
            _overlay(elements[i] if i < len(elements) else None, mask[i] if i < len(mask) else None, _sub(config, i), unknown)
            for i in range(max(len(elements), len(mask)))
        ]
        return [None if item is _ABSENT else item for item in items]  # keep the indices
    return value


# ---------------------------------------------------------------------------- resources


class _PlanReader:
    """Builds the resources of one plan; collects its errors and warnings."""

    def __init__(self, plan: dict[str, Any], node: _Node, locator: _Locator) -> None:
        self.plan, self.node, self.locator = plan, node, locator
        self.config = _Configuration(plan.get("configuration"), node.child("configuration"), locator)
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    def _diagnose(self, into: list[Diagnostic], location: Location, message: str) -> None:
        into.append(Diagnostic(location.path, location.line, message, location.column))

    def _top(self, key: str) -> Location:
        return self.locator.member(self.node, key, Location(self.locator.path, 1, 1))

    def check_header(self) -> None:
        version = str(self.plan.get("format_version"))
        major = version.split(".")[0]
        if not major.isdigit() or int(major) > SUPPORTED_MAJOR_VERSION:
            self._diagnose(self.warnings, self._top("format_version"),
                           f"plan format_version {version} is not one this reader knows (0.x, 1.x)")
        if self.plan.get("errored") is True:
            self._diagnose(self.warnings, self._top("errored"), "the plan errored: resources may be missing")
        if self.plan.get("complete") is False:
            self._diagnose(self.warnings, self._top("complete"),
                           "the plan is incomplete (deferred changes): resources may be missing")

    def resources(self) -> list[Resource]:
        if "resource_changes" in self.plan:
            return self._from_changes()
        return self._from_planned(self.plan.get("planned_values"), self.node.child("planned_values"))

    # -- resource_changes

    def _from_changes(self) -> list[Resource]:
        changes, node = self.plan["resource_changes"], self.node.child("resource_changes")
        if not isinstance(changes, list):
            self._diagnose(self.errors, self._top("resource_changes"), "resource_changes is not a list")
            return []
        found: dict[str, Resource] = {}
        for index, entry in enumerate(changes):
            resource = self._change(entry, _child(node, index), self.locator.member(node, index, self._top("resource_changes")))
            if resource is not None and resource.address in found:
                self._diagnose(self.warnings, resource.location, f"{resource.address} is in resource_changes twice; the first is used")
            elif resource is not None:
                found[resource.address] = resource
        return list(found.values())

    def _change(self, entry: object, node: _Node | None, where: Location) -> Resource | None:
        if not isinstance(entry, dict):
            self._diagnose(self.errors, where, "a resource_changes entry is not an object")
            return None
        if entry.get("mode", "managed") != "managed" or "deposed" in entry:
            return None
        address, type_, name, change = entry.get("address"), entry.get("type"), entry.get("name"), _as_dict(entry.get("change"))
        actions = change.get("actions")
        if not (isinstance(address, str) and isinstance(type_, str) and isinstance(name, str) and isinstance(actions, list)):
            self._diagnose(self.errors, where, "a resource_changes entry lacks address, type, name or change.actions")
            return None
        if not any(isinstance(action, str) and action in EVALUATED_ACTIONS for action in actions):
            return None
        location = self._entry_location(node, where)
        after, mask = _as_dict(change.get("after")), _as_dict(change.get("after_unknown"))
        nodes = (_child(node, "change", "after"), _child(node, "change", "after_unknown"))
        return self._resource(address, type_, name, (after, mask), nodes, location)

    def _entry_location(self, node: _Node | None, where: Location) -> Location:
        if node is None or "address" not in node.members:
            return where
        return self.locator.span(node.members["address"][0], node.end)

    # -- planned_values (plans without resource_changes)

    def _from_planned(self, planned: object, node: _Node | None) -> list[Resource]:
        resources: list[Resource] = []
        self._planned_module(_as_dict(planned).get("root_module"), _child(node, "root_module"), resources)
        return resources

    def _planned_module(self, module: object, node: _Node | None, into: list[Resource]) -> None:
        module = _as_dict(module)
        for index, entry in enumerate(_as_list(module.get("resources"))):
            entry_node = _child(node, "resources", index)
            where = self.locator.member(_child(node, "resources"), index, Location(self.locator.path, 1))
            resource = self._planned_resource(entry, entry_node, where)
            if resource is not None:
                into.append(resource)
        for index, child in enumerate(_as_list(module.get("child_modules"))):
            self._planned_module(child, _child(node, "child_modules", index), into)

    def _planned_resource(self, entry: object, node: _Node | None, where: Location) -> Resource | None:
        entry = _as_dict(entry)
        address, type_, name = entry.get("address"), entry.get("type"), entry.get("name")
        if entry.get("mode", "managed") != "managed":
            return None
        if not (isinstance(address, str) and isinstance(type_, str) and isinstance(name, str)):
            self._diagnose(self.errors, where, "a planned_values resource lacks address, type or name")
            return None
        values = _as_dict(entry.get("values"))
        # planned_values leaves unknown values out: a configured argument that is missing
        # will be known only after apply.
        configured = self.config.resource(tuple(n for n, _ in _module_steps(address)), type_, name)
        missing = {k: True for k in configured.expressions if k not in values} if configured else {}
        location = self._entry_location(node, where)
        return self._resource(address, type_, name, (values, missing), (_child(node, "values"), None), location)

    # -- shared

    def _resource(self, address: str, type_: str, name: str, values: tuple[dict[str, Any], dict[str, Any]],
                  nodes: tuple[_Node | None, _Node | None], location: Location) -> Resource:
        modules = _module_steps(address)
        path = tuple(n for n, _ in modules)
        config = self.config.resource(path, type_, name) if self.config.present else None
        attributes = self._attributes(values, nodes, config or _NO_CONFIG, path, location)
        return Resource(address=address, type=type_, source_format=SourceFormat.TERRAFORM_PLAN,
                        location=location, attributes=attributes, context=self._context(modules, location))

    def _attributes(self, values: tuple[dict[str, Any], dict[str, Any]], nodes: tuple[_Node | None, _Node | None],
                    config: Any, path: tuple[str, ...], resource_location: Location) -> dict[str, Attribute]:
        after, mask = values
        attributes: dict[str, Attribute] = {}
        for name in dict.fromkeys([*after, *mask]):
            if mask.get(name) in (None, False, {}, []):  # the common case: a known value
                value = after.get(name)
            else:
                value = _overlay(after.get(name), mask.get(name), _sub(config, name), self._unknown(name, nodes, resource_location))
            if value is not None and value is not _ABSENT:
                location = self._locate(name, nodes, resource_location)
                attributes[name] = Attribute(name, value, location, self._trail(name, value, location, config, path))
        return attributes

    def _locate(self, name: str, nodes: tuple[_Node | None, _Node | None], default: Location) -> Location:
        """Where attribute `name` is written: in `after`, else in `after_unknown`."""
        return self.locator.member(nodes[0], name, self.locator.member(nodes[1], name, default))

    def _unknown(self, name: str, nodes: tuple[_Node | None, _Node | None], default: Location) -> Callable[[Any], Unknown]:
        def unknown(expression: Any) -> Unknown:
            how = "" if expression is _NO_CONFIG else f" ({_describe(expression)})"
            # the reason names the value, not the attribute: policies put the name before it
            return Unknown(f"known after apply{how}", self._locate(name, nodes, default))

        return unknown

    def _trail(self, name: str, value: object, location: Location, config: Any, path: tuple[str, ...]) -> tuple[Step, ...]:
        shown = "is unknown (known after apply)" if isinstance(value, Unknown) else f"= {_render(value)}"
        steps = [Step(location, f"{name} {shown} in the plan")]
        if isinstance(config, _Configured) and name in config.expressions:
            expression = config.expressions[name]
            steps.append(Step(self.locator.member(config.node, name, location), f"{name} {_describe(expression)}"))
            steps.extend(self._input_trail(path, expression, location))
        return tuple(steps)

    def _input_trail(self, path: tuple[str, ...], expression: Any, fallback: Location) -> list[Step]:
        """Follow `var.x` up through module calls to the plan's input variables."""
        steps: list[Step] = []
        while len(refs := _main_references(expression)) == 1 and (match := _VARIABLE.match(refs[0])):
            variable = match[1]
            if not path:
                value = _as_dict(_as_dict(self.plan.get("variables")).get(variable))
                if "value" in value:
                    where = self.locator.member(self.node.child("variables"), variable, fallback)
                    steps.append(Step(where, f"var.{variable} = {_render(value['value'])} (plan input variable)"))
                break
            call, call_node, call_location = self._call(path)
            expression = _as_dict(call.get("expressions")).get(variable)
            if expression is None:
                steps.append(Step(call_location, _default_note(path[-1], variable, call)))
                break
            where = self.locator.member(_child(call_node, "expressions"), variable, call_location)
            steps.append(Step(where, f"module.{path[-1]} input {variable} {_describe(expression)}"))
            path = path[:-1]
        return steps

    def _call(self, path: tuple[str, ...]) -> tuple[dict[str, Any], _Node | None, Location]:
        return self.config.calls.get(path, ({}, None, self._top("configuration")))

    def _context(self, modules: list[tuple[str, str]], fallback: Location) -> tuple[Step, ...]:
        steps: list[Step] = []
        path: tuple[str, ...] = ()
        for name, key in modules:
            path += (name,)
            call, _, where = self.config.calls.get(path, ({}, None, fallback))
            source = call.get("source")
            steps.append(Step(where, f"module.{name}{key}" + (f" (source {source})" if isinstance(source, str) else "")))
        return tuple(steps)


def _default_note(module: str, variable: str, call: dict[str, Any]) -> str:
    declared = _as_dict(_as_dict(_as_dict(call.get("module")).get("variables")).get(variable))
    default = f" {_render(declared['default'])}" if "default" in declared else ""
    return f"module.{module} does not set {variable}: the variable's default{default} applies"


# ---------------------------------------------------------------------------- entry point


def parse_plan(text: str, path: str) -> PlanResult | None:
    """The resources of the plan in `text` (`path` is the display path for locations);
    None when the JSON is not a plan. Raises `PlanError` when `text` is not JSON."""
    text = text.removeprefix("\ufeff")  # a BOM left by a caller's own decoding
    data, node = _load(text, _CHANGES_SPEC)
    if not looks_like_plan(data):
        return None
    if "resource_changes" not in data:
        again, node = _load(text, _PLANNED_SPEC)  # rare: walk again, now for planned_values
        data = _as_dict(again)
    reader = _PlanReader(data, node, _Locator(path, text))
    reader.check_header()
    try:
        resources = reader.resources()
    except RecursionError:  # values nested deeper than the reader recurses
        raise PlanError("plan values nested too deeply") from None
    return PlanResult(tuple(resources), tuple(reader.errors), tuple(reader.warnings))
