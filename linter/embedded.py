"""CloudFormation templates inside Terraform: `aws_cloudformation_stack` and
`aws_cloudformation_stack_set` whose `template_body` Terraform can evaluate (a heredoc, a
`file()` or `templatefile()` of a file in the scanned tree, `jsonencode`/`yamlencode` of
an object). The template is evaluated as CloudFormation, with the resource's `parameters`
passed in, and its resources are located in the .tf file: at their own lines for an
inline heredoc, at the `template_body` line otherwise."""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable

from linter.model import Attribute, Diagnostic, Location, Resource, Step, Unknown, contains_unknown
from linter.terraform.evaluator import UNKNOWN_MARKER, PartialUnknown

STACK_TYPES = frozenset({"aws_cloudformation_stack", "aws_cloudformation_stack_set"})


@dataclasses.dataclass
class Embedded:
    resources: list[Resource] = dataclasses.field(default_factory=list)
    errors: list[Diagnostic] = dataclasses.field(default_factory=list)
    warnings: list[Diagnostic] = dataclasses.field(default_factory=list)


def templates_in_terraform(resources: Iterable[Resource], file_lines: dict[str, list[str]]) -> Embedded:
    out = Embedded()
    for stack in resources:
        if stack.type in STACK_TYPES:
            _evaluate_stack(stack, file_lines.get(stack.location.path, []), out)
    return out


def _evaluate_stack(stack: Resource, lines: list[str], out: Embedded) -> None:
    from linter.cloudformation.intrinsics import Given
    from linter.parsers.cloudformation import parse_template

    body = stack.attribute("template_body")
    if body is None:
        return
    where = body.location
    text = body.value
    unknown: Unknown | None = None
    if isinstance(text, PartialUnknown):
        # The known rest of the template is still checked; what the unknown parts feed is unknown.
        unknown = text
        text = text.partial
    elif isinstance(text, Unknown):
        out.warnings.append(Diagnostic(where.path, where.line,
                                       f"{stack.address}: template_body cannot be evaluated ({text.reason}); its resources are not checked"))
        return
    if not isinstance(text, str):
        return
    params: dict[str, object] = {}
    given = stack.attribute("parameters")
    if given is not None and isinstance(given.value, dict):
        note = f"passed by {stack.address}"
        params = {k: Given(v, given.trail, note) for k, v in given.value.items() if contains_unknown(v) is None}
    offset = _inline_offset(text, lines, where.line)
    context = stack.context + (Step(stack.location, f"template_body of {stack.address}"),)
    # Parsed under a path of its own, so that its locations are told apart from the .tf
    # file's (the parameters' trail) when they are moved into the .tf file.
    inner = f"{where.path}#template_body"
    result = parse_template(text, inner, params, context=context, existence=stack.existence,
                            known_template=True)
    if result is None:
        return

    def move(location: Location) -> Location:
        if location.path != inner:
            return location
        moved = _shift(location, offset) if offset is not None else _pin(location, where)
        return dataclasses.replace(moved, path=where.path)

    out.resources.extend(_relocate(r, stack, move, unknown) for r in result.resources)
    out.errors.extend(_moved_diagnostic(d, move) for d in result.errors)
    out.warnings.extend(_moved_diagnostic(d, move) for d in result.warnings)


def _moved_diagnostic(diagnostic: Diagnostic, move: Callable[[Location], Location]) -> Diagnostic:
    moved = move(Location(diagnostic.path, diagnostic.line))
    return dataclasses.replace(diagnostic, path=moved.path, line=moved.line)


def _inline_offset(text: str, lines: list[str], attribute_line: int) -> int | None:
    """The line before the template's first line when the template is written inline
    (a heredoc starting on the line after the attribute), else None."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), None)
    if first is None:
        return None
    for index in range(attribute_line, min(attribute_line + 3, len(lines))):
        if lines[index].strip() == first:
            skipped = next(i for i, line in enumerate(text.splitlines()) if line.strip())
            return index - skipped
    return None


def _shift(location: Location, offset: int) -> Location:
    return dataclasses.replace(location, line=location.line + offset,
                               end_line=(location.end_line + offset) if location.end_line else 0)


def _pin(location: Location, at: Location) -> Location:
    return dataclasses.replace(location, line=at.line, column=at.column, end_line=at.end_line or at.line, end_column=0)


def _relocate(resource: Resource, stack: Resource, move: Callable[[Location], Location],
              unknown: Unknown | None) -> Resource:
    def steps(trail: tuple[Step, ...]) -> tuple[Step, ...]:
        return tuple(Step(move(s.location), s.note) for s in trail)

    def value(raw: object) -> object:
        if unknown is not None and UNKNOWN_MARKER in repr(raw):
            return Unknown(f"depends on a part of template_body Terraform cannot know: {unknown.reason}", unknown.location)
        return raw

    attributes = {
        name: Attribute(a.name, value(a.value), move(a.location), steps(a.trail))
        for name, a in resource.attributes.items()
    }
    return dataclasses.replace(
        resource,
        address=f"{stack.address}/{resource.address}",
        location=move(resource.location),
        attributes=attributes,
        context=steps(resource.context),
    )
