"""GitHub Actions output: workflow commands that annotate the pull request, and a markdown
step summary.

A fail is an `::error`, an unknown a `::warning` (an `::error` under --strict, where it
fails the build), a suppressed finding a `::notice`, so that reviewers see suppressions in
the diff too. Inputs that could not be read are `::error`s, warnings `::warning`s. The
CLI appends `step_summary(result)` to the file named by $GITHUB_STEP_SUMMARY; nothing here
reads the environment.
"""

from __future__ import annotations

import re

from linter.model import Diagnostic, Finding, ScanResult, Status
from linter.reporters.trail import trail_lines

_COMMAND = {Status.FAIL: "error", Status.UNKNOWN: "warning", Status.SUPPRESSED: "notice"}


def render(result: ScanResult, color: bool = False, **_: object) -> str:
    lines = [_finding_command(finding, result.strict) for finding in result.findings]
    lines += [_diagnostic_command("error", "iaclint error", error) for error in result.errors]
    lines += [_diagnostic_command("warning", "iaclint warning", warning) for warning in result.warnings]
    lines.append(_totals(result))
    return "\n".join(lines) + "\n"


def escape_data(text: str) -> str:
    """A command's message: GitHub reads `%`, CR and LF as escapes and line ends."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property value: ':' ends the properties and ',' separates them."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str | int], message: str) -> str:
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + listed if listed else ''}::{escape_data(message)}"


def _finding_command(finding: Finding, strict: bool) -> str:
    name = _COMMAND[finding.status]
    if finding.status is Status.UNKNOWN and strict:
        name = "error"
    title = finding.policy_id if finding.status is Status.FAIL else f"{finding.policy_id} ({finding.status.value})"
    return command(name, {**_position(finding), "title": title}, _annotation(finding))


def _position(finding: Finding) -> dict[str, str | int]:
    """The deciding attribute's line through the end of the resource block, when the
    attribute is in the resource's file; else the resource block."""
    block = finding.resource.location
    where = finding.reported_location
    position: dict[str, str | int] = {"file": where.path}
    if where.line >= 1:
        position["line"] = where.line
        end_line = max(block.end_line, where.end_line, where.line)
        if end_line > where.line:
            position["endLine"] = end_line
    return position


def _annotation(finding: Finding) -> str:
    return "\n".join([finding.message, *trail_lines(finding)])


def _diagnostic_command(name: str, title: str, diagnostic: Diagnostic) -> str:
    properties: dict[str, str | int] = {}
    if diagnostic.path and not _is_pseudo(diagnostic.path):
        properties["file"] = diagnostic.path
        if diagnostic.line >= 1:
            properties["line"] = diagnostic.line
            if diagnostic.column >= 1:
                properties["col"] = diagnostic.column
        message = diagnostic.message
    else:
        message = f"{diagnostic.path}: {diagnostic.message}" if diagnostic.path else diagnostic.message
    properties["title"] = title
    return command(name, properties, message)


def _is_pseudo(path: str) -> bool:
    return path.startswith("<") and path.endswith(">")


def _counts(result: ScanResult) -> dict[Status, int]:
    counts = dict.fromkeys((Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED), 0)
    for finding in result.findings:
        counts[finding.status] += 1
    return counts


def _totals(result: ScanResult) -> str:
    counts = _counts(result)
    return (
        f"iaclint: {result.files_scanned} files, {result.resources} resources checked: "
        f"{counts[Status.FAIL]} failed, {counts[Status.UNKNOWN]} unknown, {counts[Status.SUPPRESSED]} suppressed, "
        f"{len(result.errors)} errors, {len(result.warnings)} warnings"
    )


# --- step summary ------------------------------------------------------------------------

# Backslash escapes every ASCII punctuation mark in CommonMark; these are the ones that
# would start emphasis, links, HTML, entities or a table cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#])")


def step_summary(result: ScanResult) -> str:
    """A markdown table of the findings and totals, for $GITHUB_STEP_SUMMARY."""
    lines = ["## iaclint", ""]
    if result.findings:
        lines += ["| Status | Policy | Resource | Location | Message |", "| --- | --- | --- | --- | --- |"]
        lines += [_summary_row(finding, result.strict) for finding in result.findings]
    else:
        lines.append("No findings.")
    if result.errors or result.warnings:
        lines += ["", "| Input problem | Location | Message |", "| --- | --- | --- |"]
        lines += [_diagnostic_row("error", d) for d in result.errors]
        lines += [_diagnostic_row("warning", d) for d in result.warnings]
    lines += ["", _summary_totals(result)]
    return "\n".join(lines) + "\n"


def _summary_row(finding: Finding, strict: bool) -> str:
    status = finding.status.value
    if finding.status is Status.UNKNOWN and strict:
        status = "unknown (fails under --strict)"
    where = finding.reported_location
    message = finding.message
    if finding.suppression is not None:
        message += f" (suppressed: {finding.suppression.reason})"
    cells = [
        f"**{status}**" if status == "fail" else status,
        f"{finding.policy_id} {finding.severity.value}",
        md_code(finding.resource.address),
        md_code(str(where)),
        md_text(message),
    ]
    return "| " + " | ".join(cells) + " |"


def _diagnostic_row(kind: str, diagnostic: Diagnostic) -> str:
    return f"| {kind} | {md_code(f'{diagnostic.path}:{diagnostic.line}')} | {md_text(diagnostic.message)} |"


def _summary_totals(result: ScanResult) -> str:
    counts = _counts(result)
    return (
        f"**{counts[Status.FAIL]} failed**, {counts[Status.UNKNOWN]} unknown, {counts[Status.SUPPRESSED]} suppressed, "
        f"{len(result.errors)} errors, {len(result.warnings)} warnings; "
        f"{result.files_scanned} files, {result.resources} resources checked."
    )


def md_text(text: str) -> str:
    """Plain text inside a table cell: markdown escaped, line breaks as `<br>`."""
    return "<br>".join(_MARKDOWN_SPECIAL.sub(r"\\\1", text).splitlines())


def md_code(text: str) -> str:
    """A code span inside a table cell: a fence longer than any backtick run in the text;
    `|` must still be escaped (GitHub splits cells before it reads code spans)."""
    text = " ".join(text.split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"
