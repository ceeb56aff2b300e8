"""One scan, end to end: discover files, parse each once into the resource graph, run
every policy on every resource of the types it reads, and collect the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from linter import __version__
from linter.discovery import Discovered, discover
from linter.graph import Graph, build_graph
from linter.model import Finding, Resource, ScanResult, Status
from linter.terraform.modules import VarInput
from policies import POLICIES
from policies.base import Policy


@dataclass(frozen=True)
class ScanOptions:
    targets: tuple[str, ...] = (".",)
    excludes: tuple[str, ...] = ()
    var_inputs: tuple[VarInput, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    policies: tuple[Policy, ...] = POLICIES


def scan(options: ScanOptions) -> ScanResult:
    discovered = discover(list(options.targets), options.excludes)
    types = frozenset().union(*(p.meta.resource_types for p in options.policies))
    graph = build_graph(discovered, options, types)
    findings, checked = evaluate_policies(graph.resources, options.policies)
    if discovered.named_files:
        findings = _in_named_files(findings, discovered, options.cwd)
    return ScanResult(
        findings=tuple(sorted(findings, key=_finding_order)),
        checked=tuple(checked),
        errors=tuple(sorted(graph.errors, key=lambda d: (d.path, d.line))),
        warnings=tuple(sorted(graph.warnings, key=lambda d: (d.path, d.line))),
        files_scanned=graph.files_scanned,
        resources=len(graph.resources),
        tool_version=__version__,
        strict=options.strict,
    )


def evaluate_policies(
    resources: Iterable[Resource], policies: tuple[Policy, ...]
) -> tuple[list[Finding], list[tuple[str, Resource, Status]]]:
    findings: list[Finding] = []
    checked: list[tuple[str, Resource, Status]] = []
    for resource in resources:
        for policy in policies:
            if resource.type not in policy.meta.resource_types:
                continue
            verdict = policy.check(resource)
            checked.append((policy.meta.code, resource, verdict.status))
            if verdict.status is Status.PASS:
                continue
            findings.append(
                Finding(
                    policy_id=policy.meta.code,
                    slug=policy.meta.slug,
                    severity=policy.meta.severity,
                    status=verdict.status,
                    message=verdict.message,
                    resource=resource,
                    attribute_location=verdict.location,
                    evidence=resource.context + verdict.evidence,
                )
            )
    return findings, checked


def _finding_order(finding: Finding) -> tuple[str, int, str]:
    return (finding.resource.location.path, finding.resource.location.line, finding.resource.address)


def _in_named_files(findings: list[Finding], discovered: Discovered, cwd: Path) -> list[Finding]:
    """With files named on the command line (a pre-commit run), keep the findings whose
    resource or evidence lies in one of them; whole modules were still evaluated."""
    named: set[str] = set()
    for path in discovered.named_files:
        try:
            named.add(path.relative_to(cwd).as_posix())
        except ValueError:
            named.add(path.as_posix())
    kept = []
    for finding in findings:
        paths = {finding.resource.location.path} | {step.location.path for step in finding.evidence}
        if paths & named or _inside_named_dir(finding.resource.location.path, discovered, cwd):
            kept.append(finding)
    return kept


def _inside_named_dir(path: str, discovered: Discovered, cwd: Path) -> bool:
    """Assemblies named as files (their manifest) report every template they lead to."""
    resolved = (cwd / path).resolve()
    return any(_is_under(resolved, manifest.parent) for manifest in discovered.named_files if manifest.name == "manifest.json")


def _is_under(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True


__all__ = ["ScanOptions", "scan", "evaluate_policies", "Graph"]
