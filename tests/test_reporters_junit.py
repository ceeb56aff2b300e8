"""The JUnit reporter: the golden file, and what a JUnit reader (junitparser) makes of it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped
from sample_results import GOLDEN, assert_golden, clean_result, sample_result

from linter.model import Finding, Location, Resource, ScanResult, Severity, SourceFormat, Status
from linter.reporters import RENDERERS, junit


def _parsed(tmp_path: Path, result: ScanResult) -> JUnitXml:
    path = tmp_path / "report.xml"
    path.write_text(junit.render(result), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def _outcomes(suite) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    rows = []
    for case in suite:
        kind, message = "pass", ""
        for outcome in case.result:
            kind = {Failure: "failure", Skipped: "skipped", Error: "error"}[type(outcome)]
            message = outcome.message
        rows.append((case.classname, case.name, kind, message))
    return rows


def test_golden() -> None:
    assert_golden("report.junit.xml", junit.render(sample_result()))


def test_registered() -> None:
    assert RENDERERS["junit"] is junit.render


def test_suites_cases_and_counts(tmp_path: Path) -> None:
    xml = _parsed(tmp_path, sample_result())
    suites = list(xml)
    assert [s.name for s in suites] == ["KMS001 kms-multi-region-key", "iaclint inputs"]
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (9, 3, 1, 3)
    policy, inputs = suites
    assert (policy.tests, policy.failures, policy.errors, policy.skipped) == (8, 3, 0, 3)
    assert (inputs.tests, inputs.failures, inputs.errors, inputs.skipped) == (1, 0, 1, 0)


def test_each_check_is_a_case_with_its_outcome(tmp_path: Path) -> None:
    policy = list(_parsed(tmp_path, sample_result()))[0]
    assert _outcomes(policy) == [
        ("KMS001", "module.keys.aws_kms_key.this (terraform/modules/key/main.tf)", "failure",
         "module.keys.aws_kms_key.this is a multi-Region key (multi_region = true)"),
        ("KMS001", "aws_kms_key.cli (terraform/main.tf)", "failure", "aws_kms_key.cli is a multi-Region key (multi_region = true)"),
        ("KMS001", "aws_kms_replica_key.dr (terraform/main.tf)", "skipped",
         "suppressed: DR replica in eu-west-1, approved by security (SEC-123)"),
        ("KMS001", "aws_kms_key.single (terraform/main.tf)", "pass", ""),
        ("KMS001", "DataKey (cloudformation/keys.yaml)", "skipped",
         "unknown: DataKey: cannot tell whether it is multi-Region: MultiRegion depends on parameter Replicate, which has no value"),
        ("KMS001", "PlainKey (cloudformation/keys.yaml)", "pass", ""),
        ("KMS001", "SharedKey (cloudformation/keys.yaml)", "skipped", "suppressed: shared key, reviewed in the platform exceptions list"),
        ("KMS001", "DataKeyC2A4B1F0 (cdk.out/Crypto.template.json)", "failure", "DataKeyC2A4B1F0 is a multi-Region key (MultiRegion = true)"),
    ]


def test_failure_carries_type_file_line_and_evidence() -> None:
    root = ET.fromstring(junit.render(sample_result()))
    case = root.find("testsuite/testcase")
    assert case is not None and (case.get("file"), case.get("line")) == ("terraform/modules/key/main.tf", "3")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "KMS001"
    assert failure.text == (
        "KMS001 [high] fail: module.keys.aws_kms_key.this is a multi-Region key (multi_region = true)\n"
        "resource: module.keys.aws_kms_key.this (aws_kms_key, terraform) at terraform/modules/key/main.tf:1\n"
        "evidence:\n"
        '  terraform/main.tf:7: module "keys" (replicate = true)\n'
        "  terraform/modules/key/main.tf:3: multi_region = var.replicate"
    )
    cdk = root.findall("testsuite/testcase")[7].find("failure")
    assert cdk is not None and "construct: Crypto/Storage/DataKey/Resource" in (cdk.text or "")


def test_parse_error_case_and_warnings(tmp_path: Path) -> None:
    inputs = list(_parsed(tmp_path, sample_result()))[1]
    assert _outcomes(inputs) == [("parse", "parse terraform/broken.tf", "error", "unexpected '}', expected: an argument\nname = value")]
    root = ET.fromstring(junit.render(sample_result()))
    assert root.findtext("testsuite[@name='iaclint inputs']/system-err") == (
        "cloudformation/keys.yaml:20: warning: unused suppression of KMS001: 100% clean, remove it"
    )


def test_strict_unknown_is_a_failure(tmp_path: Path) -> None:
    policy = list(_parsed(tmp_path, sample_result(strict=True)))[0]
    assert _outcomes(policy)[4][2:] == (
        "failure", "unknown: DataKey: cannot tell whether it is multi-Region: MultiRegion depends on parameter Replicate, which has no value"
    )
    assert policy.failures == 4 and policy.skipped == 2


def test_clean_result_has_passing_cases_only(tmp_path: Path) -> None:
    xml = _parsed(tmp_path, clean_result())
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (2, 0, 0, 0)
    assert [s.name for s in xml] == ["KMS001 kms-multi-region-key"]


def test_checks_whose_finding_was_filtered_out_are_left_out() -> None:
    full = sample_result()
    kept = ScanResult(full.findings[:1], full.checked, (), (), 6, 8, "0.1.0")
    names = [case.get("name") for case in ET.fromstring(junit.render(kept)).iter("testcase")]
    assert names == [
        "module.keys.aws_kms_key.this (terraform/modules/key/main.tf)",
        "aws_kms_key.single (terraform/main.tf)",
        "PlainKey (cloudformation/keys.yaml)",
    ]


def test_text_xml_cannot_carry_is_replaced() -> None:
    resource = Resource("aws_kms_key.k", "aws_kms_key", SourceFormat.TERRAFORM, Location("a\udcff.tf", 1))
    finding = Finding("KMS001", "kms-multi-region-key", Severity.HIGH, Status.FAIL, "bad \x1b[31mred\x00", resource, None, ())
    output = junit.render(ScanResult((finding,), (), (), (), 1, 1, "0.1.0"))
    output.encode("utf-8")  # no lone surrogate left
    failure = ET.fromstring(output).find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "bad \\u001b[31mred\\u0000"


def test_golden_file_is_well_formed() -> None:
    ET.parse(GOLDEN / "report.junit.xml")
