"""CloudFormation templates (YAML or JSON, SAM, the `resources` of serverless.yml) ->
`Resource` records with evaluated property values.

`parse_template` reads one template's text; `parse_template_tree` reads a template file and
follows its nested stacks (`AWS::CloudFormation::Stack`, SAM's `AWS::Serverless::Application`)
into their own templates, passing the evaluated `Parameters` down and reading the child's
`Outputs` where the parent uses them. Where a nested template lives is the caller's
business (`locate`): a local `TemplateURL` for plain templates, asset metadata for CDK.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from linter.cloudformation.intrinsics import (
    LANGUAGE_EXTENSIONS, PSEUDO_PARAMETERS, SERVERLESS, TemplateEvaluator, transform_names,
)
from linter.cloudformation.parameters import AllGiven
from linter.cloudformation.resources import SAM_APPLICATION, NestedStack, ResourceBuilder
from linter.model import Diagnostic, Resource, SourceFormat, Step, Unknown
from linter.parsers.yamljson import LoadError, key_line, load

# What a template that cannot be read raises inside the loaders; `parse_template` turns it
# into an error Diagnostic itself (or None when the text is no template), so callers
# normally never see it.
TemplateError = LoadError

STACK_TYPE = "AWS::CloudFormation::Stack"
_MAX_NESTING = 16
# Pseudo parameters a nested stack shares with its parent (not the stack name or ID).
_INHERITED_PSEUDO = frozenset({"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"})
_KNOWN_TRANSFORMS = frozenset({SERVERLESS, LANGUAGE_EXTENSIONS})


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
    # This template's evaluator, for its parent to read its outputs.
    evaluator: TemplateEvaluator | None = None


# A nested stack -> the result of its child template (memoised by the caller), or None.
LoadChild = Callable[[NestedStack], "TemplateResult | None"]


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
    load_child: LoadChild | None = None,
) -> TemplateResult | None:
    """The resources of one template, or None when the text is not a template at all.

    `params` maps parameter names (and pseudo parameters such as `AWS::Region`) to given
    values: strings, or `Given` values with their own trail. A given value outside the
    parameter's AllowedValues raises `ParameterValueError`. With `known_template` (a file
    that a manifest or parent stack names as a template) any mapping is a template, even
    one without resources, and text that is not one is an error. `load_child` reads a
    nested stack's template, so that `Fn::GetAtt Stack.Outputs.Name` is the child's output.
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
    result.evaluator = evaluator
    transforms = _check_transforms(template, path, result)
    builder = ResourceBuilder(evaluator, source_format, context, construct_paths or {}, existence,
                              serverless_transform=SERVERLESS in transforms)
    if load_child is not None:
        builder.child_evaluator = lambda nested: _evaluator_of(load_child(nested))
    if "Resources" in template:  # a CDK stack may have none (CloudFormation would refuse it)
        built = builder.build_all(template["Resources"], key_line(template, "Resources", 1))
        result.resources, result.nested_stacks = built.resources, built.nested_stacks
        result.errors.extend(built.errors)
        result.warnings.extend(built.warnings)
    result.errors.extend(evaluator.errors)
    result.warnings.extend(evaluator.warnings)
    return result


def _evaluator_of(child: TemplateResult | None) -> TemplateEvaluator | None:
    return child.evaluator if child is not None else None


def _check_transforms(template: Mapping[str, Any], path: str, result: TemplateResult) -> list[str]:
    names = transform_names(template)
    line = key_line(template, "Transform", 1)
    for name in names:
        if name == "AWS::Include":
            result.warnings.append(Diagnostic(path, line, "AWS::Include transform is unresolved; what it includes is not checked"))
        elif name not in _KNOWN_TRANSFORMS:
            result.warnings.append(Diagnostic(path, line, f"transform {name} is not run; resources it adds or changes are not checked"))
    return names


# ------------------------------------------------------------------------------ nested stacks

Locate = Callable[[Path, NestedStack], "str | None"]
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def local_template_url(parent: Path, nested: NestedStack) -> str | None:
    """A `TemplateURL` that is a local path (what `aws cloudformation package` uploads);
    not a URL and not a dynamic reference (`{{resolve:ssm:...}}`)."""
    url = nested.template_url
    if isinstance(url, str) and url and not _URL_SCHEME.match(url) and "{{resolve:" not in url:
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
    text: str | None = None,
    _chain: tuple[Path, ...] = (),
) -> TemplateResult | None:
    """Parse the template `file` and, recursively, the nested stack templates `locate`
    finds for it (a path relative to the parent template's folder). `text` is the
    file's text when the caller has already read it."""
    if text is None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return TemplateResult(display_path, errors=[Diagnostic(display_path, 0, f"cannot read template: {error}")])
    chain = (*_chain, file.resolve())
    children = _Children(file, display_path, params or {}, chain, source_format=source_format, context=context,
                         locate=locate, construct_paths=construct_paths)
    result = parse_template(text, display_path, params, source_format=source_format, context=context,
                            construct_paths=construct_paths(display_path), existence=existence,
                            known_template=known_template, load_child=children)
    if result is None:
        return None
    result.sources.append(chain[-1])
    for nested in result.nested_stacks:
        _merge(result, children(nested))
    return result


class _Children:
    """Reads each nested stack's template once, whether for its outputs or its resources."""

    def __init__(self, parent: Path, parent_display: str, params: Mapping[str, object],
                 chain: tuple[Path, ...], **options: Any) -> None:
        self.parent, self.parent_display, self.params, self.chain = parent, parent_display, params, chain
        self.options = options
        self._results: dict[str, TemplateResult | None] = {}

    def __call__(self, nested: NestedStack) -> TemplateResult | None:
        if nested.logical_id not in self._results:
            self._results[nested.logical_id] = self._read(nested)
        return self._results[nested.logical_id]

    def _read(self, nested: NestedStack) -> TemplateResult | None:
        relative = self.options["locate"](self.parent, nested)
        line, shown = nested.location.line, self.parent_display
        if relative is None:
            return TemplateResult(shown, warnings=[Diagnostic(shown, line, _not_local(nested))])
        target = self.parent.parent / relative
        display = posixpath.normpath(posixpath.join(posixpath.dirname(shown), relative))
        name = f"{_kind(nested)} {nested.logical_id}"
        if not target.is_file():
            return TemplateResult(shown, errors=[Diagnostic(shown, line, f"{name}: template {relative} not found")])
        if target.resolve() in self.chain or len(self.chain) >= _MAX_NESTING:
            return TemplateResult(shown, errors=[Diagnostic(shown, line, f"{name}: template {relative} nests itself")])
        step = Step(nested.location, f"nested stack {nested_stack_name(nested)}")
        options = dict(self.options)
        context = (*options.pop("context"), *nested.context, step)
        child = parse_template_tree(target, display, self._child_params(nested), context=context,
                                    existence=nested.existence, known_template=True, _chain=self.chain, **options)
        if child is None:
            return TemplateResult(shown, errors=[Diagnostic(shown, line, f"{name}: {relative} is not a CloudFormation template")])
        return child

    def _child_params(self, nested: NestedStack) -> Mapping[str, object]:
        """What the parent passes, over the pseudo parameters the child shares with it."""
        inherited = {k: v for k, v in self.params.items() if k in _INHERITED_PSEUDO}
        given = nested.parameters
        if isinstance(given, AllGiven):
            return AllGiven(given.value, {**inherited, **given.known})
        return {**inherited, **given}


def _kind(nested: NestedStack) -> str:
    return "serverless application" if nested.resource_type == SAM_APPLICATION else "nested stack"


def _not_local(nested: NestedStack) -> str:
    if isinstance(nested.template_url, dict) and "ApplicationId" in nested.template_url:
        return (f"serverless application {nested.logical_id} comes from the Serverless Application Repository; "
                "its resources are not checked")
    return f"{_kind(nested)} {nested.logical_id}: its template is not local, so its resources are not checked"


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
