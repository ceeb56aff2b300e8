"""What every policy is: a frozen metadata record and a pure check of one resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from linter.model import Resource, Severity, Verdict


@dataclass(frozen=True)
class PolicyMeta:
    code: str
    slug: str
    title: str
    severity: Severity
    resource_types: frozenset[str]
    help_url: str
    suppressible: bool = True


@dataclass(frozen=True)
class Policy:
    """A policy module's public face: metadata, documentation and the check."""

    meta: PolicyMeta
    doc: str
    check: Callable[[Resource], Verdict]
