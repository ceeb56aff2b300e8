"""Template conditions: each evaluated once per template (memoised), from resources,
from `Fn::If` and from other conditions; a cycle is an error, not a hang. Values are
three-valued: True, False or an `Unknown` that says why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from linter.cloudformation.rendering import render
from linter.cloudformation.values import Evaluated, Malformed, Trace, args, comparable, first_unknown, truth
from linter.model import Step, Unknown
from linter.parsers.yamljson import LineDict

if TYPE_CHECKING:
    from linter.cloudformation.intrinsics import TemplateEvaluator


class Conditions:
    """The `Conditions` section of one template, evaluated on demand."""

    def __init__(self, ev: TemplateEvaluator, section: Mapping[str, Any]) -> None:
        self.ev = ev
        self.section = section
        self._entries: dict[Any, tuple[Any, int]] | None = None
        self._cache: dict[str, Evaluated] = {}
        self._active: list[str] = []

    def get(self, name: str, line: int) -> Evaluated:
        """True, False or Unknown for condition `name`, with the condition's trail."""
        if name in self._cache:
            return self._cache[name]
        entry = self.entries().get(name)
        if entry is None:
            return self._missing(name, line)
        if name in self._active:
            cycle = " -> ".join([*self._active[self._active.index(name):], name])
            self.ev.error(line, f"conditions refer to each other in a cycle: {cycle}")
            return Evaluated(self.ev.unknown(f"condition {name} is part of a cycle", line))
        self._active.append(name)
        try:
            trace = Trace()
            body, decl_line = entry
            value = self.evaluate(body, trace, decl_line)
        finally:
            self._active.pop()
        inputs = [summary for s in trace.steps if (summary := _input_summary(s.note))]
        note = f"condition {name}: {truth(value)}" + (f" ({', '.join(inputs)})" if inputs else "")
        result = Evaluated(value, (Step(self.ev.loc(decl_line), note), *trace.steps), tuple(trace.refs))
        self._cache[name] = result
        return result

    def entries(self) -> dict[Any, tuple[Any, int]]:
        """Condition name -> (body, line), with `Fn::ForEach` loops expanded."""
        if self._entries is None:
            from linter.cloudformation.foreach import expand

            section = self.section if isinstance(self.section, LineDict) else LineDict(self.section)
            self._entries = {g.key: (g.body, g.line) for g in expand(section, self.ev, section.line or 1)}
        return self._entries

    def evaluate(self, node: Any, tr: Trace, line: int) -> Any:
        """A condition expression: a condition function, `Condition: name`, or a value
        that reads as a boolean."""
        if isinstance(node, dict) and len(node) == 1:
            (key, arg), = node.items()
            line = node.key_line(key) if isinstance(node, LineDict) else line
            if key == "Condition":
                if not isinstance(arg, str):
                    return self.ev.unknown("Condition needs a condition name", line)
                decided = self.get(arg, line)
                tr.add(decided.trail)
                return decided.value
            if key in CONDITION_FUNCTIONS:
                return self.ev.call(CONDITION_FUNCTIONS[key], key, arg, tr, line)
        value = self.ev.eval(node, tr, line)
        return _as_truth(value) if not isinstance(value, Unknown) else value

    def _missing(self, name: str, line: int) -> Evaluated:
        self.ev.error(line, f"condition {name} is not defined in Conditions")
        result = Evaluated(self.ev.unknown(f"condition {name} is not defined", line))
        self._cache[name] = result
        return result


def equals(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    left, right = (ev.eval(a, tr, line) for a in args(arg, 2))
    unknown = first_unknown(left, right)
    if unknown is not None:
        return unknown
    return comparable(left) == comparable(right)


def and_(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    return _combine([ev.conditions.evaluate(a, tr, line) for a in _operands(arg)], stop=False)


def or_(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    return _combine([ev.conditions.evaluate(a, tr, line) for a in _operands(arg)], stop=True)


def not_(ev: TemplateEvaluator, arg: Any, tr: Trace, line: int) -> Any:
    (operand,) = args(arg, 1)
    value = ev.conditions.evaluate(operand, tr, line)
    return value if isinstance(value, Unknown) else not value


CONDITION_FUNCTIONS = {"Fn::Equals": equals, "Fn::And": and_, "Fn::Or": or_, "Fn::Not": not_}


def _operands(arg: Any) -> list[Any]:
    if not isinstance(arg, list) or not arg:
        raise Malformed("expected a list of conditions")
    return arg


def _combine(values: list[Any], stop: bool) -> Any:
    """Three-valued And (stop=False) / Or (stop=True)."""
    if any(v is stop for v in values):
        return stop
    unknown = next((v for v in values if isinstance(v, Unknown)), None)
    return unknown if unknown is not None else not stop


def _as_truth(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{render(value)} is not a condition")


def _input_summary(note: str) -> str | None:
    """`EnvironmentName default "prod"` for a parameter step, None for other steps."""
    for prefix in ("parameter ", "pseudo parameter "):
        if note.startswith(prefix):
            return note[len(prefix):]
    return None
