"""Human-readable output: `path:line:col: CODE [severity] message`, the evidence indented
below, errors and warnings, and a summary line. Colour only when asked for."""

from __future__ import annotations

from linter.model import Finding, ScanResult, Status

_COLORS = {"fail": "\033[31m", "unknown": "\033[33m", "suppressed": "\033[36m", "error": "\033[1;31m",
           "warning": "\033[33m", "dim": "\033[2m"}
_RESET = "\033[0m"
MAX_UNRESOLVED_SHOWN = 10


def render(result: ScanResult, color: bool = False, quiet: bool = False, **_: object) -> str:
    def paint(kind: str, text: str) -> str:
        return f"{_COLORS[kind]}{text}{_RESET}" if color else text

    lines: list[str] = []
    for finding in result.findings:
        if quiet and finding.status not in (Status.FAIL, Status.UNKNOWN):
            continue  # quiet never hides an unknown value: it is not a pass
        lines.extend(_finding_lines(finding, paint))
    for error in result.errors:
        column = f":{error.column}" if error.column else ""
        lines.append(f"{error.path}:{error.line}{column}: {paint('error', 'error')}: {error.message}")
    if not quiet:
        unresolved = 0
        for warning in result.warnings:
            if warning.kind == "unresolved-module":
                unresolved += 1
                if unresolved > MAX_UNRESOLVED_SHOWN:
                    continue  # a monorepo has hundreds; the summary counts them all
            lines.append(f"{warning.path}:{warning.line}: {paint('warning', 'warning')}: {warning.message}")
        if unresolved > MAX_UNRESOLVED_SHOWN:
            hidden = unresolved - MAX_UNRESOLVED_SHOWN
            lines.append(f"... and {hidden} more module sources not resolved (--format json lists them all)")
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, paint) -> list[str]:  # type: ignore[no-untyped-def]
    resource = finding.resource
    where = finding.reported_location
    status = "" if finding.status is Status.FAIL else f" ({finding.status.value})"
    head = (
        f"{where.path}:{where.line}:{max(where.column, 1)}: {paint(finding.status.value, finding.policy_id)}"
        f" [{finding.severity.value}] {finding.message}{status}"
    )
    lines = [head]
    if resource.construct_path:
        lines.append(f"    construct: {resource.construct_path}")
    for step in finding.evidence:
        lines.append(paint("dim", f"    {step.location.path}:{step.location.line}: {step.note}"))
    if finding.suppression is not None:
        lines.append(f"    suppressed: {finding.suppression.reason}")
    return lines


def _summary(result: ScanResult) -> str:
    counts = {s: sum(1 for f in result.findings if f.status is s) for s in (Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED)}
    return (
        f"{result.files_scanned} files, {result.resources} resources checked: "
        f"{counts[Status.FAIL]} failed, {counts[Status.UNKNOWN]} unknown, {counts[Status.SUPPRESSED]} suppressed, "
        f"{len(result.errors)} errors, {len(result.warnings)} warnings{_unresolved(result)}"
    )


def _unresolved(result: ScanResult) -> str:
    """Module sources that could not be followed hide resources: say so in the summary."""
    count = sum(1 for w in result.warnings if w.kind == "unresolved-module")
    return f" ({count} module sources not resolved)" if count else ""
