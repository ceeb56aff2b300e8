"""The real-world CloudFormation and CDK corpus (../shared/corpus), scanned end to end with
KMS001: the cdk-synth apps and the cdk/ snapshots give exactly the findings of their README
tables and KMS-INDEX.md (address, status, path, line, construct path, and the creating line
of the app where the assembly recorded it); corpus/cloudformation gives no finding and
exactly the errors listed below, each one a file CloudFormation itself would reject.
Skipped when ../shared/corpus is absent. Nothing is written there."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import ScanOptions, scan
from linter.model import ScanResult

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")

Finding = tuple[str, str, str, int, "str | None"]


def _scan(folder: Path) -> tuple[set[Finding], ScanResult]:
    result = scan(ScanOptions(targets=(str(folder),), cwd=folder))
    found = {(f.status.value, f.resource.address, f.resource.location.path, f.resource.location.line,
              f.resource.construct_path) for f in result.findings}
    return found, result


MIXED = "cdk.out/KmsMixedStack.template.json"
NESTED = "cdk.out/KmsMixedStackKeysNested9F0A6D07.nested.template.json"
STAGE = "cdk.out/assembly-DrStage/DrStageDrKeyStack3235406E.template.json"


def test_cdk_synth_kms_mixed_matches_readme_table() -> None:
    """README rows 1-8 are flagged; 9-13 (single-Region keys) pass."""
    found, result = _scan(CORPUS / "cdk-synth" / "kms-mixed")
    assert found == {
        ("fail", "MultiRegionKey71A92F06", MIXED, 4, "KmsMixedStack/MultiRegionKey/Resource"),
        ("fail", "L1MultiRegionKey", MIXED, 232, "KmsMixedStack/L1MultiRegionKey"),
        ("fail", "ReplicaKey", MIXED, 312, "KmsMixedStack/ReplicaKey"),
        ("fail", "ParameterisedKey", MIXED, 352, "KmsMixedStack/ParameterisedKey"),
        ("fail", "ConditionalKey", MIXED, 394, "KmsMixedStack/ConditionalKey"),
        ("fail", "EscapeHatchKeyF1AEA372", MIXED, 441, "KmsMixedStack/EscapeHatchKey/Resource"),
        ("fail", "NestedMultiRegionKey2D3E0B0F", NESTED, 4, "KmsMixedStack/KeysNested/NestedMultiRegionKey/Resource"),
        ("fail", "StageMultiRegionKey45871C77", STAGE, 3, "DrStage/DrKeyStack/StageMultiRegionKey/Resource"),
    }
    passed = {r.address for code, r, status in result.checked if status.value == "pass"}
    assert passed == {"SingleRegionKeyF751E0C5", "ExplicitSingleRegionKey7C50728A", "L1SingleRegionKey",
                      "NestedSingleRegionKeyD86616A6", "StageSingleRegionKeyA769BA1C"}
    assert result.errors == () and result.warnings == ()


def test_cdk_synth_kms_mixed_findings_name_the_creating_line_of_app_js() -> None:
    _, result = _scan(CORPUS / "cdk-synth" / "kms-mixed")
    created = {f.resource.address: next((str(s.location), s.note) for s in f.evidence if s.note.startswith("construct created"))
               for f in result.findings}
    assert created == {
        "MultiRegionKey71A92F06": ("app.js:60", "construct created here, in new KmsMixedStack"),
        "L1MultiRegionKey": ("app.js:100", "construct created here, in new KmsMixedStack"),
        "ReplicaKey": ("app.js:116", "construct created here, in new KmsMixedStack"),
        "ParameterisedKey": ("app.js:131", "construct created here, in new KmsMixedStack"),
        "ConditionalKey": ("app.js:149", "construct created here, in new KmsMixedStack"),
        "EscapeHatchKeyF1AEA372": ("app.js:159", "construct created here, in new KmsMixedStack"),
        "NestedMultiRegionKey2D3E0B0F": ("app.js:40", "construct created here, in new KeysNestedStack"),
        "StageMultiRegionKey45871C77": ("app.js:190", "construct created here, in new DrKeyStack"),
    }


def test_cdk_synth_kms_clean_has_no_finding() -> None:
    found, result = _scan(CORPUS / "cdk-synth" / "kms-clean")
    assert found == set()
    assert sorted(r.address for code, r, status in result.checked) == [
        "DataKey17AFBB84", "ExplicitSingleRegionKey7C50728A", "L1DecoyKey", "L1SingleRegionKey",
        "NestedKey8502707A", "StageKey93D93A71"]
    assert result.errors == () and result.warnings == ()


def test_cdk_snapshots_match_kms_index() -> None:
    """KMS-INDEX.md rows 132 (key-alias: absent) and 133 (key-multi-region: true)."""
    found, result = _scan(CORPUS / "cdk")
    snapshot = "aws__aws-cdk/packages/@aws-cdk-testing/framework-integ/test/aws-kms/test"
    assert found == {("fail", "keyFEDD6EC0", f"{snapshot}/integ.key-multi-region.js.snapshot/TestStack.template.json", 3,
                      "TestStack/key/Resource")}
    assert len(result.checked) == 2 and result.errors == ()


# (path, line, message, why CloudFormation itself rejects the file). Every error of the
# corpus is a template that CloudFormation (or the packaging step a local path needs:
# `aws cloudformation package`, `sam package`) refuses.
CLOUDFORMATION_ERRORS = [
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/conditions.yaml", 60,
     "condition isProd is not defined in Conditions", "unresolved condition dependency"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/conditions.yaml", 64,
     "condition isDev is not defined in Conditions", "unresolved condition dependency"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/conditions.yaml", 84,
     "resource CloudFrontDistribution: Condition must be a condition name", "`Condition: False` is a boolean"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/config_invalid_json.json", 8,
     "invalid JSON: Expecting ',' delimiter", "neither JSON nor YAML"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/config_invalid_yaml.yaml", 8,
     "invalid YAML: while parsing a block mapping; did not find expected key", "not YAML"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/parse_invalid_map.yaml", 18,
     "invalid YAML: while constructing a mapping; found an unhashable key", "a mapping as a mapping key"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/functions/foreach_no_transform.yaml", 11,
     "Fn::ForEach::Buckets needs Transform: AWS::LanguageExtensions; CloudFormation rejects the template without it",
     "Fn::ForEach without the transform"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/json_parse.json", 5,
     "invalid JSON: Expecting ':' delimiter", "neither JSON nor YAML"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/properties_rt_association.yaml", 40,
     "condition CreateAuxiliaryNetworks is not defined in Conditions", "unresolved condition dependency"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/resources/iam/iam_policy.yaml", 39,
     "condition cCondition is not defined in Conditions", "unresolved condition dependency"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/resources/primary_identifiers.yaml", 155,
     "resource BadType: Type must be a resource type name", "`Type: !Ref AWS::Region`"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/bad/template.yaml", 12,
     "invalid YAML: while parsing a block mapping; did not find expected key", "not YAML"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/good/functions/sub.yaml", 41,
     "nested stack mySubStack: template String not found", "TemplateURL `String` is not an S3 URL, nor a file to package"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/good/resources/cloudformation/sam_stacks.yaml", 59,
     "serverless application AppInvalidPath: template ./nonexistent_template.yaml not found",
     "Location is not an S3 URL, and there is no such file to package"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/good/resources/cloudformation/stacks.yaml", 29,
     "nested stack StackInvalidPath: template ./invalid_stack.yaml not found",
     "TemplateURL is not an S3 URL, and there is no such file to package"),
    ("aws-cloudformation__cfn-lint/test/fixtures/templates/good/resources/properties/templated_code_sam.yaml", 3,
     "serverless application Function: template path/ not found", "Location `path/` is a folder, not a template"),
    ("bridgecrewio__checkov/tests/cloudformation/checks/resource/aws/example_IAMStarActionPolicyDocument/cfn_bad_iam_pass.yaml", 10,
     "condition cCondition is not defined in Conditions", "unresolved condition dependency"),
    ("bridgecrewio__checkov/tests/cloudformation/parser/cfn_bad_iam.yaml", 29,
     "condition cCondition is not defined in Conditions", "unresolved condition dependency"),
    ("bridgecrewio__checkov/tests/cloudformation/parser/success_triple_quotes_string.json", 17,
     "invalid JSON: Expecting ',' delimiter", "a triple-quoted string: neither JSON nor YAML"),
    ("bridgecrewio__checkov/tests/cloudformation/runner/resources/invalid.json", 145,
     "invalid JSON: Expecting ',' delimiter", "unbalanced brackets"),
    ("bridgecrewio__checkov/tests/cloudformation/runner/resources/invalid_properties.json", 5,
     "resource InvalidProperties: Properties is not a mapping", "Properties is a string"),
    ("bridgecrewio__checkov/tests/cloudformation/runner/resources/invalid_properties.yaml", 4,
     "resource InvalidProperties: Properties is not a mapping", "Properties is a string"),
    ("bridgecrewio__checkov/tests/cloudformation/runner/resources/tags.yaml", 49,
     "condition CreateVpc is not defined in Conditions", "unresolved condition dependency"),
    ("bridgecrewio__checkov/tests/cloudformation/runner/resources/tags.yaml", 51,
     "condition CreatePrivateSubnet is not defined in Conditions", "unresolved condition dependency"),
]


def test_cloudformation_corpus_errors_and_no_findings() -> None:
    found, result = _scan(CORPUS / "cloudformation")
    assert found == set()  # KMS-INDEX.md: every key of corpus/cloudformation is single-Region
    assert [(e.path, e.line, e.message) for e in result.errors] == [e[:3] for e in CLOUDFORMATION_ERRORS]
    assert result.resources == 26  # the AWS::KMS::Key and ReplicaKey resources KMS001 read
