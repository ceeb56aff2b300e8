"""Evaluation of a CloudFormation template's values, as CloudFormation would at deploy time.

A `TemplateEvaluator` is built once per template. It resolves parameters (given values over
defaults, typed as CloudFormation types them), evaluates each condition once (memoised; a
cycle is an error, not a hang) and evaluates property values: `Ref`, `Fn::If`,
`Fn::FindInMap`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::Base64` and the
condition functions. What only exists after deployment (physical IDs, `Fn::GetAtt`, imports,
pseudo parameters nobody gave) becomes an `Unknown` with its reason and place, in the
position where it occurs, so an unknown `Description` never hides a known `MultiRegion`.
`Ref AWS::NoValue` yields `NO_VALUE`, which the caller drops.

Every evaluation records its provenance as `Step`s: parameter defaults or given values,
conditions with their inputs, mapping entries.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from linter.model import Diagnostic, Location, Step, Unknown, contains_unknown
from linter.parsers.yamljson import key_line, line_of

PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})


class _NoValue:
    """`Ref AWS::NoValue`: the property or list element is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


class ParameterValueError(ValueError):
    """A given parameter value that the template's `AllowedValues` forbid (a usage error)."""

    def __init__(self, parameter: str, value: str, allowed: list[str], path: str) -> None:
        self.parameter, self.value, self.allowed, self.path = parameter, value, allowed, path
        super().__init__(
            f"parameter {parameter}: {value!r} is not one of its AllowedValues "
            f"{allowed} ({path})"
        )


@dataclass(frozen=True, slots=True)
class Given:
    """A parameter value handed in from outside the template (command line, parent stack,
    stack environment), with its own provenance."""

    value: object
    trail: tuple[Step, ...] = ()
    how: str = "given"


@dataclass(frozen=True, slots=True)
class Evaluated:
    value: object
    trail: tuple[Step, ...] = ()
    references: tuple[str, ...] = ()


class _Trace:
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


class _Malformed(Exception):
    pass


def _section(template: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = template.get(name)
    return value if isinstance(value, dict) else {}


class TemplateEvaluator:
    """Evaluates the values of one template; `errors`/`warnings` collect what it finds."""

    def __init__(
        self, template: Mapping[str, Any], path: str,
        params: Mapping[str, object] | None = None, *, serverless: bool = False,
    ) -> None:
        self.path = path
        self.serverless = serverless
        self.parameters = _section(template, "Parameters")
        self.mappings = _section(template, "Mappings")
        self.conditions = _section(template, "Conditions")
        self.resources = frozenset(k for k in _section(template, "Resources") if isinstance(k, str))
        self.given = dict(params or {})
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self._param_cache: dict[str, Evaluated] = {}
        self._cond_cache: dict[str, Evaluated] = {}
        self._cond_active: list[str] = []
        self._check_given()

    # ------------------------------------------------------------------ public entry points

    def evaluate(self, name: str, raw: object, line: int) -> Evaluated:
        """The value of property `name` written as `raw` at `line`, with its trail."""
        trace = _Trace()
        value = self._eval(raw, trace, line)
        first = Step(self._loc(line), f"{name}: {render(raw)}")
        return Evaluated(value, (first, *trace.steps), tuple(trace.refs))

    def condition(self, name: str, line: int) -> Evaluated:
        """True, False or Unknown for condition `name`, with the condition's trail."""
        if name in self._cond_cache:
            return self._cond_cache[name]
        if name not in self.conditions:
            return self._missing_condition(name, line)
        if name in self._cond_active:
            cycle = " -> ".join([*self._cond_active[self._cond_active.index(name):], name])
            self._error(line, f"conditions refer to each other in a cycle: {cycle}")
            return Evaluated(self._unknown(f"condition {name} is part of a cycle", line))
        self._cond_active.append(name)
        try:
            trace = _Trace()
            decl_line = key_line(self.conditions, name, line)
            value = self._eval_condition(self.conditions[name], trace, decl_line)
        finally:
            self._cond_active.pop()
        inputs = [summary for s in trace.steps if (summary := _input_summary(s.note))]
        note = f"condition {name}: {_truth(value)}" + (f" ({', '.join(inputs)})" if inputs else "")
        result = Evaluated(value, (Step(self._loc(decl_line), note), *trace.steps), tuple(trace.refs))
        self._cond_cache[name] = result
        return result

    def parameter(self, name: str, line: int) -> Evaluated:
        if name not in self._param_cache:
            self._param_cache[name] = self._resolve_parameter(name, line)
        return self._param_cache[name]

    # ------------------------------------------------------------------ parameters

    def _check_given(self) -> None:
        for name, value in self.given.items():
            decl = self.parameters.get(name)
            if isinstance(value, Given) or not isinstance(decl, dict):
                continue
            allowed = decl.get("AllowedValues")
            if not isinstance(allowed, list):
                continue
            texts = [_text(a) for a in allowed]
            is_list = _is_list_type(decl.get("Type"))
            items = [i.strip() for i in str(value).split(",")] if is_list else [str(value)]
            if any(item not in texts for item in items):
                raise ParameterValueError(name, str(value), [str(t) for t in texts], self.path)

    def _resolve_parameter(self, name: str, line: int) -> Evaluated:
        decl = self.parameters[name]
        loc = self._loc(key_line(self.parameters, name, line))
        decl = decl if isinstance(decl, dict) else {}
        ptype = decl.get("Type", "String")
        given = self.given.get(name)
        if given is not None:
            g = given if isinstance(given, Given) else Given(given)
            raw, how, extra = g.value, g.how, g.trail
        elif "Default" in decl:
            raw, how, extra = decl["Default"], "default", ()
            self._check_default(name, decl, loc)
        else:
            reason = f"parameter {name} has no default and no value was given"
            return Evaluated(Unknown(reason, loc), (Step(loc, f"parameter {name}: no default, no value given"),))
        if isinstance(ptype, str) and ptype.startswith("AWS::SSM::Parameter::Value<"):
            value: object = Unknown(
                f"parameter {name} is read from SSM parameter {_quoted(raw)} at deploy time", loc)
        else:
            value = _typed(raw, ptype, name, loc)
        note = f"parameter {name} {how} {_quoted(raw)}"
        return Evaluated(value, (Step(loc, note), *extra))

    def _check_default(self, name: str, decl: Mapping[str, Any], loc: Location) -> None:
        allowed = decl.get("AllowedValues")
        default = decl.get("Default")
        if isinstance(allowed, list) and not _is_list_type(decl.get("Type")):
            if _text(default) not in [_text(a) for a in allowed]:
                self._warn(loc.line, f"parameter {name}: default {_text(default)!r} is not one of its AllowedValues")

    # ------------------------------------------------------------------ values

    def _eval(self, node: Any, tr: _Trace, line: int) -> Any:
        if isinstance(node, dict):
            return self._eval_mapping(node, tr, line_of(node, line))
        if isinstance(node, list):
            lines = getattr(node, "lines", None) or [line_of(node, line)] * len(node)
            items = (self._eval(item, tr, item_line) for item, item_line in zip(node, lines))
            return [item for item in items if item is not NO_VALUE]
        if self.serverless and isinstance(node, str) and "${" in node:
            return self._unknown(f"Serverless Framework variable in {node!r}, resolved when packaging", line)
        return node

    def _eval_mapping(self, node: dict, tr: _Trace, line: int) -> Any:
        if len(node) == 1:
            (key, arg), = node.items()
            handler = _FUNCTIONS.get(key) if isinstance(key, str) else None
            if handler is not None:
                return self._call(handler, key, arg, tr, key_line(node, key, line))
            if isinstance(key, str) and key.startswith("Fn::"):
                return self._unknown(f"{key} is not supported here", line)
            if isinstance(key, str) and key.startswith("Rain::"):
                return self._unknown(f"{key} is resolved by rain pkg before deployment", line)
        key_lines = getattr(node, "key_lines", None) or {}
        out = {}
        for key, value in node.items():
            if isinstance(value, (dict, list)) or self.serverless:
                value = self._eval(value, tr, key_lines.get(key, line))
                if value is NO_VALUE:
                    continue
            out[key] = value
        return out

    def _call(self, handler: Callable[..., Any], name: str, arg: Any, tr: _Trace, line: int) -> Any:
        try:
            return handler(self, arg, tr, line)
        except _Malformed as problem:
            self._warn(line, f"malformed {name}: {problem}")
            return self._unknown(f"malformed {name}: {problem}", line)

    def _ref(self, arg: Any, tr: _Trace, line: int) -> Any:
        name = arg if isinstance(arg, str) else self._eval(arg, tr, line)
        if not isinstance(name, str):
            return name if isinstance(name, Unknown) else self._unknown("Ref needs a name", line)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            evaluated = self.parameter(name, line)
            tr.add(evaluated.trail)
            return evaluated.value
        if name in PSEUDO_PARAMETERS:
            return self._pseudo(name, tr, line)
        if name in self.resources:
            tr.ref(name)
            return self._unknown(f"physical ID of resource {name}, known only after deploy", line)
        self._warn(line, f"Ref to {name}, which is neither a parameter nor a resource of the template")
        return self._unknown(f"Ref to undefined name {name}", line)

    def _pseudo(self, name: str, tr: _Trace, line: int) -> Any:
        given = self.given.get(name)
        if given is None:
            return self._unknown(f"pseudo parameter {name} is known only at deploy time", line)
        g = given if isinstance(given, Given) else Given(given)
        tr.add((Step(self._loc(line), f"pseudo parameter {name} {g.how} {_quoted(g.value)}"), *g.trail))
        return g.value

    def _get_att(self, arg: Any, tr: _Trace, line: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        elif isinstance(arg, dict):
            arg = self._eval(arg, tr, line)
            arg = arg.split(".", 1) if isinstance(arg, str) else arg
        if not isinstance(arg, list) or len(arg) != 2:
            return self._unknown("Fn::GetAtt with an unresolvable resource or attribute", line)
        resource, attribute = (self._eval(a, tr, line) for a in arg)
        if isinstance(resource, str) and resource in self.resources:
            tr.ref(resource)
        return self._unknown(f"attribute {_show(attribute)} of resource {_show(resource)}, known only after deploy", line)

    def _sub(self, arg: Any, tr: _Trace, line: int) -> Any:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], {k: self._eval(v, tr, key_line(arg[1], k, line)) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}
        if isinstance(text, dict):  # e.g. `!Sub !Rain::Embed file`: the text comes from elsewhere
            text = self._eval(text, tr, line)
            if isinstance(text, Unknown):
                return text
        if not isinstance(text, str):
            raise _Malformed("expected a string or [string, {variables}]")
        pieces, unknown = [], None
        last = 0
        for match in _SUB_VARIABLE.finditer(text):
            pieces.append(text[last:match.start()])
            last = match.end()
            inner = match.group(1)
            if inner.startswith("!"):
                pieces.append("${" + inner[1:] + "}")
                continue
            value = self._sub_variable(inner.strip(), variables, tr, line)
            piece = _text(value)
            if isinstance(piece, Unknown):
                unknown = piece if unknown is None else unknown
            pieces.append(piece if isinstance(piece, str) else "")
        pieces.append(text[last:])
        if unknown is not None:
            return self._unknown(f"Fn::Sub {render(text)}: {unknown.reason}", line)
        return "".join(pieces)

    def _sub_variable(self, name: str, variables: Mapping[str, Any], tr: _Trace, line: int) -> Any:
        if name in variables:
            return variables[name]
        if "." in name and name not in self.parameters:
            return self._get_att(name, tr, line)
        value = self._ref(name, tr, line)
        return self._unknown(f"${{{name}}} is AWS::NoValue", line) if value is NO_VALUE else value

    def _join(self, arg: Any, tr: _Trace, line: int) -> Any:
        delimiter, items = _args(arg, 2)
        delimiter, items = self._eval(delimiter, tr, line), self._eval(items, tr, line)
        if isinstance(items, Unknown) or isinstance(delimiter, Unknown):
            return self._unknown(f"Fn::Join: {_reason_of(delimiter, items)}", line)
        if not isinstance(items, list) or not isinstance(delimiter, str):
            raise _Malformed("expected [delimiter, [values]]")
        texts = [_text(i) for i in items]
        unknown = next((t for t in texts if isinstance(t, Unknown)), None)
        if unknown is not None:
            return self._unknown(f"Fn::Join: {unknown.reason}", line)
        return delimiter.join(texts)  # type: ignore[arg-type]

    def _select(self, arg: Any, tr: _Trace, line: int) -> Any:
        index, items = _args(arg, 2)
        index, items = self._eval(index, tr, line), self._eval(items, tr, line)
        if isinstance(index, Unknown) or isinstance(items, Unknown):
            return self._unknown(f"Fn::Select: {_reason_of(index, items)}", line)
        try:
            position = int(index)
        except (TypeError, ValueError):
            raise _Malformed(f"index {index!r} is not a number") from None
        if not isinstance(items, list):
            raise _Malformed("expected [index, [values]]")
        if not 0 <= position < len(items):
            raise _Malformed(f"index {position} is out of range for {len(items)} values")
        return items[position]

    def _split(self, arg: Any, tr: _Trace, line: int) -> Any:
        delimiter, source = (self._eval(a, tr, line) for a in _args(arg, 2))
        if isinstance(source, Unknown) or isinstance(delimiter, Unknown):
            return self._unknown(f"Fn::Split: {_reason_of(delimiter, source)}", line)
        if not isinstance(source, str) or not isinstance(delimiter, str) or not delimiter:
            raise _Malformed("expected [delimiter, string]")
        return source.split(delimiter)

    def _if(self, arg: Any, tr: _Trace, line: int) -> Any:
        name, when_true, when_false = _args(arg, 3)
        if not isinstance(name, str):
            raise _Malformed("the condition must be a condition name")
        decided = self.condition(name, line)
        tr.add(decided.trail)
        if decided.value is True:
            return self._eval(when_true, tr, line)
        if decided.value is False:
            return self._eval(when_false, tr, line)
        first, second = self._eval(when_true, tr, line), self._eval(when_false, tr, line)
        if first == second and contains_unknown(first) is None and first is not NO_VALUE:
            return first
        return self._unknown(f"Fn::If on condition {name}, which is unknown: {_reason(decided.value)}", line)

    def _find_in_map(self, arg: Any, tr: _Trace, line: int) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            raise _Malformed("expected [map, top-level key, second-level key]")
        keys = [self._eval(a, tr, line) for a in arg[:3]]
        unknown = _first_unknown(*keys)
        if unknown is not None:
            return self._unknown(f"Fn::FindInMap key: {unknown.reason}", line)
        map_name, top, second = (_text(k) for k in keys)
        table = self.mappings.get(map_name)
        if not isinstance(table, dict):
            self._warn(line, f"Fn::FindInMap: no mapping named {map_name}")
            return self._unknown(f"no mapping named {map_name}", line)
        top_key = _find_key(table, top)
        inner = table.get(top_key) if top_key is not None else None
        second_key = _find_key(inner, second) if isinstance(inner, dict) else None
        if second_key is None or not isinstance(inner, dict):
            return self._map_default(arg, map_name, top, second, top_key is None, tr, line)
        value = self._eval(inner[second_key], _Trace(), line)
        where = self._loc(key_line(inner, second_key, line))
        tr.add((Step(where, f"mapping {map_name}.{top}.{second} = {_quoted(value)}"),))
        return value

    def _map_default(self, arg: list, map_name: str, top: Any, second: Any, top_missing: bool,
                     tr: _Trace, line: int) -> Any:
        missing = f"{top!r}" if top_missing else f"{top!r}.{second!r}"
        options = arg[3] if len(arg) == 4 else None
        if isinstance(options, dict) and "DefaultValue" in options:
            value = self._eval(options["DefaultValue"], tr, line)
            tr.add((Step(self._loc(line), f"mapping {map_name} has no key {missing}: DefaultValue {_quoted(value)}"),))
            return value
        return self._unknown(f"mapping {map_name} has no key {missing}", line)

    def _base64(self, arg: Any, tr: _Trace, line: int) -> Any:
        value = _text(self._eval(arg, tr, line))
        if isinstance(value, Unknown):
            return self._unknown(f"Fn::Base64: {value.reason}", line)
        return base64.b64encode(str(value).encode()).decode()

    def _length(self, arg: Any, tr: _Trace, line: int) -> Any:
        value = self._eval(arg, tr, line)
        if isinstance(value, list):
            return len(value)
        return self._unknown(f"Fn::Length of {render(arg)}", line)

    def _to_json(self, arg: Any, tr: _Trace, line: int) -> Any:
        value = self._eval(arg, tr, line)
        unknown = contains_unknown(value)
        if unknown is not None:
            return self._unknown(f"Fn::ToJsonString: {unknown.reason}", line)
        return json.dumps(value, separators=(",", ":"))

    def _transform(self, arg: Any, tr: _Trace, line: int) -> Any:
        calls = arg if isinstance(arg, list) else [arg]
        names = ", ".join(str(c.get("Name")) for c in calls if isinstance(c, dict)) or "(unnamed)"
        self._warn(line, f"Fn::Transform {names} is not run; what it produces is not checked")
        return self._unknown(f"Fn::Transform {names} is resolved only at deploy time", line)

    # ------------------------------------------------------------------ conditions

    def _eval_condition(self, node: Any, tr: _Trace, line: int) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            (key, arg), = node.items()
            line = key_line(node, key, line)
            if key == "Condition":
                if not isinstance(arg, str):
                    return self._unknown("Condition needs a condition name", line)
                decided = self.condition(arg, line)
                tr.add(decided.trail)
                return decided.value
            if key in _CONDITION_FUNCTIONS:
                return self._call(_CONDITION_FUNCTIONS[key], key, arg, tr, line)
        value = self._eval(node, tr, line)
        return _as_truth(value) if not isinstance(value, Unknown) else value

    def _equals(self, arg: Any, tr: _Trace, line: int) -> Any:
        left, right = (self._eval(a, tr, line) for a in _args(arg, 2))
        unknown = _first_unknown(left, right)
        if unknown is not None:
            return unknown
        return _comparable(left) == _comparable(right)

    def _and(self, arg: Any, tr: _Trace, line: int) -> Any:
        return _combine([self._eval_condition(a, tr, line) for a in _operands(arg)], stop=False)

    def _or(self, arg: Any, tr: _Trace, line: int) -> Any:
        return _combine([self._eval_condition(a, tr, line) for a in _operands(arg)], stop=True)

    def _not(self, arg: Any, tr: _Trace, line: int) -> Any:
        (operand,) = _args(arg, 1)
        value = self._eval_condition(operand, tr, line)
        return value if isinstance(value, Unknown) else not value

    def _missing_condition(self, name: str, line: int) -> Evaluated:
        self._error(line, f"condition {name} is not defined in Conditions")
        result = Evaluated(self._unknown(f"condition {name} is not defined", line))
        self._cond_cache[name] = result
        return result

    # ------------------------------------------------------------------ helpers

    def _loc(self, line: int) -> Location:
        return Location(self.path, line)

    def _unknown(self, reason: str, line: int) -> Unknown:
        return Unknown(reason, self._loc(line))

    def _warn(self, line: int, message: str) -> None:
        diagnostic = Diagnostic(self.path, line, message)
        if diagnostic not in self.warnings:
            self.warnings.append(diagnostic)

    def _error(self, line: int, message: str) -> None:
        diagnostic = Diagnostic(self.path, line, message)
        if diagnostic not in self.errors:
            self.errors.append(diagnostic)


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

_DEPLOY_TIME = {
    "azs": "Fn::GetAZs {}: the Availability Zones, known only at deploy time",
    "import": "value exported by another stack as {}, known only at deploy time",
    "cidr": "Fn::Cidr {} is not evaluated",
    "rules": "{} is a Rules-only function",
}



def _deploy_time(what: str) -> Callable[[TemplateEvaluator, Any, _Trace, int], Any]:
    """A function whose value exists only once the stack is deployed."""

    def handler(self: TemplateEvaluator, arg: Any, tr: _Trace, line: int) -> Any:
        shown = render(self._eval(arg, tr, line)) if what == "import" else render(arg)
        return self._unknown(_DEPLOY_TIME[what].format(shown), line)

    return handler


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "Ref": TemplateEvaluator._ref,
    "Fn::GetAtt": TemplateEvaluator._get_att,
    "Fn::Sub": TemplateEvaluator._sub,
    "Fn::Join": TemplateEvaluator._join,
    "Fn::Select": TemplateEvaluator._select,
    "Fn::Split": TemplateEvaluator._split,
    "Fn::If": TemplateEvaluator._if,
    "Fn::FindInMap": TemplateEvaluator._find_in_map,
    "Fn::Base64": TemplateEvaluator._base64,
    "Fn::Length": TemplateEvaluator._length,
    "Fn::ToJsonString": TemplateEvaluator._to_json,
    "Fn::Transform": TemplateEvaluator._transform,
    "Fn::Equals": TemplateEvaluator._equals,
    "Fn::And": TemplateEvaluator._and,
    "Fn::Or": TemplateEvaluator._or,
    "Fn::Not": TemplateEvaluator._not,
    "Fn::GetAZs": _deploy_time("azs"),
    "Fn::ImportValue": _deploy_time("import"),
    "Fn::Cidr": _deploy_time("cidr"),
    "Fn::Contains": _deploy_time("rules"),
}

_CONDITION_FUNCTIONS = {k: _FUNCTIONS[k] for k in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not")}


def _args(arg: Any, count: int) -> list[Any]:
    if not isinstance(arg, list) or len(arg) != count:
        raise _Malformed(f"expected a list of {count} arguments")
    return arg


def _operands(arg: Any) -> list[Any]:
    if not isinstance(arg, list) or not arg:
        raise _Malformed("expected a list of conditions")
    return arg


def _combine(values: list[Any], stop: bool) -> Any:
    """Three-valued And (stop=False) / Or (stop=True)."""
    if any(v is stop for v in values):
        return stop
    unknown = next((v for v in values if isinstance(v, Unknown)), None)
    return unknown if unknown is not None else not stop


def _reason_of(*values: Any) -> str:
    found = _first_unknown(*values)
    return found.reason if found is not None else "unknown"


def _first_unknown(*values: Any) -> Unknown | None:
    for value in values:
        found = contains_unknown(value)
        if found is not None:
            return found
    return None


def _text(value: Any) -> Any:
    """A scalar as the string CloudFormation sees; Unknown passes through."""
    if isinstance(value, Unknown) or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown(f"{render(value)} is not a string")


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return _text(value) if value is not None else None


def _as_truth(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{render(value)} is not a condition")


def _is_list_type(ptype: Any) -> bool:
    return isinstance(ptype, str) and (ptype == "CommaDelimitedList" or ptype.startswith("List<"))


def _typed(raw: Any, ptype: Any, name: str, loc: Location) -> object:
    """A parameter value as `Ref` yields it: a string, or a list for list types."""
    if isinstance(raw, Unknown):
        return raw
    if _is_list_type(ptype):
        if isinstance(raw, list):
            return [_text(item) for item in raw]
        text = _text(raw)
        return [part.strip() for part in text.split(",")] if isinstance(text, str) else text
    text = _text(raw)
    if isinstance(text, Unknown):
        return Unknown(f"parameter {name}: {text.reason}", loc)
    return text


def _find_key(table: Mapping[Any, Any], key: Any) -> Any:
    if key in table:
        return key
    return next((k for k in table if _text(k) == key), None)


def _input_summary(note: str) -> str | None:
    """`EnvironmentName default "prod"` for a parameter step, None for other steps."""
    for prefix in ("parameter ", "pseudo parameter "):
        if note.startswith(prefix):
            return note[len(prefix):]
    return None


def _truth(value: Any) -> str:
    return "unknown" if isinstance(value, Unknown) else ("true" if value else "false")


def _reason(value: Any) -> str:
    return value.reason if isinstance(value, Unknown) else str(value)


def _show(value: Any) -> str:
    return render(value) if not isinstance(value, str) else value


def _quoted(value: Any) -> str:
    """A value in a step note: strings always quoted, since parameters are strings."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else render(value)


_SHORT = {"Ref": "!Ref", "Condition": "!Condition"}
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]*")
_AMBIGUOUS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def render(value: Any, limit: int = 100) -> str:
    """A compact, YAML-like rendering of a raw template value, in short-form tags."""
    text = _render(value, limit)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _render(value: Any, budget: int) -> str:
    """Renders at least `budget` characters when the value is longer (and stops there,
    so a large key policy costs no more than a short one)."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if isinstance(key, str) and (key in _SHORT or key.startswith("Fn::")):
                tag = _SHORT.get(key) or "!" + key[4:]
                if key == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                    return f"{tag} {'.'.join(arg)}"
                return f"{tag} {_render(arg, budget)}"
        items = ((f"{_render_key(k)}: ", v) for k, v in value.items())
        return _render_items("{", items, "}", budget)
    if isinstance(value, list):
        return _render_items("[", (("", v) for v in value), "]", budget)
    if isinstance(value, Unknown):
        return f"(unknown: {value.reason})"
    if isinstance(value, str):
        bare = _BARE.fullmatch(value) and value.lower() not in _AMBIGUOUS
        return value if bare else json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _render_items(opening: str, items: Any, closing: str, budget: int) -> str:
    parts, used = [], 0
    for prefix, item in items:
        if used > budget:
            parts.append("…")
            break
        part = prefix + _render(item, budget - used)
        parts.append(part)
        used += len(part) + 2
    return opening + ", ".join(parts) + closing


def _render_key(key: Any) -> str:
    return key if isinstance(key, str) and _BARE.fullmatch(key) else json.dumps(str(key))
