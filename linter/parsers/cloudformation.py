"""CloudFormation templates (YAML or JSON, SAM, the `resources` of serverless.yml) ->
`Resource` records with evaluated property values.

`parse_template` reads one template's text; `parse_template_tree` reads a template file and
follows its nested stacks (`AWS::CloudFormation::Stack`) into their own templates, passing
the evaluated `Parameters` down. Where a nested template lives is the caller's business
(`locate`): a local `TemplateURL` for plain templates, asset metadata for CDK.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from linter.cloudformation.intrinsics import NO_VALUE, PSEUDO_PARAMETERS, Given, TemplateEvaluator
from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Step, Unknown
from linter.parsers.yamljson import LineDict, LoadError, end_line_of, key_line, load

# What a template that cannot be read raises inside the loaders; `parse_template` turns it
# into an error Diagnostic itself (or None when the text is no template), so callers
# normally never see it.
TemplateError = LoadError

STACK_TYPE = "AWS::CloudFormation::Stack"
_MAX_NESTING = 16
# Pseudo parameters a nested stack shares with its parent (not the stack name or ID).
_INHERITED_PSEUDO = frozenset({"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"})


@dataclass(frozen=True)
class NestedStack:
    """An `AWS::CloudFormation::Stack` resource of a template, as its child needs it."""

    logical_id: str
    location: Location
    construct_path: str | None
    metadata: Mapping[str, Any]
    template_url: object  # the evaluated TemplateURL (often Unknown)
    raw_template_url: object
    parameters: Mapping[str, Given]
    existence: Unknown | None = None


@dataclass
class TemplateResult:
    path: str
    resources: list[Resource] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    nested_stacks: list[NestedStack] = field(default_factory=list)
    # Every template read (this one and the nested ones followed): display paths, and the
    # resolved paths when read from disk by `parse_template_tree`.
    files: list[str] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)


# ------------------------------------------------------------------------------ sniffing

def looks_like_template(data: object) -> bool:
    """A mapping with a `Resources` mapping whose entries have a `Type` (or a template
    version), or a serverless.yml whose `resources.Resources` is such a mapping."""
    return _template_section(data)[0] is not None


def _template_section(data: object) -> tuple[Mapping[str, Any] | None, bool]:
    """(the template mapping, whether it is serverless.yml's `resources`)."""
    if not isinstance(data, dict):
        return None, False
    if _has_resources(data) or ("AWSTemplateFormatVersion" in data and "Resources" in data):
        return data, False
    inner = data.get("resources")
    if isinstance(inner, dict) and _has_resources(inner):
        return inner, True
    return None, False


def _has_resources(data: Mapping[str, Any]) -> bool:
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(body, dict) and "Type" in body for body in resources.values())


_RESOURCES_KEY = re.compile(r'(?:^|[{,])\s*"?Resources"?\s*:', re.M)


def mentions_template(text: str) -> bool:
    """Whether text that failed to parse was meant as a template (so failing is an error)."""
    if "AWSTemplateFormatVersion" in text:
        return True
    return "AWS::" in text and _RESOURCES_KEY.search(text) is not None


# ------------------------------------------------------------------------------ one template

def parse_template(
    text: str, path: str, params: Mapping[str, object] | None = None, *,
    source_format: SourceFormat = SourceFormat.CLOUDFORMATION,
    context: tuple[Step, ...] = (),
    construct_paths: Mapping[str, str] | None = None,
    existence: Unknown | None = None,
    known_template: bool = False,
) -> TemplateResult | None:
    """The resources of one template, or None when the text is not a template at all.

    `params` maps parameter names (and pseudo parameters such as `AWS::Region`) to given
    values: strings, or `Given` values with their own trail. A given value outside the
    parameter's AllowedValues raises `ParameterValueError`. With `known_template` (a file
    that a manifest or parent stack names as a template) any mapping is a template, even
    one without resources, and text that is not one is an error.
    """
    try:
        loaded = load(text)
    except LoadError as error:
        if not (known_template or mentions_template(text)):
            return None
        return TemplateResult(path, errors=[Diagnostic(path, error.line, error.message, error.column)],
                              files=[path])
    template, serverless = _template_section(loaded.data)
    if template is None and known_template and isinstance(loaded.data, dict):
        template = loaded.data
    if template is None:
        return None
    result = TemplateResult(path, files=[path])
    result.warnings.extend(Diagnostic(path, w.line, w.message) for w in loaded.warnings)
    evaluator = TemplateEvaluator(template, path, params, serverless=serverless)
    _check_transforms(template, path, result)
    builder = _Builder(evaluator, result, source_format, context, construct_paths or {}, existence)
    if "Resources" in template:  # a CDK stack may have none (CloudFormation would refuse it)
        builder.build_all(template["Resources"], key_line(template, "Resources", 1))
    result.errors.extend(evaluator.errors)
    result.warnings.extend(evaluator.warnings)
    return result


def _check_transforms(template: Mapping[str, Any], path: str, result: TemplateResult) -> None:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform] if transform else []
    line = key_line(template, "Transform", 1)
    for item in names:
        name = item.get("Name") if isinstance(item, dict) else item
        if name == "AWS::Include":
            result.warnings.append(Diagnostic(path, line, "AWS::Include transform is unresolved; what it includes is not checked"))
        elif isinstance(name, str) and name not in ("AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"):
            result.warnings.append(Diagnostic(path, line, f"transform {name} is not run; resources it adds or changes are not checked"))


class _Builder:
    """Turns the `Resources` entries of one template into `Resource` records."""

    def __init__(self, evaluator: TemplateEvaluator, result: TemplateResult, source_format: SourceFormat,
                 context: tuple[Step, ...], construct_paths: Mapping[str, str], existence: Unknown | None) -> None:
        self.ev = evaluator
        self.path = evaluator.path
        self.result = result
        self.source_format = source_format
        self.context = context
        self.construct_paths = construct_paths
        self.existence = existence

    def build_all(self, resources: Any, line: int) -> None:
        if not isinstance(resources, dict):
            self._error(line, "Resources is not a mapping of resources")
            return
        for logical_id, body in resources.items():
            resource = self.build(logical_id, body, key_line(resources, logical_id, line))
            if resource is not None:
                self.result.resources.append(resource)

    def build(self, logical_id: Any, body: Any, line: int) -> Resource | None:
        if not isinstance(logical_id, str):
            self._error(line, f"resource name {logical_id!r} is not a string")
            return None
        if logical_id.startswith("Fn::"):
            self.result.warnings.append(Diagnostic(self.path, line, f"{logical_id.split('::')[1]} in Resources is not expanded; resources it makes are not checked"))
            return None
        if isinstance(body, dict) and _preprocessor(body.get("Type")):
            self.result.warnings.append(Diagnostic(self.path, line, f"resource {logical_id} is a {_preprocessor(body['Type'])} directive that needs packaging first; its resources are not checked"))
            return None
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str) or not body["Type"]:
            self._error(line, _malformed_resource(logical_id, body))
            return None
        created, existence = self._existence(logical_id, body, line)
        if not created:
            return None
        attributes, references = self._attributes(logical_id, body, line)
        resource = Resource(
            address=logical_id, type=body["Type"], source_format=self.source_format,
            location=Location(self.path, line, 0, end_line_of(body, line)),
            attributes=attributes, construct_path=self._construct_path(logical_id, body),
            context=self.context, references=references, existence=existence if existence is not None else self.existence,
        )
        if resource.type == STACK_TYPE:
            self.result.nested_stacks.append(self._nested(resource, body))
        return resource

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
        for name, raw in properties.items():
            name_line = key_line(properties, name, line)
            if not isinstance(name, str):
                self._error(name_line, f"resource {logical_id}: property name {name!r} is not a string")
                continue
            written_line = (properties.merged_from or {}).get(name) if isinstance(properties, LineDict) else None
            try:
                evaluated = self.ev.evaluate(name, raw, written_line or name_line)
            except RecursionError:  # a YAML alias inside itself (`a: &x [*x]`) has no end
                self._error(name_line, f"resource {logical_id}: {name} contains itself through a YAML alias")
                continue
            if evaluated.value is NO_VALUE:
                continue
            trail = evaluated.trail
            if written_line:  # brought in by a YAML merge key: say where, then where it is written
                trail = (Step(Location(self.path, name_line), f"{name} merged in with <<"), *trail)
            attributes[name] = Attribute(name, evaluated.value, Location(self.path, name_line), trail)
            references.extend(r for r in evaluated.references if r != logical_id and r not in references)
        return attributes, tuple(references)

    def _construct_path(self, logical_id: str, body: Mapping[str, Any]) -> str | None:
        metadata = body.get("Metadata")
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        if isinstance(path, str) and path:
            return path.lstrip("/")
        return self.construct_paths.get(logical_id)

    def _nested(self, resource: Resource, body: Mapping[str, Any]) -> NestedStack:
        properties, metadata = body.get("Properties"), body.get("Metadata")
        properties = properties if isinstance(properties, dict) else {}
        metadata = metadata if isinstance(metadata, dict) else {}
        url = resource.attribute("TemplateURL")
        return NestedStack(
            logical_id=resource.address, location=resource.location, construct_path=resource.construct_path,
            metadata=metadata, template_url=url.value if url else None,
            raw_template_url=properties.get("TemplateURL"),
            parameters=_child_parameters(resource), existence=resource.existence,
        )

    def _error(self, line: int, message: str) -> None:
        self.result.errors.append(Diagnostic(self.path, line, message))


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


def _child_parameters(resource: Resource) -> dict[str, Given]:
    attribute = resource.attribute("Parameters")
    if attribute is None:
        return {}
    how = f"passed by {resource.address}"
    if isinstance(attribute.value, dict):
        return {str(k): Given(v, attribute.trail, how) for k, v in attribute.value.items()}
    return {}


# ------------------------------------------------------------------------------ nested stacks

Locate = Callable[[Path, NestedStack], "str | None"]


def local_template_url(parent: Path, nested: NestedStack) -> str | None:
    """A `TemplateURL` that is a local path (what `aws cloudformation package` uploads)."""
    url = nested.template_url
    if isinstance(url, str) and url and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        return url
    return None


def parse_template_tree(
    file: Path, display_path: str, params: Mapping[str, object] | None = None, *,
    source_format: SourceFormat = SourceFormat.CLOUDFORMATION,
    context: tuple[Step, ...] = (),
    locate: Locate = local_template_url,
    construct_paths: Callable[[str], Mapping[str, str]] = lambda display: {},
    existence: Unknown | None = None,
    known_template: bool = False,
    _chain: tuple[Path, ...] = (),
) -> TemplateResult | None:
    """Parse the template `file` and, recursively, the nested stack templates `locate`
    finds for it (a path relative to the parent template's folder)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return TemplateResult(display_path, errors=[Diagnostic(display_path, 0, f"cannot read template: {error}")])
    result = parse_template(text, display_path, params, source_format=source_format, context=context,
                            construct_paths=construct_paths(display_path), existence=existence,
                            known_template=known_template)
    if result is None:
        return None
    chain = (*_chain, file.resolve())
    result.sources.append(chain[-1])
    for nested in result.nested_stacks:
        relative = locate(file, nested)
        if relative is None:
            result.warnings.append(Diagnostic(display_path, nested.location.line,
                                              f"nested stack {nested.logical_id}: its template is not local, so its resources are not checked"))
            continue
        child = _parse_child(file, display_path, relative, nested, params or {}, chain,
                             source_format=source_format, context=context, locate=locate,
                             construct_paths=construct_paths)
        _merge(result, child)
    return result


def _parse_child(parent: Path, parent_display: str, relative: str, nested: NestedStack,
                 params: Mapping[str, object], chain: tuple[Path, ...], **options: Any) -> TemplateResult | None:
    target = parent.parent / relative
    display = posixpath.normpath(posixpath.join(posixpath.dirname(parent_display), relative))
    line = nested.location.line
    if not target.is_file():
        return TemplateResult(parent_display, errors=[Diagnostic(parent_display, line, f"nested stack {nested.logical_id}: template {relative} not found")])
    if target.resolve() in chain or len(chain) >= _MAX_NESTING:
        return TemplateResult(parent_display, errors=[Diagnostic(parent_display, line, f"nested stack {nested.logical_id}: template {relative} nests itself")])
    inherited = {k: v for k, v in params.items() if k in _INHERITED_PSEUDO}
    step = Step(nested.location, f"nested stack {nested_stack_name(nested)}")
    context = (*options.pop("context"), step)
    child = parse_template_tree(target, display, {**inherited, **nested.parameters}, context=context,
                                existence=nested.existence, known_template=True, _chain=chain, **options)
    if child is None:
        return TemplateResult(parent_display, errors=[Diagnostic(parent_display, line, f"nested stack {nested.logical_id}: {relative} is not a CloudFormation template")])
    return child


def nested_stack_name(nested: NestedStack) -> str:
    """`KeysNested` for CDK's `Stack/KeysNested.NestedStack/KeysNested.NestedStackResource`."""
    path = nested.construct_path or ""
    match = re.search(r"([^/]+)\.NestedStack/\1\.NestedStackResource$", path)
    return match.group(1) if match else nested.logical_id


def _merge(into: TemplateResult, child: TemplateResult | None) -> None:
    if child is None:
        return
    into.resources.extend(child.resources)
    into.errors.extend(child.errors)
    into.warnings.extend(child.warnings)
    into.files.extend(f for f in child.files if f not in into.files)
    into.sources.extend(f for f in child.sources if f not in into.sources)


__all__ = [
    "NestedStack", "PSEUDO_PARAMETERS", "TemplateError", "TemplateResult", "local_template_url", "looks_like_template",
    "mentions_template", "nested_stack_name", "parse_template", "parse_template_tree",
]
