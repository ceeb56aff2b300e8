"""The `Resources` section of one evaluated template -> `Resource` records.

Entries come out of `Fn::ForEach` expansion first; each resource whose condition is false
is left out, one whose condition is unknown has its existence unknown, and each property
is evaluated with its trail (`AWS::NoValue` removes it). Nested stacks (and SAM
applications) are recorded as `NestedStack`s for the caller to follow; a resource is built
on demand when another one reads a nested stack's output before its turn comes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from linter.cloudformation.foreach import Generated, expand
from linter.cloudformation.intrinsics import NO_VALUE, STACK_TYPES, Given, TemplateEvaluator
from linter.cloudformation.parameters import AllGiven
from linter.cloudformation.values import Evaluated
from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Step, Unknown
from linter.parsers.yamljson import LineDict, end_line_of, key_line

SAM_APPLICATION = "AWS::Serverless::Application"


@dataclass(frozen=True)
class NestedStack:
    """An `AWS::CloudFormation::Stack` resource of a template, as its child needs it."""

    logical_id: str
    location: Location
    construct_path: str | None
    metadata: Mapping[str, Any]
    template_url: object  # the evaluated TemplateURL (often Unknown)
    raw_template_url: object
    parameters: Mapping[str, object]  # Given values, or AllGiven when unknown as a whole
    existence: Unknown | None = None
    context: tuple[Step, ...] = ()  # the Fn::ForEach items that made it, if any
    resource_type: str = "AWS::CloudFormation::Stack"


@dataclass
class Built:
    """What the builder produced, in template order."""

    resources: list[Resource] = field(default_factory=list)
    nested_stacks: list[NestedStack] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


# A nested stack -> its child's evaluator (to read the child's outputs), or None.
ChildEvaluator = Callable[[NestedStack], "TemplateEvaluator | None"]


class ResourceBuilder:
    """Turns the `Resources` entries of one template into `Resource` records."""

    def __init__(self, evaluator: TemplateEvaluator, source_format: SourceFormat, context: tuple[Step, ...],
                 construct_paths: Mapping[str, str], existence: Unknown | None, serverless_transform: bool) -> None:
        self.ev = evaluator
        self.path = evaluator.path
        self.out = Built()
        self.source_format = source_format
        self.context = context
        self.construct_paths = construct_paths
        self.existence = existence
        self.serverless_transform = serverless_transform
        self.child_evaluator: ChildEvaluator | None = None
        self._entries: dict[str, Generated] = {}
        self._built: dict[str, tuple[Resource | None, NestedStack | None]] = {}
        self._building: set[str] = set()
        evaluator.stack_output = self.stack_output

    def build_all(self, resources: Any, line: int) -> Built:
        if not isinstance(resources, dict):
            self._error(line, "Resources is not a mapping of resources")
            return self.out
        entries = expand(resources, self.ev, line)
        self._entries = {e.key: e for e in entries if isinstance(e.key, str)}
        self.ev.resources = {e.key: _type(e.body) for e in entries if isinstance(e.key, str)}
        for entry in entries:
            if not isinstance(entry.key, str):
                self._error(entry.line, f"resource name {entry.key!r} is not a string")
                continue
            resource, nested = self._build(entry.key)
            if resource is not None:
                self.out.resources.append(resource)
            if nested is not None:
                self.out.nested_stacks.append(nested)
        return self.out

    def stack_output(self, logical_id: str, output: str, line: int) -> Evaluated | None:
        """Output `output` of nested stack `logical_id`, read from its child template."""
        if self.child_evaluator is None or logical_id not in self._entries:
            return None
        _, nested = self._build(logical_id)
        child = self.child_evaluator(nested) if nested is not None else None
        return child.output(output, line) if child is not None else None

    def _build(self, logical_id: str) -> tuple[Resource | None, NestedStack | None]:
        if logical_id in self._built:
            return self._built[logical_id]
        if logical_id in self._building:  # a stack whose inputs read its own outputs
            return None, None
        self._building.add(logical_id)
        try:
            entry = self._entries[logical_id]
            resource = self._resource(entry)
            nested = self._nested(resource, entry.body) if resource is not None and self._is_stack(resource) else None
        finally:
            self._building.discard(logical_id)
        self._built[logical_id] = (resource, nested)
        return resource, nested

    def _resource(self, entry: Generated) -> Resource | None:
        logical_id, body, line = entry.key, entry.body, entry.line
        if logical_id.startswith("Fn::"):
            self._warn(line, f"{logical_id.split('::')[1]} in Resources is not expanded; resources it makes are not checked")
            return None
        if isinstance(body, dict) and _preprocessor(body.get("Type")):
            self._warn(line, f"resource {logical_id} is a {_preprocessor(body['Type'])} directive that needs packaging first; its resources are not checked")
            return None
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str) or not body["Type"]:
            self._error(line, _malformed_resource(logical_id, body))
            return None
        created, existence = self._existence(logical_id, body, line)
        if not created:
            return None
        attributes, references = self._attributes(logical_id, body, line)
        return Resource(
            address=logical_id, type=body["Type"], source_format=self.source_format,
            location=Location(self.path, line, 0, end_line_of(body, line)),
            attributes=attributes, construct_path=self._construct_path(logical_id, body),
            context=self.context + entry.context, references=references,
            existence=_first_unknown(existence, entry.existence, self.existence), metadata=plain_metadata(body.get("Metadata")),
        )

    def _existence(self, logical_id: str, body: Mapping[str, Any], line: int) -> tuple[bool, Unknown | None]:
        """(False, None) when the resource's condition is false; else (True, why its
        existence is unknown, or None when it surely exists)."""
        if "Condition" not in body:
            return True, None
        name, cond_line = body["Condition"], key_line(body, "Condition", line)
        if not isinstance(name, str):
            self._error(cond_line, f"resource {logical_id}: Condition must be a condition name")
            return True, Unknown("the resource's Condition is not a condition name", Location(self.path, cond_line))
        decided = self.ev.condition(name, cond_line)
        if isinstance(decided.value, Unknown):
            return True, Unknown(f"condition {name} is unknown: {decided.value.reason}", Location(self.path, cond_line))
        return decided.value is True, None

    def _attributes(self, logical_id: str, body: Mapping[str, Any], line: int) -> tuple[dict[str, Attribute], tuple[str, ...]]:
        properties = body.get("Properties")
        if properties is None:
            return {}, ()
        if not isinstance(properties, dict):
            self._error(key_line(body, "Properties", line), f"resource {logical_id}: Properties is not a mapping")
            return {}, ()
        attributes: dict[str, Attribute] = {}
        references: list[str] = []
        for entry in expand(properties, self.ev, line):
            attribute, refs = self._attribute(logical_id, properties, entry)
            if attribute is not None:
                attributes[attribute.name] = attribute
                references.extend(r for r in refs if r != logical_id and r not in references)
        return attributes, tuple(references)

    def _attribute(self, logical_id: str, properties: Mapping[str, Any], entry: Generated) -> tuple[Attribute | None, tuple[str, ...]]:
        name, raw, name_line = entry.key, entry.body, entry.line
        if not isinstance(name, str):
            self._error(name_line, f"resource {logical_id}: property name {name!r} is not a string")
            return None, ()
        written_line = (properties.merged_from or {}).get(name) if isinstance(properties, LineDict) and not entry.context else None
        try:
            evaluated = self.ev.evaluate(name, raw, written_line or name_line)
        except RecursionError:  # a YAML alias inside itself (`a: &x [*x]`) has no end
            self._error(name_line, f"resource {logical_id}: {name} contains itself through a YAML alias")
            return None, ()
        if evaluated.value is NO_VALUE:
            return None, ()
        trail = (*entry.context, *evaluated.trail)
        if written_line:  # brought in by a YAML merge key: say where, then where it is written
            trail = (Step(Location(self.path, name_line), f"{name} merged in with <<"), *trail)
        return Attribute(name, evaluated.value, Location(self.path, name_line), trail), evaluated.references

    def _construct_path(self, logical_id: str, body: Mapping[str, Any]) -> str | None:
        metadata = body.get("Metadata")
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        if isinstance(path, str) and path:
            return path.lstrip("/")
        return self.construct_paths.get(logical_id)

    def _is_stack(self, resource: Resource) -> bool:
        return resource.type in STACK_TYPES and (resource.type != SAM_APPLICATION or self.serverless_transform)

    def _nested(self, resource: Resource, body: Mapping[str, Any]) -> NestedStack:
        properties, metadata = body.get("Properties"), body.get("Metadata")
        properties = properties if isinstance(properties, dict) else {}
        url_name = "Location" if resource.type == SAM_APPLICATION else "TemplateURL"
        url = resource.attribute(url_name)
        return NestedStack(
            logical_id=resource.address, location=resource.location, construct_path=resource.construct_path,
            metadata=metadata if isinstance(metadata, dict) else {}, template_url=url.value if url else None,
            raw_template_url=properties.get(url_name), parameters=_child_parameters(resource),
            existence=resource.existence, context=resource.context[len(self.context):], resource_type=resource.type,
        )

    def _error(self, line: int, message: str) -> None:
        self.out.errors.append(Diagnostic(self.path, line, message))

    def _warn(self, line: int, message: str) -> None:
        self.out.warnings.append(Diagnostic(self.path, line, message))


def plain_metadata(metadata: Any) -> dict[str, object]:
    """A resource's `Metadata` as plain data (no line-keeping containers), as written."""
    return _plain(metadata) if isinstance(metadata, dict) else {}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _first_unknown(*values: Unknown | None) -> Unknown | None:
    return next((v for v in values if v is not None), None)


def _type(body: Any) -> str:
    kind = body.get("Type") if isinstance(body, dict) else None
    return kind if isinstance(kind, str) else ""


def _malformed_resource(logical_id: str, body: Any) -> str:
    if body is None:
        return f"resource {logical_id} is empty; is its definition indented under it?"
    if not isinstance(body, dict):
        return f"resource {logical_id} is a {type(body).__name__}, not a mapping with a Type; is it mis-indented?"
    if "Type" in body:
        return f"resource {logical_id}: Type must be a resource type name"
    return f"resource {logical_id} has no Type"


def _preprocessor(value: Any) -> str | None:
    """`Rain::Module` for `Type: !Rain::Module file` (rain pkg), else None."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and key.startswith("Rain::"):
            return key
    return None


def _child_parameters(resource: Resource) -> Mapping[str, object]:
    attribute = resource.attribute("Parameters")
    if attribute is None:
        return {}
    how = f"passed by {resource.address}"
    if isinstance(attribute.value, dict):
        return {str(k): Given(v, attribute.trail, how) for k, v in attribute.value.items()}
    unknown = attribute.value if isinstance(attribute.value, Unknown) else Unknown(
        f"Parameters of {resource.address} is not a mapping", attribute.location)
    return AllGiven(Given(unknown, attribute.trail, how), {})
