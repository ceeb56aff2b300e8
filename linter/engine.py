"""One scan, end to end: discover files, parse each once into the resource graph, run
every policy on every resource of the types it reads, apply the suppressions and the
baseline, and collect the results."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from linter import __version__
from linter.discovery import Discovered, discover
from linter.graph import Graph, build_graph
from linter.model import Diagnostic, Finding, Resource, ScanResult, Status
from linter.suppressions import SourceComments, apply, in_files
from linter.terraform.modules import VarInput
from policies import POLICIES
from policies.base import Policy

if TYPE_CHECKING:
    from linter.baseline import Baseline
    from linter.config import PolicyException


@dataclass(frozen=True)
class ScanOptions:
    targets: tuple[str, ...] = (".",)
    excludes: tuple[str, ...] = ()
    var_inputs: tuple[VarInput, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    param_files: tuple[str, ...] = ()  # where `params` were read from (a pre-commit run may name them)
    strict: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    policies: tuple[Policy, ...] = POLICIES
    exceptions: tuple[PolicyException, ...] = ()
    baseline: Baseline | None = None
    today: datetime.date = field(default_factory=datetime.date.today)  # when suppressions expire
    cache_dir: Path | None = None  # where parsed syntax trees are kept between runs; None: not kept


def scan(options: ScanOptions) -> ScanResult:
    inputs = [Path(given.value) for given in options.var_inputs if given.kind == "var-file"]
    inputs += [Path(path) for path in options.param_files]
    discovered = discover(list(options.targets), options.excludes, options.cwd, [Path(os.path.realpath(p)) for p in inputs])
    types = frozenset().union(*(p.meta.resource_types for p in options.policies))
    graph = build_graph(discovered, options, types)
    findings, checked = evaluate_policies(graph.resources, options.policies)
    findings, notes = _settle(findings, checked, discovered, options)
    # Suppression problems are warnings; under --strict they are errors that fail the check.
    errors = graph.errors + notes if options.strict else graph.errors
    warnings = graph.warnings if options.strict else graph.warnings + notes
    return ScanResult(
        findings=tuple(sorted(findings, key=_finding_order)),
        checked=tuple(checked),
        errors=_sorted(errors),
        warnings=_sorted(warnings),
        files_scanned=graph.files_scanned,
        # Resources that a policy read: the graph holds more (CloudFormation templates
        # give all their resources; Terraform only the types some policy reads).
        resources=len({id(resource) for _, resource, _ in checked}),
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


def _settle(findings: list[Finding], checked: list[tuple[str, Resource, Status]], discovered: Discovered,
            options: ScanOptions) -> tuple[list[Finding], list[Diagnostic]]:
    """Apply the suppressions, then the baseline; with files named on the command line,
    keep what concerns them. Returns the findings and the suppression diagnostics."""
    active = [policy.meta.code for policy in options.policies]
    applied = apply(findings, checked, options.exceptions, options.today, active, SourceComments(options.cwd))
    findings, notes = applied.findings, applied.diagnostics
    if options.baseline is not None:
        findings = options.baseline.apply(findings)
    if discovered.named_files:
        named = _named_paths(discovered, options.cwd)
        findings = _in_named_files(findings, named, discovered, options.cwd)
        notes = in_files(notes, named)
    return findings, notes


def _finding_order(finding: Finding) -> tuple[str, int, str]:
    return (finding.resource.location.path, finding.resource.location.line, finding.resource.address)


def _sorted(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: (d.path, d.line)))


def _named_paths(discovered: Discovered, cwd: Path) -> set[str]:
    """The files named on the command line, as findings show paths."""
    base = cwd.resolve()
    return {Path(os.path.relpath(path, base)).as_posix() for path in discovered.named_files}


def _in_named_files(findings: list[Finding], named: set[str], discovered: Discovered, cwd: Path) -> list[Finding]:
    """With files named on the command line (a pre-commit run), keep the findings whose
    resource or evidence lies in one of them; whole modules (and the root modules that
    call them) were still evaluated."""
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
