"""The JSON report, schema_version 1: a contract other tools read (see
../shared/cases/README.md). Change it only by adding fields."""

from __future__ import annotations

import json

from linter.model import Diagnostic, Finding, ScanResult, Status, Step

SCHEMA_VERSION = 1


def render(result: ScanResult, color: bool = False, **_: object) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"


def as_dict(result: ScanResult) -> dict[str, object]:
    counts = {status: 0 for status in (Status.FAIL, Status.UNKNOWN, Status.SUPPRESSED)}
    for finding in result.findings:
        counts[finding.status] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iaclint", "version": result.tool_version},
        "findings": [_finding(f) for f in result.findings],
        "errors": [_diagnostic(d) for d in result.errors],
        "warnings": [_diagnostic(d) for d in result.warnings],
        "summary": {
            "files_scanned": result.files_scanned,
            "resources": result.resources,
            "fail": counts[Status.FAIL],
            "unknown": counts[Status.UNKNOWN],
            "suppressed": counts[Status.SUPPRESSED],
            "errors": len(result.errors),
        },
    }


def _finding(finding: Finding) -> dict[str, object]:
    resource = finding.resource
    location = resource.location
    described: dict[str, object] = {
        "address": resource.address,
        "type": resource.type,
        "source_format": resource.source_format.value,
    }
    if resource.construct_path:
        described["construct_path"] = resource.construct_path
    attribute = finding.attribute_location
    return {
        "policy_id": finding.policy_id,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "message": finding.message,
        "resource": described,
        "location": {
            "path": location.path,
            "line": location.line,
            "end_line": location.end_line or location.line,
            "attribute_line": attribute.line if attribute is not None else location.line,
        },
        "evidence": [_step(s) for s in finding.evidence],
        "suppression": None if finding.suppression is None else {
            "reason": finding.suppression.reason,
            "until": finding.suppression.until,
            "kind": finding.suppression.kind,
        },
    }


def _step(step: Step) -> dict[str, object]:
    return {"path": step.location.path, "line": step.location.line, "note": step.note}


def _diagnostic(diagnostic: Diagnostic) -> dict[str, object]:
    out: dict[str, object] = {"path": diagnostic.path, "line": diagnostic.line, "message": diagnostic.message}
    if diagnostic.column:
        out["column"] = diagnostic.column
    return out
