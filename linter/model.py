"""The records every stage shares: locations, provenance, values, resources, findings.

The data flows one way: parsers build `Resource` records (the resource graph), policies
read them and return `Verdict`s, the engine turns those into `Finding`s, reporters render a
`ScanResult`. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file: repository-relative POSIX path, 1-based lines and columns."""

    path: str
    line: int
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a value's provenance: where it was read, and what was read there."""

    location: Location
    note: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that cannot be known statically, with the reason and where it arose.

    Instances stand in for values anywhere inside evaluated data (a list element, a map
    value), so evaluation can carry on around them.
    """

    reason: str
    location: Location | None = None

    def __bool__(self) -> bool:  # an unknown is never silently truthy or falsy
        raise TypeError("the truth of an unknown value is not known")


def contains_unknown(value: object) -> Unknown | None:
    """The first unknown inside `value` (depth first), or None when it is wholly known."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for item in value.values():
            found = contains_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = contains_unknown(item)
            if found is not None:
                return found
    return None


class SourceFormat(str, enum.Enum):
    TERRAFORM = "terraform"
    TERRAFORM_PLAN = "terraform-plan"
    CLOUDFORMATION = "cloudformation"
    CDK = "cdk"
    CDKTF = "cdktf"


@dataclass(frozen=True, slots=True)
class Attribute:
    """An evaluated resource argument: its value (maybe `Unknown`), where it is written,
    and the trail of steps that produced the value, attribute first."""

    name: str
    value: object
    location: Location
    trail: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Resource:
    """One resource instance in the graph, whatever format it came from.

    `address` is Terraform's instance address or a CloudFormation logical ID; `context`
    is the chain that leads to it (module calls, parent stacks, CDK stages), outermost
    first, each a step with the location of the call.
    """

    address: str
    type: str
    source_format: SourceFormat
    location: Location
    attributes: Mapping[str, Attribute] = field(default_factory=dict)
    construct_path: str | None = None
    context: tuple[Step, ...] = ()
    references: tuple[str, ...] = ()
    # Set when the resource's existence (count, for_each, condition) could not be known.
    existence: Unknown | None = None
    # The CloudFormation `Metadata` section as written (plain data); empty elsewhere. The
    # engine reads suppressions from it (`Metadata: {iaclint: {ignore: [...]}}`).
    metadata: Mapping[str, object] = field(default_factory=dict)

    def attribute(self, name: str) -> Attribute | None:
        return self.attributes.get(name)


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SUPPRESSED = "suppressed"


class Severity(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a policy says of one resource: the status, why, where the deciding value is,
    and the value's trail."""

    status: Status
    message: str
    location: Location | None = None
    evidence: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """An error (input that could not be read) or a warning (worth knowing, not fatal).

    `kind` says what it is about: "input" (a file that could not be read, a value worth a
    word), "unresolved-module" (a module source that could not be followed, so its
    resources are not seen) or "suppression" (a suppression that is malformed, expired or
    unused: an error only under --strict, where it fails the check like a finding rather
    than like an unreadable input)."""

    path: str
    line: int
    message: str
    column: int = 0
    kind: str = "input"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not fail. `kind` is where that was said: "inline" (a comment),
    "metadata" (CloudFormation `Metadata`), "config" (an exception in the configuration) or
    "baseline" (a finding recorded in the --baseline file); `until` is an ISO date."""

    reason: str
    location: Location | None = None
    until: str | None = None
    kind: str = "inline"


@dataclass(frozen=True)
class Finding:
    policy_id: str
    slug: str
    severity: Severity
    status: Status
    message: str
    resource: Resource
    attribute_location: Location | None
    evidence: tuple[Step, ...]
    suppression: Suppression | None = None

    @property
    def reported_location(self) -> Location:
        """Where a reader is sent: the deciding attribute when it is in the resource's own
        file (a module input in another file is evidence, not the place to fix), else the
        resource block."""
        block = self.resource.location
        where = self.attribute_location
        if where is None or where.path != block.path or where.line < 1:
            return block
        return where


@dataclass(frozen=True)
class ScanResult:
    """Everything a reporter needs: findings (fail, unknown, suppressed), every resource
    checked by every policy (passes included), errors, warnings and counts."""

    findings: tuple[Finding, ...]
    checked: tuple[tuple[str, Resource, Status], ...]
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    files_scanned: int
    resources: int
    tool_version: str
    strict: bool = False
