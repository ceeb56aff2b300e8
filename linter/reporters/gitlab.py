"""GitLab code quality output: the Code Climate JSON subset GitLab reads from a job's
`artifacts:reports:codequality` and shows in merge requests.

One issue per fail or unknown finding (GitLab has no notion of a suppressed one, so those
are left out), at the deciding attribute's line when it is in the resource's file, with the
evidence trail in the description. The fingerprint is the SARIF one (policy, resource
address and file), so an issue keeps its identity while lines move.
"""

from __future__ import annotations

import json

from linter.model import Finding, ScanResult, Severity, Status
from linter.reporters.sarif import fingerprint

# GitLab's severities: info, minor, major, critical, blocker.
_SEVERITY = {Severity.LOW: "minor", Severity.MEDIUM: "major", Severity.HIGH: "critical", Severity.CRITICAL: "blocker"}


def render(result: ScanResult, color: bool = False, **_: object) -> str:
    issues = [_issue(f, result.strict) for f in result.findings if f.status in (Status.FAIL, Status.UNKNOWN)]
    return json.dumps(issues, indent=2) + "\n"


def _issue(finding: Finding, strict: bool) -> dict[str, object]:
    where = finding.reported_location
    unknown = finding.status is Status.UNKNOWN
    return {
        "type": "issue",
        "check_name": finding.policy_id,
        "description": f"{finding.policy_id} {'(unknown) ' if unknown else ''}{finding.message}",
        "content": {"body": _body(finding)},
        "categories": ["Security"],
        "severity": "info" if unknown and not strict else _SEVERITY[finding.severity],
        "fingerprint": fingerprint(finding),
        "location": {"path": where.path, "lines": {"begin": max(where.line, 1)}},
    }


def _body(finding: Finding) -> str:
    lines = [f"{finding.resource.address} ({finding.resource.type})"]
    if finding.resource.construct_path:
        lines.append(f"construct: {finding.resource.construct_path}")
    lines += [f"- {step.location.path}:{step.location.line}: {step.note}" if step.location.line >= 1
              else f"- {step.location.path}: {step.note}" for step in finding.evidence]
    return "\n".join(lines)
