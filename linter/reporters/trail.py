"""The plain-text lines that follow a finding's message in the reporters that show its
trail (GitHub annotations, JUnit failure text): construct path, evidence, suppression."""

from __future__ import annotations

from linter.model import Finding, Location


def place(location: Location) -> str:
    """`path:line`, or the path alone for places with no line (`<command line>`)."""
    return str(location) if location.line >= 1 else location.path


def trail_lines(finding: Finding, evidence_heading: str | None = None) -> list[str]:
    lines: list[str] = []
    if finding.resource.construct_path:
        lines.append(f"construct: {finding.resource.construct_path}")
    if finding.evidence and evidence_heading:
        lines.append(evidence_heading)
    lines.extend(f"  {place(step.location)}: {step.note}" for step in finding.evidence)
    if finding.suppression is not None:
        until = f" (until {finding.suppression.until})" if finding.suppression.until else ""
        lines.append(f"suppressed: {finding.suppression.reason}{until}")
    return lines
