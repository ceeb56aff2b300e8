"""Evaluation of a CloudFormation template's values, as CloudFormation would at deploy time.

A `TemplateEvaluator` is built once per template. It resolves parameters (`parameters`),
evaluates each condition once (`conditions`), and evaluates property values: `Ref`,
`Fn::GetAtt`, `Fn::If` here, the other functions in `functions` and `conditions`. What
only exists after deployment (physical IDs, attributes, imports, pseudo parameters nobody
gave) becomes an `Unknown` with its reason and place, in the position where it occurs, so
an unknown `Description` never hides a known `MultiRegion`. `Ref AWS::NoValue` yields
`NO_VALUE`, which the caller drops. `Fn::GetAtt Stack.Outputs.Name` of a nested stack
whose template is local is the child's output, when the caller can provide it.

Every evaluation records its provenance as `Step`s: parameter defaults or given values,
conditions with their inputs, mapping entries, nested stack outputs.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from linter.cloudformation import functions
from linter.cloudformation.conditions import CONDITION_FUNCTIONS, Conditions
from linter.cloudformation.foreach import Generated, expand, is_loop
from linter.cloudformation.parameters import Given, ParameterValueError, Parameters
from linter.cloudformation.rendering import render, show
from linter.cloudformation.values import NO_VALUE, Evaluated, Malformed, Trace, args
from linter.model import Diagnostic, Location, Step, Unknown, contains_unknown
from linter.parsers.yamljson import LineDict, key_line, line_of

PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SERVERLESS = "AWS::Serverless-2016-10-31"
# Resources whose `Outputs.Name` attributes are the outputs of a template of their own.
STACK_TYPES = frozenset({"AWS::CloudFormation::Stack", "AWS::Serverless::Application"})

# (nested stack logical ID, output name, line) -> the output's value, or None when unknown.
StackOutput = Callable[[str, str, int], "Evaluated | None"]


def transform_names(template: Mapping[str, Any]) -> list[str]:
    transform = template.get("Transform")
    items = transform if isinstance(transform, list) else [transform] if transform else []
    names = (item.get("Name") if isinstance(item, dict) else item for item in items)
    return [name for name in names if isinstance(name, str)]


def _section(template: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = template.get(name)
    return value if isinstance(value, dict) else {}


class TemplateEvaluator:
    """Evaluates the values of one template; `errors`/`warnings` collect what it finds."""

    def __init__(
        self, template: Mapping[str, Any], path: str,
        params: Mapping[str, object] | None = None, *, serverless: bool = False,
        stack_output: StackOutput | None = None,
    ) -> None:
        self.path = path
        self.serverless = serverless
        self.language_extensions = LANGUAGE_EXTENSIONS in transform_names(template)
        self.sam = SERVERLESS in transform_names(template)
        self.mappings = _section(template, "Mappings")
        self.outputs_section = _section(template, "Outputs")
        # Logical ID -> type; the caller replaces it once Fn::ForEach loops are expanded.
        self.resources: dict[str, str] = {
            k: str(v.get("Type")) if isinstance(v, dict) else "" for k, v in _section(template, "Resources").items()
            if isinstance(k, str)}
        self.stack_output = stack_output
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.parameters = Parameters(_section(template, "Parameters"), params if params is not None else {}, path, self.warn)
        self.conditions = Conditions(self, _section(template, "Conditions"))
        self._outputs: dict[Any, Generated] | None = None
        self.parameters.check_given()

    # ------------------------------------------------------------------ public entry points

    def evaluate(self, name: str, raw: object, line: int) -> Evaluated:
        """The value of property `name` written as `raw` at `line`, with its trail."""
        trace = Trace()
        value = self.eval(raw, trace, line)
        first = Step(self.loc(line), f"{name}: {render(raw)}")
        return Evaluated(value, (first, *trace.steps), tuple(trace.refs))

    def condition(self, name: str, line: int) -> Evaluated:
        """True, False or Unknown for condition `name`, with the condition's trail."""
        return self.conditions.get(name, line)

    def parameter(self, name: str, line: int) -> Evaluated:
        return self.parameters.resolve(name, line)

    def output(self, name: str, line: int) -> Evaluated | None:
        """The value of output `name` (None when the template has no such output)."""
        if self._outputs is None:
            section = self.outputs_section if isinstance(self.outputs_section, LineDict) else LineDict(self.outputs_section)
            self._outputs = {g.key: g for g in expand(section, self, section.line or 1)}
        entry = self._outputs.get(name)
        if entry is None or not isinstance(entry.body, dict) or "Value" not in entry.body:
            return None
        body = entry.body
        if isinstance(body.get("Condition"), str):
            decided = self.condition(body["Condition"], key_line(body, "Condition", entry.line))
            if decided.value is not True:
                why = "false" if decided.value is False else f"unknown: {getattr(decided.value, 'reason', '')}"
                reason = f"output {name} exists only when condition {body['Condition']} holds, which is {why}"
                return Evaluated(self.unknown(reason, entry.line), decided.trail)
        return self.evaluate(f"output {name}", body["Value"], key_line(body, "Value", entry.line))

    def require_language_extensions(self, what: str, line: int) -> bool:
        """Whether the template declares the transform `what` needs; an error if not."""
        if not self.language_extensions:
            self.error(line, f"{what} needs Transform: {LANGUAGE_EXTENSIONS}; CloudFormation rejects the template without it")
        return self.language_extensions

    # ------------------------------------------------------------------ values

    def eval(self, node: Any, tr: Trace, line: int) -> Any:
        if isinstance(node, dict):
            return self._eval_mapping(node, tr, line_of(node, line))
        if isinstance(node, list):
            lines = getattr(node, "lines", None) or [line_of(node, line)] * len(node)
            items = (self.eval(item, tr, item_line) for item, item_line in zip(node, lines))
            return [item for item in items if item is not NO_VALUE]
        if self.serverless and isinstance(node, str) and "${" in node:
            return self.unknown(f"Serverless Framework variable in {node!r}, resolved when packaging", line)
        return node

    def _eval_mapping(self, node: dict[Any, Any], tr: Trace, line: int) -> Any:
        if len(node) == 1:
            (key, arg), = node.items()
            handler = _FUNCTIONS.get(key) if isinstance(key, str) else None
            if handler is not None:
                return self.call(handler, key, arg, tr, key_line(node, key, line))
            if isinstance(key, str) and key.startswith("Fn::") and not is_loop(key):
                return self.unknown(f"{key} is not supported here", line)
            if isinstance(key, str) and key.startswith("Rain::"):
                return self.unknown(f"{key} is resolved by rain pkg before deployment", line)
        if any(is_loop(key) for key in node):
            node = self._expanded(node, tr, line)
        key_lines = getattr(node, "key_lines", None) or {}
        out = {}
        for key, value in node.items():
            if isinstance(value, (dict, list)) or self.serverless:
                value = self.eval(value, tr, key_lines.get(key, line))
                if value is NO_VALUE:
                    continue
            out[key] = value
        return out

    def _expanded(self, node: dict[Any, Any], tr: Trace, line: int) -> LineDict:
        """A mapping of values with its `Fn::ForEach` loops expanded."""
        entries = expand(node, self, line)
        copy = LineDict((g.key, g.body) for g in entries)
        copy.line, copy.key_lines = line, {g.key: g.line for g in entries}
        for entry in entries:
            tr.add(entry.context)
        return copy

    def call(self, handler: Callable[..., Any], name: str, arg: Any, tr: Trace, line: int) -> Any:
        try:
            return handler(self, arg, tr, line)
        except Malformed as problem:
            self.warn(line, f"malformed {name}: {problem}")
            return self.unknown(f"malformed {name}: {problem}", line)

    def ref(self, arg: Any, tr: Trace, line: int) -> Any:
        name = arg if isinstance(arg, str) else self.eval(arg, tr, line)
        if not isinstance(name, str):
            return name if isinstance(name, Unknown) else self.unknown("Ref needs a name", line)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            evaluated = self.parameter(name, line)
            tr.add(evaluated.trail)
            return evaluated.value
        if name in PSEUDO_PARAMETERS:
            given = self.parameters.pseudo(name, line)
            if given is None:
                return self.unknown(f"pseudo parameter {name} is known only at deploy time", line)
            tr.add(given.trail)
            return given.value
        if name in self.resources:
            tr.ref(name)
            return self.unknown(f"physical ID of resource {name}, known only after deploy", line)
        if self.sam:  # `MyFunctionRole`, `ServerlessRestApi`: resources the SAM transform adds
            return self.unknown(f"physical ID of {name}, a resource the SAM transform may add, known only after deploy", line)
        self.warn(line, f"Ref to {name}, which is neither a parameter nor a resource of the template")
        return self.unknown(f"Ref to undefined name {name}", line)

    def get_att(self, arg: Any, tr: Trace, line: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        elif isinstance(arg, dict):
            arg = self.eval(arg, tr, line)
            arg = arg.split(".", 1) if isinstance(arg, str) else arg
        if not isinstance(arg, list) or len(arg) != 2:
            return self.unknown("Fn::GetAtt with an unresolvable resource or attribute", line)
        resource, attribute = (self.eval(a, tr, line) for a in arg)
        if isinstance(resource, str) and resource in self.resources:
            tr.ref(resource)
            output = self._stack_output(resource, attribute, line)
            if output is not None:
                tr.add(output.trail)
                return output.value
        return self.unknown(f"attribute {show(attribute)} of resource {show(resource)}, known only after deploy", line)

    def _stack_output(self, resource: str, attribute: Any, line: int) -> Evaluated | None:
        if self.stack_output is None or self.resources.get(resource) not in STACK_TYPES:
            return None
        if not isinstance(attribute, str) or not attribute.startswith("Outputs."):
            return None
        found = self.stack_output(resource, attribute[len("Outputs."):], line)
        if found is None or found.value is NO_VALUE:
            return None
        return found

    def sub_variable(self, name: str, variables: Mapping[str, Any], tr: Trace, line: int) -> Any:
        if name in variables:
            return variables[name]
        if "." in name and name not in self.parameters:
            return self.get_att(name, tr, line)
        value = self.ref(name, tr, line)
        return self.unknown(f"${{{name}}} is AWS::NoValue", line) if value is NO_VALUE else value

    def if_(self, arg: Any, tr: Trace, line: int) -> Any:
        name, when_true, when_false = args(arg, 3)
        if not isinstance(name, str):
            raise Malformed("the condition must be a condition name")
        decided = self.condition(name, line)
        tr.add(decided.trail)
        if decided.value is True:
            return self.eval(when_true, tr, line)
        if decided.value is False:
            return self.eval(when_false, tr, line)
        first, second = self.eval(when_true, tr, line), self.eval(when_false, tr, line)
        if first == second and contains_unknown(first) is None and first is not NO_VALUE:
            return first
        reason = decided.value.reason if isinstance(decided.value, Unknown) else str(decided.value)
        return self.unknown(f"Fn::If on condition {name}, which is unknown: {reason}", line)

    # ------------------------------------------------------------------ helpers

    def loc(self, line: int) -> Location:
        return Location(self.path, line)

    def unknown(self, reason: str, line: int) -> Unknown:
        return Unknown(reason, self.loc(line))

    def warn(self, line: int, message: str) -> None:
        diagnostic = Diagnostic(self.path, line, message)
        if diagnostic not in self.warnings:
            self.warnings.append(diagnostic)

    def error(self, line: int, message: str) -> None:
        diagnostic = Diagnostic(self.path, line, message)
        if diagnostic not in self.errors:
            self.errors.append(diagnostic)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "Ref": TemplateEvaluator.ref,
    "Fn::GetAtt": TemplateEvaluator.get_att,
    "Fn::If": TemplateEvaluator.if_,
    **functions.FUNCTIONS,
    **CONDITION_FUNCTIONS,
}

__all__ = [
    "Evaluated", "Given", "LANGUAGE_EXTENSIONS", "NO_VALUE", "PSEUDO_PARAMETERS", "ParameterValueError",
    "SERVERLESS", "STACK_TYPES", "TemplateEvaluator", "render", "transform_names",
]
