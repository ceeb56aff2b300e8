"""JUnit XML output, for CI systems that show test reports (GitLab, Jenkins, Azure).

One `<testsuite>` per policy, one `<testcase>` per resource the policy checked (passes
included): a `<failure>` for a fail, `<skipped>` for an unknown or a suppressed finding
(a `<failure>` for an unknown under --strict, which fails the build). Inputs that could not
be read are `<error>` test cases in a last suite, with the warnings as its `<system-err>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from linter.model import Diagnostic, Finding, Resource, ScanResult, Status
from linter.reporters.trail import trail_lines
from policies import POLICIES
from policies.base import Policy

# XML 1.0 cannot carry these at all, escaped or not; lone surrogates cannot be encoded.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class _Case:
    policy: str
    resource: Resource
    finding: Finding | None  # None: the check passed


def render(result: ScanResult, color: bool = False, *, policies: tuple[Policy, ...] = POLICIES, **_: object) -> str:
    slugs = {policy.meta.code: policy.meta.slug for policy in policies}
    root = ET.Element("testsuites", name="iaclint")
    for code, cases in _cases_by_policy(result).items():
        name = f"{code} {slugs[code]}" if code in slugs else code
        root.append(_suite(name, [_testcase(case, result.strict) for case in cases]))
    if result.errors or result.warnings:
        root.append(_input_suite(result))
    _count(root, list(root))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _cases_by_policy(result: ScanResult) -> dict[str, list[_Case]]:
    """Every check, in the engine's order, with its finding. A check whose finding the
    engine left out (it lies outside the files named on the command line) is left out too;
    a finding without a recorded check still gets its test case."""
    findings = {_key(f.policy_id, f.resource): f for f in result.findings}
    cases: dict[str, list[_Case]] = {}
    for code, resource, status in result.checked:
        finding = findings.pop(_key(code, resource), None)
        if finding is None and status is not Status.PASS:
            continue
        cases.setdefault(code, []).append(_Case(code, resource, finding))
    for finding in findings.values():
        cases.setdefault(finding.policy_id, []).append(_Case(finding.policy_id, finding.resource, finding))
    return cases


def _key(code: str, resource: Resource) -> tuple[str, str, str]:
    return (code, resource.address, resource.location.path)


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(name))
    suite.extend(cases)
    return suite


def _testcase(case: _Case, strict: bool) -> ET.Element:
    resource = case.resource
    finding = case.finding
    where = finding.reported_location if finding is not None else resource.location
    element = ET.Element("testcase", classname=case.policy, name=_clean(f"{resource.address} ({where.path})"),
                         file=_clean(where.path), line=str(where.line))
    if finding is not None:
        outcome = _outcome(finding, strict)
        if outcome is not None:
            element.append(outcome)
    return element


def _outcome(finding: Finding, strict: bool) -> ET.Element | None:
    if finding.status is Status.FAIL:
        return _child("failure", finding.message, finding, type=finding.policy_id)
    if finding.status is Status.UNKNOWN and strict:
        return _child("failure", f"unknown: {finding.message}", finding, type=finding.policy_id)
    if finding.status is Status.UNKNOWN:
        return _child("skipped", f"unknown: {finding.message}", finding)
    if finding.status is Status.SUPPRESSED:
        reason = finding.suppression.reason if finding.suppression else "no reason given"
        return _child("skipped", f"suppressed: {reason}", finding)
    return None


def _child(tag: str, message: str, finding: Finding, **attributes: str) -> ET.Element:
    element = ET.Element(tag, {"message": _clean(message), **attributes})
    element.text = _clean(details(finding))
    return element


def details(finding: Finding) -> str:
    """The finding as plain text: message, resource, construct path, evidence trail."""
    resource = finding.resource
    lines = [
        f"{finding.policy_id} [{finding.severity.value}] {finding.status.value}: {finding.message}",
        f"resource: {resource.address} ({resource.type}, {resource.source_format.value}) at {resource.location}",
    ]
    return "\n".join(lines + trail_lines(finding, evidence_heading="evidence:"))


def _input_suite(result: ScanResult) -> ET.Element:
    suite = _suite("iaclint inputs", [_error_case(error) for error in result.errors])
    if result.warnings:
        err = ET.SubElement(suite, "system-err")
        err.text = _clean("\n".join(f"{_where(w)}: warning: {w.message}" for w in result.warnings))
    return suite


def _error_case(error: Diagnostic) -> ET.Element:
    element = ET.Element("testcase", classname="parse", name=_clean(f"parse {error.path}"), file=_clean(error.path),
                         line=str(error.line))
    failure = ET.SubElement(element, "error", message=_clean(error.message), type="parse")
    failure.text = _clean(f"{_where(error)}: {error.message}")
    return element


def _where(diagnostic: Diagnostic) -> str:
    column = f":{diagnostic.column}" if diagnostic.column else ""
    return f"{diagnostic.path}:{diagnostic.line}{column}"


def _count(element: ET.Element, suites: list[ET.Element]) -> None:
    """Set tests, failures, errors and skipped on each suite and on the root."""
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in suites:
        counts = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
            "skipped": len(suite.findall("testcase/skipped")),
        }
        for name, value in counts.items():
            suite.set(name, str(value))
            totals[name] += value
    for name, value in totals.items():
        element.set(name, str(value))


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
