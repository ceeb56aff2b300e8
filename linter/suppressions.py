"""Suppressions: the inline comment, the CloudFormation `Metadata` form and the exceptions
in the configuration; applied to the findings after the policies ran (policies stay pure),
and linted (malformed, no reason, unknown policy, expired, unused).

The inline form is a `#`, `//` or `/* */` comment that starts with `iaclint:`:

    # iaclint:ignore KMS001[,CODE...] reason="DR replica for eu-central-1" [until=2027-06-30]

It covers the findings of the named policies on the resource whose first line, or whose
deciding attribute's line, carries it, or has it in the comment-only lines directly above.
`reason` is required (double quotes; `\\"` and `\\\\` escape); `until` is the last day it
applies. In CloudFormation (JSON has no comments), and through CDK's `addMetadata`:

    Metadata: {iaclint: {ignore: [{id: KMS001, reason: "...", until: "2027-06-30"}]}}

A suppression without a reason or with an unknown policy never applies; an expired one no
longer does; each of those, a malformed one and one that matches no finding of a policy
that ran is reported as a diagnostic of kind "suppression".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Iterable, Iterator

from linter.model import Diagnostic, Finding, Location, Resource, Status, Suppression
from linter.sources import SourceError, read_text
from policies import by_code

if TYPE_CHECKING:
    from linter.config import PolicyException

FORM = 'iaclint:ignore CODE reason="..." [until=YYYY-MM-DD]'
_DIRECTIVE = re.compile(r"(#|//|/\*)[ \t]*iaclint:(.*)$")
_CODES = re.compile(r"[ \t]+([A-Za-z0-9_-]+(?:,[A-Za-z0-9_-]+)*)(?![\w,=-])")
_OPTION = re.compile(r'[ \t]+([A-Za-z_]+)=("(?:[^"\\]|\\.)*"|[^\s"]+)')
_COMMENT_ONLY = re.compile(r"[ \t]*(#|//|/\*|\*)")


@dataclass(eq=False)
class Rule:
    """One suppression of one policy. `problem` says why it can never apply (no reason,
    unknown policy); `address`/`path` restrict an exception from the configuration."""

    written: str
    reason: str
    until: datetime.date | None
    location: Location
    kind: str  # inline, metadata, config
    subject: str = ""  # for messages: "in the Metadata of DataKey", 'on "module.dr.*"'
    address: re.Pattern[str] | None = None
    path: re.Pattern[str] | None = None
    used: bool = False

    @cached_property
    def code(self) -> str | None:
        policy = by_code(self.written)
        return policy.meta.code if policy is not None else None

    @property
    def problem(self) -> str | None:
        if self.code is None:
            return "names no known policy, so it does not apply (`iaclint policies` lists them)"
        if not self.reason.strip():
            return "has no reason, so it does not apply"
        return None

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until

    def describe(self) -> str:
        noun = "exception" if self.kind == "config" else "suppression"
        return f"{noun} of {self.written}" + (f" {self.subject}" if self.subject else "")

    def suppression(self) -> Suppression:
        return Suppression(self.reason, self.location, self.until.isoformat() if self.until else None, self.kind)


def _diagnostic(location: Location, message: str) -> Diagnostic:
    return Diagnostic(location.path, location.line, message, kind="suppression")


# --- the inline comment ------------------------------------------------------------------


class _Malformed(ValueError):
    pass


def parse_comment(text: str, location: Location) -> list[Rule] | None:
    """The rules a source line's `iaclint:` comment gives; None when it has none. Raises
    `_Malformed` with what is wrong."""
    match = _DIRECTIVE.search(text)
    if match is None:
        return None
    rest = match.group(2)
    if match.group(1) == "/*":  # a block comment ends at the first */
        rest = rest.split("*/", 1)[0]
    rest = rest.rstrip()
    directive = rest.split(maxsplit=1)[0] if rest[:1].strip() else ""
    if not directive:
        raise _Malformed("expected ignore right after iaclint:")
    if directive != "ignore":
        raise _Malformed(f"unknown directive iaclint:{directive}")
    codes = _CODES.match(rest, len("ignore"))
    if codes is None:
        raise _Malformed("no policy named after iaclint:ignore")
    options = _options(rest, codes.end())
    until = _date(options["until"]) if "until" in options else None
    reason = options.get("reason", "")
    return [Rule(code, reason, until, location, "inline") for code in codes.group(1).split(",")]


def _options(text: str, position: int) -> dict[str, str]:
    options: dict[str, str] = {}
    while text[position:].strip():
        match = _OPTION.match(text, position)
        if match is None:
            raise _Malformed(f"cannot read {text[position:].strip()!r}")
        key, value = match.groups()
        if key not in ("reason", "until"):
            raise _Malformed(f"unknown option {key}= (reason= and until= are known)")
        if key in options:
            raise _Malformed(f"{key}= given twice")
        if key == "reason" and not value.startswith('"'):
            raise _Malformed('reason= must be in double quotes')
        options[key] = re.sub(r"\\(.)", r"\1", value[1:-1]) if value.startswith('"') else value
        position = match.end()
    return options


def _date(text: object) -> datetime.date:
    if isinstance(text, datetime.date) and not isinstance(text, datetime.datetime):
        return text
    try:
        if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise _Malformed(f"until={text} is not a date (YYYY-MM-DD)")


@dataclass
class _FileComments:
    rules: dict[int, list[Rule]]
    comment_only: set[int]


class SourceComments:
    """The `iaclint:` comments of the scanned files, read once per file, on demand.
    Paths are the findings' (relative to `cwd`); JSON files have no comments to read."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.files: dict[str, _FileComments] = {}
        self.malformed: list[Diagnostic] = []

    def file(self, path: str) -> _FileComments:
        if path not in self.files:
            self.files[path] = self._read(path)
        return self.files[path]

    def _read(self, path: str) -> _FileComments:
        comments = _FileComments({}, set())
        if path.endswith(".json") or (path.startswith("<") and path.endswith(">")):
            return comments
        try:
            text = read_text(self.cwd / path)
        except SourceError:
            return comments  # the parser has reported it
        for number, line in enumerate(text.splitlines(), 1):
            if _COMMENT_ONLY.match(line):
                comments.comment_only.add(number)
            if "iaclint:" not in line:
                continue
            where = Location(path, number)
            try:
                rules = parse_comment(line, where)
            except _Malformed as exc:
                self.malformed.append(_diagnostic(where, f"malformed suppression: {exc} (expected {FORM})"))
                continue
            if rules:
                comments.rules[number] = rules
        return comments

    def at(self, location: Location) -> Iterator[Rule]:
        """The rules on `location`'s line and in the comment-only lines right above it."""
        comments = self.file(location.path)
        line = location.line
        yield from comments.rules.get(line, ())
        line -= 1
        while line in comments.comment_only:
            yield from comments.rules.get(line, ())
            line -= 1

    def all_rules(self) -> Iterator[Rule]:
        for comments in self.files.values():
            for rules in comments.rules.values():
                yield from rules


# --- CloudFormation Metadata and configured exceptions ------------------------------------


def metadata_rules(resource: Resource) -> tuple[list[Rule], list[Diagnostic]]:
    """`Metadata: {iaclint: {ignore: [{id, reason, until}]}}` of one resource."""
    block = resource.metadata.get("iaclint")
    if block is None:
        return [], []
    where, subject = resource.location, f"in the Metadata of {resource.address}"
    entries = block.get("ignore") if isinstance(block, dict) and set(block) == {"ignore"} else None
    if not isinstance(entries, list):
        return [], [_diagnostic(where, f"malformed suppression {subject}: expected iaclint: {{ignore: [{{id, reason, until}}]}}")]
    rules: list[Rule] = []
    problems: list[Diagnostic] = []
    for number, entry in enumerate(entries):
        try:
            rules.append(_metadata_rule(entry, where, subject))
        except _Malformed as exc:
            problems.append(_diagnostic(where, f"malformed suppression {subject} (ignore[{number}]): {exc}"))
    return rules, problems


def _metadata_rule(entry: Any, where: Location, subject: str) -> Rule:
    if not isinstance(entry, dict):
        raise _Malformed("expected {id, reason, until}")
    unknown = sorted(str(k) for k in entry if k not in ("id", "reason", "until"))
    if unknown:
        raise _Malformed(f"unknown key {unknown[0]} (id, reason and until are known)")
    if not isinstance(entry.get("id"), str):
        raise _Malformed("id must name a policy")
    reason = entry.get("reason", "")
    if not isinstance(reason, str):
        raise _Malformed("reason must be a string")
    until = _date(entry["until"]) if entry.get("until") is not None else None
    return Rule(entry["id"], reason, until, where, "metadata", subject)


def exception_rule(exception: PolicyException) -> Rule:
    """Raises `_Malformed` for an `until` that is not a date."""
    path = glob(exception.path) if exception.path else None
    until = _date(exception.until) if exception.until else None
    return Rule(exception.id, exception.reason, until, exception.location, "config",
                f'on "{exception.address}"', glob(exception.address), path)


def glob(pattern: str) -> re.Pattern[str]:
    """`*` any run of characters, `?` one; everything else literal (brackets and quotes in
    instance keys such as `aws_kms_key.k["dr"]` too)."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


# --- applying and linting ----------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    findings: list[Finding]
    diagnostics: list[Diagnostic]


def apply(
    findings: Iterable[Finding],
    checked: Iterable[tuple[str, Resource, Status]],
    exceptions: Iterable[PolicyException],
    today: datetime.date,
    active: Iterable[str],
    comments: SourceComments,
) -> Applied:
    """Suppress each finding a valid, unexpired rule covers; then say what is wrong with
    the rules. `checked` names the resources whose files and Metadata are read for rules,
    so that rules on passing resources are reported as unused; `active` the policies run."""
    resources = {_key(resource): resource for _, resource, _ in checked}
    diagnostics: list[Diagnostic] = []
    metadata: dict[tuple[str, str, int], list[Rule]] = {}
    for key, resource in resources.items():
        metadata[key], problems = metadata_rules(resource)
        diagnostics += problems
        comments.file(resource.location.path)
    configured = []
    for exception in exceptions:
        try:
            configured.append(exception_rule(exception))
        except _Malformed as exc:
            diagnostics.append(_diagnostic(exception.location, f"malformed exception of {exception.id}: {exc}"))
    out = [_apply_one(f, comments, metadata.get(_key(f.resource), []), configured, today) for f in findings]
    rules = [*comments.all_rules(), *(r for rules in metadata.values() for r in rules), *configured]
    diagnostics += comments.malformed + _lint(rules, today, frozenset(active))
    return Applied(out, sorted(diagnostics, key=lambda d: (d.path, d.line, d.message)))


def _key(resource: Resource) -> tuple[str, str, int]:
    return (resource.address, resource.location.path, resource.location.line)


def _apply_one(finding: Finding, comments: SourceComments, metadata: list[Rule], configured: list[Rule], today: datetime.date) -> Finding:
    for rule in _candidates(finding, comments, metadata, configured):
        if rule.code != finding.policy_id or rule.problem is not None:
            continue
        rule.used = True
        if not rule.expired(today):
            return replace(finding, status=Status.SUPPRESSED, suppression=rule.suppression())
    return finding


def _candidates(finding: Finding, comments: SourceComments, metadata: list[Rule], configured: list[Rule]) -> Iterator[Rule]:
    resource = finding.resource
    yield from comments.at(resource.location)
    attribute = finding.attribute_location
    if attribute is not None and attribute.path == resource.location.path and attribute.line != resource.location.line:
        yield from comments.at(attribute)
    yield from metadata
    for rule in configured:
        if rule.address is not None and rule.address.fullmatch(resource.address):
            if rule.path is None or rule.path.fullmatch(resource.location.path):
                yield rule


def _lint(rules: Iterable[Rule], today: datetime.date, active: frozenset[str]) -> list[Diagnostic]:
    out = []
    for rule in rules:
        what = rule.describe()
        if rule.problem is not None:
            out.append(_diagnostic(rule.location, f"{what} {rule.problem}"))
        elif rule.expired(today):
            out.append(_diagnostic(rule.location, f"{what} expired on {rule.until}, so it no longer applies (reason: {rule.reason})"))
        elif not rule.used and rule.code in active:
            out.append(_diagnostic(rule.location, f"{what} matches no finding; remove it"))
    return out


def in_files(diagnostics: Iterable[Diagnostic], paths: Collection[str]) -> list[Diagnostic]:
    """The diagnostics about the given files (a pre-commit run reports no others)."""
    return [d for d in diagnostics if d.path in paths]
