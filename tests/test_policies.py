"""The policy catalogue: the tuple lists every policy module, metadata is complete, and
each docstring has the documentation headings."""

from __future__ import annotations

from pathlib import Path

import pytest

import policies
from linter.model import Location, Resource, SourceFormat, Status, Attribute, Unknown
from policies import POLICIES, by_code
from policies.kms001_multi_region_key import check

HEADINGS = ("## What it checks", "## Why it matters", "## Examples", "## How to fix", "## When to suppress", "## References")


def test_tuple_lists_every_policy_module() -> None:
    folder = Path(policies.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base"}
    listed = {p.check.__module__.rsplit(".", 1)[-1] for p in POLICIES}
    assert listed == modules


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.meta.code)
def test_documentation_headings(policy) -> None:  # type: ignore[no-untyped-def]
    for heading in HEADINGS:
        assert heading in policy.doc, heading


def test_by_code_accepts_code_and_slug() -> None:
    assert by_code("kms001") is POLICIES[0]
    assert by_code("kms-multi-region-key") is POLICIES[0]
    assert by_code("NOPE") is None


def _key(type_: str, fmt: SourceFormat, **attrs: object) -> Resource:
    loc = Location("main.tf", 1, 1, 3)
    return Resource("k", type_, fmt, loc, {n: Attribute(n, v, Location("main.tf", 2)) for n, v in attrs.items()})


@pytest.mark.parametrize(
    ("type_", "fmt", "attrs", "status"),
    [
        ("aws_kms_key", SourceFormat.TERRAFORM, {"multi_region": True}, Status.FAIL),
        ("aws_kms_key", SourceFormat.TERRAFORM, {"multi_region": "1"}, Status.FAIL),
        ("aws_kms_key", SourceFormat.TERRAFORM, {"multi_region": "True"}, Status.UNKNOWN),
        ("aws_kms_key", SourceFormat.TERRAFORM, {"multi_region": None}, Status.PASS),
        ("aws_kms_key", SourceFormat.TERRAFORM, {}, Status.PASS),
        ("aws_kms_key", SourceFormat.TERRAFORM, {"multi_region": Unknown("var.x has no value")}, Status.UNKNOWN),
        ("aws_kms_replica_key", SourceFormat.TERRAFORM, {}, Status.FAIL),
        ("AWS::KMS::Key", SourceFormat.CLOUDFORMATION, {"MultiRegion": "True"}, Status.FAIL),
        ("AWS::KMS::Key", SourceFormat.CDK, {"MultiRegion": "false"}, Status.PASS),
        ("AWS::KMS::Key", SourceFormat.CLOUDFORMATION, {"MultiRegion": "yes"}, Status.UNKNOWN),
        ("AWS::KMS::ReplicaKey", SourceFormat.CLOUDFORMATION, {}, Status.FAIL),
    ],
)
def test_kms001_verdicts(type_: str, fmt: SourceFormat, attrs: dict, status: Status) -> None:
    assert check(_key(type_, fmt, **attrs)).status is status


def test_kms001_fail_points_at_attribute_line() -> None:
    verdict = check(_key("aws_kms_key", SourceFormat.TERRAFORM, multi_region=True))
    assert verdict.location == Location("main.tf", 2)
    assert verdict.message == "k is a multi-Region key (multi_region = true)"
