"""The SARIF reporter: schema-valid, the golden file, and GitHub code scanning's rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sample_results import assert_golden, clean_result, sample_result

from linter.model import Finding, Location, Resource, ScanResult, Severity, SourceFormat, Status, Suppression
from linter.reporters import RENDERERS, sarif

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = (
    ROOT / "fixtures" / "schemas" / "sarif-schema-2.1.0.json",
    ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json",
)


def _log(result: ScanResult | None = None, **options: object) -> dict:
    return json.loads(sarif.render(result or sample_result(), **options))


def _run(result: ScanResult | None = None, **options: object) -> dict:
    return _log(result, **options)["runs"][0]


def _all_physical_locations(run: dict) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "physicalLocation" in node:
                found.append(node["physicalLocation"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(run)
    return found


@pytest.mark.parametrize("result", [sample_result(), sample_result(strict=True), clean_result()], ids=["sample", "strict", "clean"])
def test_valid_against_the_sarif_schema(result: ScanResult) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = next((path for path in SCHEMAS if path.is_file()), None)
    if schema_path is None:
        pytest.skip("the SARIF 2.1.0 schema is not available")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(_log(result, root_uri="file:///home/runner/work/repo"))


def test_golden() -> None:
    assert_golden("report.sarif", sarif.render(sample_result()))


def test_registered() -> None:
    assert RENDERERS["sarif"] is sarif.render


def test_driver_and_rules() -> None:
    driver = _run()["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("iaclint", "0.1.0")
    assert driver["informationUri"].startswith("https://")
    [rule] = driver["rules"]
    assert rule["id"] == "KMS001" and rule["name"] == "KmsMultiRegionKey"
    assert rule["shortDescription"]["text"] == "KMS keys must be single-Region"
    assert rule["fullDescription"]["text"].startswith("Terraform `aws_kms_key`")
    assert "## How to fix" in rule["help"]["markdown"] and rule["help"]["text"]
    assert rule["helpUri"].startswith("https://")
    assert rule["properties"]["security-severity"] == "8.0"
    assert "security" in rule["properties"]["tags"] and "kms" in rule["properties"]["tags"]
    assert rule["defaultConfiguration"]["level"] == "error"


@pytest.mark.parametrize(("severity", "score"), [(Severity.LOW, "3.0"), (Severity.MEDIUM, "5.5"), (Severity.HIGH, "8.0"), (Severity.CRITICAL, "9.5")])
def test_security_severity_is_a_string_number(severity: Severity, score: str) -> None:
    finding = _finding(Location("a.tf", 1), severity=severity, code="XYZ009")
    rules = _run(_result_of(finding), policies=())["tool"]["driver"]["rules"]
    assert rules == [{
        "id": "XYZ009", "name": "SomeSlug", "shortDescription": {"text": "some-slug"},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "iac", "xyz"], "security-severity": score, "severity": severity.value},
    }]


def test_results_levels_and_rule_index() -> None:
    run = _run()
    levels = [(r["properties"]["resourceAddress"], r["level"]) for r in run["results"]]
    assert levels == [
        ("module.keys.aws_kms_key.this", "error"),
        ("aws_kms_key.cli", "error"),
        ("aws_kms_replica_key.dr", "error"),  # suppressed fail keeps its level
        ("DataKey", "warning"),
        ("SharedKey", "warning"),  # suppressed unknown keeps its level
        ("DataKeyC2A4B1F0", "error"),
    ]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert [r["level"] for r in _run(sample_result(strict=True))["results"]][3] == "error"


def test_every_uri_is_relative_to_srcroot_and_every_line_positive() -> None:
    locations = _all_physical_locations(_run())
    assert locations
    for physical in locations:
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"] and not urlsplit(artifact["uri"]).scheme and not artifact["uri"].startswith("/")
        for key in ("region", "contextRegion"):
            if key in physical:
                region = physical[key]
                assert region["startLine"] >= 1 and region["startColumn"] >= 1
                assert region["endLine"] >= region["startLine"]


def test_primary_region_is_the_attribute_and_context_the_block() -> None:
    physical = _run()["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "terraform/modules/key/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 3, "endLine": 3, "endColumn": 34},
        "contextRegion": {"startLine": 1, "startColumn": 1, "endLine": 5, "endColumn": 2},
    }


def test_evidence_becomes_related_locations_and_one_code_flow() -> None:
    result = _run()["results"][0]
    related = [(r["id"], r["physicalLocation"]["artifactLocation"]["uri"], r["message"]["text"]) for r in result["relatedLocations"]]
    assert related == [
        (1, "terraform/main.tf", 'module "keys" (replicate = true)'),
        (2, "terraform/modules/key/main.tf", "multi_region = var.replicate"),
    ]
    [flow] = result["codeFlows"]
    [thread] = flow["threadFlows"]
    assert [step["location"]["message"]["text"] for step in thread["locations"]] == [text for _, _, text in related]


def test_a_single_step_is_a_related_location_without_a_code_flow() -> None:
    result = _run()["results"][5]
    assert len(result["relatedLocations"]) == 1 and "codeFlows" not in result


def test_command_line_steps_are_told_in_the_message_not_located() -> None:
    result = _run()["results"][1]
    assert result["message"]["text"].endswith("(from <command line>: --var multi=true)")
    uris = [r["physicalLocation"]["artifactLocation"]["uri"] for r in result["relatedLocations"]]
    assert uris == ["terraform/main.tf"]


def test_suppressions_in_source_and_external() -> None:
    results = _run()["results"]
    assert results[2]["suppressions"] == [{
        "kind": "inSource", "status": "accepted", "justification": "DR replica in eu-west-1, approved by security (SEC-123)",
        "location": {"physicalLocation": {"artifactLocation": {"uri": "terraform/main.tf", "uriBaseId": "%SRCROOT%"},
                                          "region": {"startLine": 16, "startColumn": 1, "endLine": 16}}},
        "properties": {"until": "2030-01-01"},
    }]
    assert results[4]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "shared key, reviewed in the platform exceptions list"}
    ]
    assert all("suppressions" not in r for i, r in enumerate(results) if i not in (2, 4))


def test_config_file_exception_is_external() -> None:
    finding = _finding(Location("a.tf", 1), suppression=Suppression("ok", Location(".iaclint.toml", 4)))
    [result] = _run(_result_of(finding))["results"]
    assert result["suppressions"][0]["kind"] == "external"


def test_result_properties_carry_the_construct_path() -> None:
    assert _run()["results"][5]["properties"] == {
        "resourceAddress": "DataKeyC2A4B1F0", "resourceType": "AWS::KMS::Key", "sourceFormat": "cdk",
        "status": "fail", "severity": "high", "constructPath": "Crypto/Storage/DataKey/Resource",
    }


def test_fingerprints_stable_when_lines_move() -> None:
    def prints(result: ScanResult) -> list[str]:
        return [r["partialFingerprints"]["iaclintFingerprint/v1"] for r in _run(result)["results"]]

    before, after = prints(sample_result()), prints(sample_result(shift=7))
    assert before == after
    assert len(set(before)) == len(before)
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in before)
    assert _run(sample_result(shift=7))["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 10


def test_parse_errors_and_warnings_are_notifications() -> None:
    [invocation] = _run()["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "unexpected '}', expected: an argument\nname = value"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "terraform/broken.tf", "uriBaseId": "%SRCROOT%"},
                                             "region": {"startLine": 3, "startColumn": 5, "endLine": 3}}}]},
        {"level": "warning", "message": {"text": "unused suppression of KMS001: 100% clean, remove it"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "cloudformation/keys.yaml", "uriBaseId": "%SRCROOT%"},
                                             "region": {"startLine": 20, "startColumn": 1, "endLine": 20}}}]},
    ]
    assert _run(clean_result())["invocations"] == [{"executionSuccessful": True}]


def test_original_uri_base_ids_only_with_root_uri() -> None:
    assert "originalUriBaseIds" not in _run()
    assert _run(root_uri="file:///home/runner/work/repo")["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": "file:///home/runner/work/repo/"}
    }


@pytest.mark.parametrize(("path", "expected"), [
    ("main.tf", {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}),
    ("dir with space/a#b%.tf", {"uri": "dir%20with%20space/a%23b%25.tf", "uriBaseId": "%SRCROOT%"}),
    ("c:odd/main.tf", {"uri": "c%3Aodd/main.tf", "uriBaseId": "%SRCROOT%"}),
    ("../outside/main.tf", {"uri": "../outside/main.tf", "uriBaseId": "%SRCROOT%"}),
    ("/abs/main.tf", {"uri": "file:///abs/main.tf"}),
    ("C:/work/main.tf", {"uri": "file:///C:/work/main.tf"}),
])
def test_artifact_locations_are_valid_uri_references(path: str, expected: dict) -> None:
    assert sarif.artifact_location(path) == expected


def test_locations_without_a_line_have_no_region() -> None:
    finding = _finding(Location("plan.json", 0), attribute=None)
    [result] = _run(_result_of(finding))["results"]
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "plan.json", "uriBaseId": "%SRCROOT%"}}}]


def _finding(location: Location, severity: Severity = Severity.HIGH, code: str = "KMS001",
             suppression: Suppression | None = None, attribute: Location | None = None) -> Finding:
    resource = Resource("aws_kms_key.k", "aws_kms_key", SourceFormat.TERRAFORM, location)
    status = Status.SUPPRESSED if suppression else Status.FAIL
    return Finding(code, "some-slug", severity, status, "k is multi-Region", resource, attribute, (), suppression)


def _result_of(finding: Finding) -> ScanResult:
    return ScanResult((finding,), (), (), (), 1, 1, "0.1.0")
