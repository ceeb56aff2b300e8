"""SARIF 2.1.0 output, shaped for GitHub code scanning.

One run: the tool driver with a rule per policy (documentation, help URL, tags and a
`security-severity`), one result per finding (the deciding attribute as the primary
region, the resource block as its context region, the evidence trail as related locations
and a code flow), suppressions, and the inputs that could not be read as tool execution
notifications. Every path is a relative reference against `%SRCROOT%`; the CLI may tell
where that is (`root_uri`), the reporter never looks.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from linter.model import Diagnostic, Finding, Location, Resource, ScanResult, Severity, Status, Step, Suppression
from policies import POLICIES
from policies.base import Policy

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/iaclint/iaclint"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "iaclintFingerprint/v1"

# GitHub buckets security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4.0 low.
SECURITY_SEVERITY = {
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}
# Characters left as they are in a relative URI path; everything else is percent-encoded.
# ':' is not among them, so a first segment such as `c:x.tf` cannot read as a scheme.
_URI_SAFE = "/!$&'()*+,;=@-._~"

Json = dict[str, object]


def render(
    result: ScanResult,
    color: bool = False,
    *,
    root_uri: str | None = None,
    policies: tuple[Policy, ...] = POLICIES,
    **_: object,
) -> str:
    """The SARIF log as JSON. `root_uri` (a `file:` URI of the directory the scanned paths
    are relative to) becomes `originalUriBaseIds`; `policies` are the rules described."""
    return json.dumps(as_sarif(result, root_uri, policies), indent=2) + "\n"


def as_sarif(result: ScanResult, root_uri: str | None = None, policies: tuple[Policy, ...] = POLICIES) -> Json:
    rules = _rules(result.findings, policies)
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    verdicts = _verdicts(result)
    run: Json = {
        "tool": {
            "driver": {
                "name": "iaclint",
                "version": result.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [_invocation(result)],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.policy_id], verdicts, result.strict) for f in result.findings],
    }
    if root_uri:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# --- rules -------------------------------------------------------------------------------


def _rules(findings: tuple[Finding, ...], policies: tuple[Policy, ...]) -> list[Json]:
    """A rule per policy, plus a bare one for any finding of a policy not in the list."""
    rules = [_policy_rule(policy) for policy in policies]
    described = {policy.meta.code for policy in policies}
    for finding in findings:
        if finding.policy_id not in described:
            described.add(finding.policy_id)
            rules.append(_bare_rule(finding))
    return rules


def _policy_rule(policy: Policy) -> Json:
    meta = policy.meta
    doc = policy.doc.strip()
    return {
        "id": meta.code,
        "name": pascal_case(meta.slug),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": doc_section(doc, "What it checks") or meta.title},
        "helpUri": meta.help_url,
        "help": {"text": doc or meta.title, "markdown": doc or meta.title},
        "defaultConfiguration": {"level": "error"},
        "properties": _rule_properties(meta.code, meta.severity),
    }


def _bare_rule(finding: Finding) -> Json:
    return {
        "id": finding.policy_id,
        "name": pascal_case(finding.slug),
        "shortDescription": {"text": finding.slug},
        "defaultConfiguration": {"level": "error"},
        "properties": _rule_properties(finding.policy_id, finding.severity),
    }


def _rule_properties(code: str, severity: Severity) -> Json:
    topic = re.sub(r"[^A-Za-z].*", "", code).lower()  # KMS001 -> kms
    tags = ["security", "iac"] + ([topic] if topic else [])
    return {"tags": tags, "security-severity": SECURITY_SEVERITY[severity], "severity": severity.value}


def pascal_case(slug: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", slug) if word)


def doc_section(doc: str, heading: str) -> str:
    """The text under `## heading` in a policy docstring, joined into one paragraph."""
    match = re.search(rf"^## {re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", doc, re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


# --- results -----------------------------------------------------------------------------


def _verdicts(result: ScanResult) -> dict[tuple[str, str, str], Status]:
    """What each policy said of each resource, before any suppression: `checked` keeps
    the policy's verdict, so a suppressed finding can keep the level it would have had."""
    return {(code, r.address, r.location.path): status for code, r, status in result.checked}


def _level(finding: Finding, verdicts: dict[tuple[str, str, str], Status], strict: bool) -> str:
    status = finding.status
    if status is Status.SUPPRESSED:
        status = verdicts.get(_key(finding), Status.FAIL)
    if status is Status.UNKNOWN and not strict:
        return "warning"
    return "error"


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.policy_id, finding.resource.address, finding.resource.location.path)


def _result(finding: Finding, rule_index: int, verdicts: dict[tuple[str, str, str], Status], strict: bool) -> Json:
    steps = [step for step in finding.evidence if is_physical(step.location)]
    out: Json = {
        "ruleId": finding.policy_id,
        "ruleIndex": rule_index,
        "level": _level(finding, verdicts, strict),
        "message": {"text": _message(finding)},
        "locations": [_primary_location(finding)],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }
    if steps:
        out["relatedLocations"] = [_related(number, step) for number, step in enumerate(steps, 1)]
    if len(steps) > 1:  # a flow of one step says nothing its related location does not
        out["codeFlows"] = [_code_flow(steps)]
    if finding.suppression is not None:
        out["suppressions"] = [_suppression(finding.suppression)]
    out["properties"] = _result_properties(finding)
    return out


def _message(finding: Finding) -> str:
    """The finding's message; steps with no place in a file (`--var`, `TF_VAR_*`) cannot be
    SARIF locations (lines start at 1), so they are told here instead."""
    told = [f"{s.location.path}: {s.note}" for s in finding.evidence if not is_physical(s.location)]
    return finding.message + "".join(f" (from {text})" for text in told)


def fingerprint(finding: Finding) -> str:
    """Stable while lines move: the policy, the resource address and its file, nothing else."""
    identity = "\0".join((finding.policy_id, finding.resource.address, finding.resource.location.path))
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()


def _primary_location(finding: Finding) -> Json:
    """The deciding attribute when known (in the resource's file), the resource block as
    its context; else the resource block itself."""
    block = finding.resource.location
    where = finding.reported_location
    if where is block:
        return {"physicalLocation": _physical(block)}
    physical = _physical(where)
    if block != where and block.line >= 1 and _contains(block, where):
        physical["contextRegion"] = _region(block)
    return {"physicalLocation": physical}


def _related(number: int, step: Step) -> Json:
    return {"id": number, "physicalLocation": _physical(step.location), "message": {"text": step.note}}


def _code_flow(steps: list[Step]) -> Json:
    locations = [{"location": {"physicalLocation": _physical(s.location), "message": {"text": s.note}}} for s in steps]
    return {"threadFlows": [{"locations": locations}]}


def _suppression(suppression: Suppression) -> Json:
    # Inline comments and CloudFormation Metadata live in the scanned source; exceptions in
    # the configuration (pyproject.toml, .iaclint.toml) are external to it.
    where = suppression.location
    in_source = where is not None and not where.path.endswith(".toml")
    out: Json = {"kind": "inSource" if in_source else "external", "status": "accepted",
                 "justification": suppression.reason}
    if where is not None and is_physical(where):
        out["location"] = {"physicalLocation": _physical(where)}
    if suppression.until:
        out["properties"] = {"until": suppression.until}
    return out


def _result_properties(finding: Finding) -> Json:
    resource: Resource = finding.resource
    properties: Json = {
        "resourceAddress": resource.address,
        "resourceType": resource.type,
        "sourceFormat": resource.source_format.value,
        "status": finding.status.value,
        "severity": finding.severity.value,
    }
    if resource.construct_path:
        properties["constructPath"] = resource.construct_path
    return properties


# --- locations ---------------------------------------------------------------------------


def is_physical(location: Location) -> bool:
    """In a file, not a pseudo-path such as `<command line>` or `<environment>`."""
    path = location.path
    return bool(path) and not (path.startswith("<") and path.endswith(">"))


def _physical(location: Location) -> Json:
    out: Json = {"artifactLocation": artifact_location(location.path)}
    if location.line >= 1:
        out["region"] = _region(location)
    return out


def artifact_location(path: str) -> Json:
    """Paths are repository-relative POSIX: a relative reference against %SRCROOT%. An
    absolute path (a file outside the scanned tree) becomes a `file:` URI of its own."""
    if path.startswith("/"):
        return {"uri": "file://" + quote(path, safe=_URI_SAFE)}
    if re.match(r"[A-Za-z]:/", path):
        return {"uri": "file:///" + path[:2] + quote(path[2:], safe=_URI_SAFE)}
    return {"uri": quote(path or ".", safe=_URI_SAFE), "uriBaseId": SRCROOT}


def _region(location: Location) -> Json:
    start_column = max(location.column, 1)
    end_line = max(location.end_line, location.line)
    region: Json = {"startLine": location.line, "startColumn": start_column, "endLine": end_line}
    if location.end_line >= 1 and location.end_column >= 1 and (end_line > location.line or location.end_column > start_column):
        region["endColumn"] = location.end_column
    return region


def _contains(outer: Location, inner: Location) -> bool:
    return outer.line <= inner.line and max(inner.end_line, inner.line) <= max(outer.end_line, outer.line)


# --- invocation --------------------------------------------------------------------------


def _invocation(result: ScanResult) -> Json:
    notifications = [_notification(d, "error") for d in result.errors]
    notifications += [_notification(d, "warning") for d in result.warnings]
    out: Json = {"executionSuccessful": not result.errors}
    if notifications:
        out["toolExecutionNotifications"] = notifications
    return out


def _notification(diagnostic: Diagnostic, level: str) -> Json:
    out: Json = {"level": level, "message": {"text": diagnostic.message}}
    where = Location(diagnostic.path, diagnostic.line, diagnostic.column)
    if is_physical(where):
        out["locations"] = [{"physicalLocation": _physical(where)}]
    elif diagnostic.path:
        out["message"] = {"text": f"{diagnostic.path}: {diagnostic.message}"}
    return out
