"""A hand-built ScanResult that exercises every reporter feature, and the golden-file check.

The result holds: a fail from inside a module with a two-step trail, a fail whose value
came from the command line, an unknown, a suppression inline and one from the
configuration (of an unknown), a CDK finding with its construct path, passes, a parse error
and a warning. `shift` moves every line, for fingerprint-stability checks.
"""

from __future__ import annotations

import os
from pathlib import Path

from linter.model import (
    Diagnostic,
    Finding,
    Location,
    Resource,
    ScanResult,
    Severity,
    SourceFormat,
    Status,
    Step,
    Suppression,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
SLUG = "kms-multi-region-key"


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/<name> exactly; UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    assert path.exists(), f"{path} is missing; run with UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_bytes().decode("utf-8"), f"{name} differs; UPDATE_GOLDEN=1 rewrites it"


def sample_result(shift: int = 0, strict: bool = False) -> ScanResult:
    def at(path: str, line: int, column: int = 0, end_line: int = 0, end_column: int = 0) -> Location:
        return Location(path, line + shift, column, end_line + shift if end_line else 0, end_column)

    module_key = Resource(
        "module.keys.aws_kms_key.this", "aws_kms_key", SourceFormat.TERRAFORM,
        at("terraform/modules/key/main.tf", 1, 1, 5, 2),
        context=(Step(at("terraform/main.tf", 7, 1, 10, 2), 'module "keys" (replicate = true)'),),
    )
    cli_key = Resource("aws_kms_key.cli", "aws_kms_key", SourceFormat.TERRAFORM, at("terraform/main.tf", 12, 1, 14, 2))
    replica = Resource(
        "aws_kms_replica_key.dr", "aws_kms_replica_key", SourceFormat.TERRAFORM, at("terraform/main.tf", 17, 1, 20, 2)
    )
    single = Resource("aws_kms_key.single", "aws_kms_key", SourceFormat.TERRAFORM, at("terraform/main.tf", 22, 1, 24, 2))
    cfn_key = Resource("DataKey", "AWS::KMS::Key", SourceFormat.CLOUDFORMATION, at("cloudformation/keys.yaml", 8, 3, 12, 0))
    cfn_plain = Resource("PlainKey", "AWS::KMS::Key", SourceFormat.CLOUDFORMATION, at("cloudformation/keys.yaml", 13, 3, 15, 0))
    cfn_shared = Resource("SharedKey", "AWS::KMS::Key", SourceFormat.CLOUDFORMATION, at("cloudformation/keys.yaml", 16, 3, 19, 0))
    cdk_key = Resource(
        "DataKeyC2A4B1F0", "AWS::KMS::Key", SourceFormat.CDK, at("cdk.out/Crypto.template.json", 4, 5, 12, 6),
        construct_path="Crypto/Storage/DataKey/Resource",
    )
    findings = (
        Finding(
            "KMS001", SLUG, Severity.HIGH, Status.FAIL,
            "module.keys.aws_kms_key.this is a multi-Region key (multi_region = true)", module_key,
            at("terraform/modules/key/main.tf", 3, 3, 3, 34),
            module_key.context + (Step(at("terraform/modules/key/main.tf", 3, 3, 3, 34), "multi_region = var.replicate"),),
        ),
        Finding(
            "KMS001", SLUG, Severity.HIGH, Status.FAIL, "aws_kms_key.cli is a multi-Region key (multi_region = true)",
            cli_key, at("terraform/main.tf", 13, 3, 13, 35),
            (Step(at("terraform/main.tf", 13, 3), "multi_region = var.multi"), Step(Location("<command line>", 0), "--var multi=true")),
        ),
        Finding(
            "KMS001", SLUG, Severity.HIGH, Status.SUPPRESSED,
            "aws_kms_replica_key.dr is a replica of a multi-Region key (aws_kms_replica_key is always multi-Region)",
            replica, replica.location, (Step(replica.location, "aws_kms_replica_key aws_kms_replica_key.dr"),),
            Suppression("DR replica in eu-west-1, approved by security (SEC-123)", at("terraform/main.tf", 16, 1), "2030-01-01"),
        ),
        Finding(
            "KMS001", SLUG, Severity.HIGH, Status.UNKNOWN,
            "DataKey: cannot tell whether it is multi-Region: MultiRegion depends on parameter Replicate, which has no value",
            cfn_key, at("cloudformation/keys.yaml", 11, 7, 11, 40),
            (Step(at("cloudformation/keys.yaml", 11, 7), "MultiRegion: !Ref Replicate"),
             Step(at("cloudformation/keys.yaml", 3, 3), "parameter Replicate: no Default, no --param")),
        ),
        Finding(
            "KMS001", SLUG, Severity.HIGH, Status.SUPPRESSED,
            "SharedKey: cannot tell whether it is multi-Region: MultiRegion depends on condition IsProd", cfn_shared,
            at("cloudformation/keys.yaml", 18, 7), (Step(at("cloudformation/keys.yaml", 18, 7), "MultiRegion: !If [IsProd, true, false]"),),
            Suppression("shared key, reviewed in the platform exceptions list"),
        ),
        Finding(
            "KMS001", SLUG, Severity.HIGH, Status.FAIL, "DataKeyC2A4B1F0 is a multi-Region key (MultiRegion = true)", cdk_key,
            at("cdk.out/Crypto.template.json", 8, 9, 8, 29), (Step(at("cdk.out/Crypto.template.json", 8, 9), '"MultiRegion": true'),),
        ),
    )
    checked = (
        ("KMS001", module_key, Status.FAIL),
        ("KMS001", cli_key, Status.FAIL),
        ("KMS001", replica, Status.FAIL),
        ("KMS001", single, Status.PASS),
        ("KMS001", cfn_key, Status.UNKNOWN),
        ("KMS001", cfn_plain, Status.PASS),
        ("KMS001", cfn_shared, Status.UNKNOWN),
        ("KMS001", cdk_key, Status.FAIL),
    )
    errors = (Diagnostic("terraform/broken.tf", 3 + shift, "unexpected '}', expected: an argument\nname = value", column=5),)
    warnings = (Diagnostic("cloudformation/keys.yaml", 20 + shift, "unused suppression of KMS001: 100% clean, remove it"),)
    return ScanResult(findings, checked, errors, warnings, files_scanned=6, resources=8, tool_version="0.1.0", strict=strict)


def clean_result() -> ScanResult:
    """Nothing found, nothing broken: passes only."""
    full = sample_result()
    passes = tuple(entry for entry in full.checked if entry[2] is Status.PASS)
    return ScanResult((), passes, (), (), files_scanned=2, resources=2, tool_version="0.1.0")
