"""The real-world corpus (../shared/corpus): CDK for Terraform output and Terraform
repositories give exactly the verdicts of their README tables and of KMS-INDEX.md.
Skipped when ../shared/corpus is absent. Nothing is written there."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import ScanOptions, scan

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


def _findings(folder: Path) -> tuple[set[tuple[str, str, str, int, str | None]], object]:
    result = scan(ScanOptions(targets=(str(folder),), cwd=folder))
    found = {(f.status.value, f.resource.address, f.resource.location.path, f.resource.location.line,
              f.resource.construct_path) for f in result.findings}
    return found, result


def test_cdktf_mixed_matches_readme_table() -> None:
    found, result = _findings(CORPUS / "cdktf-synth" / "kms-tf-mixed")
    mixed = "cdktf.out/stacks/kms-tf-mixed/cdk.tf.json"
    assert found == {
        ("fail", "aws_kms_key.multi_region_key", mixed, 95, "kms-tf-mixed/multi_region_key"),
        ("fail", "aws_kms_replica_key.replica_key", mixed, 130, "kms-tf-mixed/replica_key"),
        ("fail", "aws_kms_key.variable_key", mixed, 117, "kms-tf-mixed/variable_key"),
        ("fail", "aws_kms_key.conditional_key", mixed, 62, "kms-tf-mixed/conditional_key"),
        ("fail", "aws_kms_key.escape_hatch_key", mixed, 73, "kms-tf-mixed/escape_hatch_key"),
        ("fail", "aws_kms_external_key.external_multi_region_key", mixed, 49, "kms-tf-mixed/external_multi_region_key"),
        ("fail", "aws_kms_key.dr_multi_region_key", "cdktf.out/stacks/kms-tf-dr/cdk.tf.json", 20,
         "kms-tf-dr/dr_multi_region_key"),
    }
    assert result.errors == ()


def test_cdktf_variable_key_evidence_reaches_the_variable_default() -> None:
    folder = CORPUS / "cdktf-synth" / "kms-tf-mixed"
    result = scan(ScanOptions(targets=(str(folder),), cwd=folder))
    (finding,) = [f for f in result.findings if f.resource.address == "aws_kms_key.variable_key"]
    notes = [(s.location.line, s.note) for s in finding.evidence]
    assert notes[0][1] == '"multi_region": "${var.enable_multi_region}"'
    assert notes[1][0] == 191 and notes[1][1].startswith("variable enable_multi_region default")


def test_cdktf_clean_has_no_findings() -> None:
    found, result = _findings(CORPUS / "cdktf-synth" / "kms-tf-clean")
    assert found == set() and result.errors == ()


@pytest.fixture(scope="module")
def terraform_scan():  # type: ignore[no-untyped-def]
    return _findings(CORPUS / "terraform")


def test_terraform_kms_instances_get_terraforms_verdicts(terraform_scan) -> None:  # type: ignore[no-untyped-def]
    """KMS-INDEX.md: terraform-aws-kms examples/complete creates a multi-Region primary,
    external primary, replica and external replica; draios creates the replica under
    default inputs (its multi-Region key and the CloudFormation stack sets have count 0);
    cloudposse and every other key is single-Region."""
    found, _ = terraform_scan
    kms = "terraform-aws-modules__terraform-aws-kms/main.tf"
    assert found == {
        ("fail", "module.kms_primary.aws_kms_key.this[0]", kms, 18, None),
        ("fail", "module.kms_primary_external.aws_kms_external_key.this[0]", kms, 42, None),
        ("fail", "module.kms_replica.aws_kms_replica_key.this[0]", kms, 65, None),
        ("fail", "module.kms_replica_external.aws_kms_replica_external_key.this[0]", kms, 84, None),
        ("fail", "aws_kms_replica_key.agentless_replica[0]",
         "draios__terraform-aws-secure-for-cloud/modules/services/agentless-scanning/main.tf", 277, None),
    }


def test_terraform_module_input_evidence_for_kms_primary() -> None:
    folder = CORPUS / "terraform" / "terraform-aws-modules__terraform-aws-kms"
    result = scan(ScanOptions(targets=(str(folder),), cwd=folder))
    (finding,) = [f for f in result.findings if f.resource.address == "module.kms_primary.aws_kms_key.this[0]"]
    steps = [(s.location.path, s.note) for s in finding.evidence]
    assert steps[0][0] == "examples/complete/main.tf" and steps[0][1].startswith("module.kms_primary")
    assert ("main.tf", "multi_region = var.multi_region") in steps
    assert ("examples/complete/main.tf", "module input multi_region = true") in steps


def test_terraform_parse_errors_are_exactly_the_files_terraform_rejects(terraform_scan) -> None:  # type: ignore[no-untyped-def]
    _, result = terraform_scan
    errored = sorted({e.path for e in result.errors})
    assert len(errored) == 23
    assert all(e.line >= 1 and e.message for e in result.errors)


@pytest.mark.parametrize(
    ("global_resources", "expected"),
    [
        ("false", {("fail", "aws_cloudformation_stack_set.mgmt_acc_resources_stackset[0]/AgentlessScanningKmsReplicaKey", 190),
                   ("fail", "aws_cloudformation_stack_set.ou_resources_stackset[0]/AgentlessScanningKmsReplicaKey", 319)}),
        ("true", {("fail", "aws_cloudformation_stack_set.mgmt_acc_resources_stackset[0]/AgentlessScanningKmsPrimaryKey", 154),
                  ("fail", "aws_cloudformation_stack_set.ou_resources_stackset[0]/AgentlessScanningKmsPrimaryKey", 282)}),
    ],
)
def test_draios_cloudformation_in_heredocs(global_resources: str, expected: set) -> None:  # type: ignore[type-arg]
    """organizational.tf builds CloudFormation in heredocs whose IsGlobal condition is
    HCL-interpolated from var.deploy_global_resources; with is_organizational the stack
    sets exist, and the condition picks the primary key or its replica."""
    from linter.terraform.modules import VarInput

    folder = CORPUS / "terraform" / "draios__terraform-aws-secure-for-cloud" / "modules" / "services" / "agentless-scanning"
    inputs = (VarInput("var", "is_organizational=true"), VarInput("var", f"deploy_global_resources={global_resources}"))
    result = scan(ScanOptions(targets=(str(folder),), cwd=folder, var_inputs=inputs))
    found = {(f.status.value, f.resource.address, f.resource.location.line) for f in result.findings}
    assert found == expected
    assert all(f.resource.location.path == "organizational.tf" for f in result.findings if "/" in f.resource.address)
