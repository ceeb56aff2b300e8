"""Suppressions: the inline comment (HCL and YAML), the CloudFormation Metadata form and
configured exceptions; expiry; and the suppression linter.

Each folder of fixtures/suppressions states its findings inline, as fixtures/kms001 does
(a sidecar `*.expect` where a line cannot carry a marker), and has a golden text report,
warnings and exit code included (tests/golden/suppressions/<folder>.txt). The fixtures'
dates are 2020 (expired) and 2099 (not yet), so the real date does not matter.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from sample_results import assert_golden
from test_fixtures import expectations

from linter.cli import main
from linter.engine import ScanOptions, scan
from linter.model import Location, Resource, SourceFormat, Status
from linter.suppressions import _Malformed, metadata_rules, parse_comment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "suppressions"
FOLDERS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
HERE = Location("main.tf", 3)


def _check(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           *args: str) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    monkeypatch.chdir(folder)
    report = tmp_path / "report.json"
    code = main(["check", "--no-color", "--format", "text", "--format", f"json={report}", *args])
    return code, capsys.readouterr().out, json.loads(report.read_text())


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_findings_match_the_markers(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, report = _check(folder, tmp_path, capsys, monkeypatch)
    got = {(f["policy_id"], f["resource"]["address"], f["location"]["path"], f["location"]["line"], f["status"])
           for f in report["findings"]}
    assert report["errors"] == []
    assert got == expectations(folder)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_text_report_golden(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _check(folder, tmp_path, capsys, monkeypatch)
    assert_golden(f"suppressions/{folder.name}.txt", out + f"[exit {code}]\n")


def test_suppressed_findings_carry_reason_until_and_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, report = _check(FIXTURES / "config-exceptions", tmp_path, capsys, monkeypatch)
    suppressions = {f["resource"]["address"]: f["suppression"] for f in report["findings"] if f["status"] == "suppressed"}
    assert suppressions == {
        "aws_kms_key.old": {"reason": "legacy stack, retired with the 2099 migration", "until": None, "kind": "config"},
        'aws_kms_key.regional["eu"]': {"reason": "brackets and quotes in an address are literal", "until": None, "kind": "config"},
        "module.dr.aws_kms_key.this": {"reason": "DR copy of the primary key, approved in SEC-7", "until": "2099-12-31",
                                       "kind": "config"},
    }
    _, _, report = _check(FIXTURES / "yaml-placements", tmp_path, capsys, monkeypatch)
    kinds = {f["resource"]["address"]: f["suppression"] for f in report["findings"] if f["suppression"]}
    assert kinds["SuppressedAttribute"] == {"reason": "on the attribute line", "until": "2099-12-31", "kind": "inline"}


def test_metadata_suppression_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, report = _check(FIXTURES / "metadata", tmp_path, capsys, monkeypatch)
    [suppressed] = [f for f in report["findings"] if f["status"] == "suppressed"]
    assert suppressed["suppression"] == {"reason": "global key for the DR Region", "until": "2099-12-31", "kind": "metadata"}


@pytest.mark.parametrize(("today", "status", "warnings"), [
    (datetime.date(2099, 12, 31), Status.SUPPRESSED, []),  # `until` is the last day it applies
    (datetime.date(2100, 1, 1), Status.FAIL,
     ["main.tf:6: suppression of KMS001 expired on 2099-12-31, so it no longer applies (reason: DR key, reviewed yearly)"]),
])
def test_expiry_is_inclusive(today: datetime.date, status: Status, warnings: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FIXTURES / "expiry"
    monkeypatch.chdir(folder)
    result = scan(ScanOptions(targets=(".",), cwd=folder, today=today))
    by_address = {f.resource.address: f.status for f in result.findings}
    assert by_address["aws_kms_key.suppressed_until_2099"] is status
    assert [f"{w.path}:{w.line}: {w.message}" for w in result.warnings if w.line == 6] == warnings


def test_strict_turns_suppression_problems_into_failing_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(
        '# iaclint:ignore KMS001 reason="stale"\nresource "aws_kms_key" "single" {\n  multi_region = false\n}\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-color", "."]) == 0
    assert capsys.readouterr().out == (
        "main.tf:1: warning: suppression of KMS001 matches no finding; remove it\n"
        "1 files, 1 resources checked: 0 failed, 0 unknown, 0 suppressed, 0 errors, 1 warnings\n"
    )
    assert main(["check", "--no-color", "--strict", "."]) == 1  # a lint failure, not an unreadable input (2)
    assert capsys.readouterr().out == (
        "main.tf:1: error: suppression of KMS001 matches no finding; remove it\n"
        "1 files, 1 resources checked: 0 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings\n"
    )


def test_suppression_of_a_policy_not_run_is_not_unused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(
        '# iaclint:ignore KMS001 reason="reviewed"\nresource "aws_kms_key" "k" {\n  multi_region = true\n}\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-color", "--ignore", "KMS001", "."]) == 0
    assert capsys.readouterr().out == "1 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings\n"


def test_a_suppressed_finding_never_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_kms_key" "k" {\n  multi_region = true # iaclint:ignore KMS001 reason="DR" until=2099-01-01\n}\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-color", "--strict", "."]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "    suppressed: DR", "1 files, 1 resources checked: 0 failed, 0 unknown, 1 suppressed, 0 errors, 0 warnings"]


# --- the inline grammar ----------------------------------------------------------------


@pytest.mark.parametrize(("line", "rules"), [
    ('multi_region = true # iaclint:ignore KMS001 reason="DR replica for eu-central-1" until=2027-06-30',
     [("KMS001", "DR replica for eu-central-1", datetime.date(2027, 6, 30))]),
    ('  # iaclint:ignore KMS001 reason="a \\"quoted\\" word, a \\\\ backslash"',
     [("KMS001", 'a "quoted" word, a \\ backslash', None)]),
    ('// iaclint:ignore KMS001,kms-multi-region-key reason="two names"',
     [("KMS001", "two names", None), ("kms-multi-region-key", "two names", None)]),
    ('x = 1 /* iaclint:ignore KMS001 reason="block" until="2027-06-30" */ # other comment',
     [("KMS001", "block", datetime.date(2027, 6, 30))]),
    ('#iaclint:ignore KMS001   reason="spaces"  ', [("KMS001", "spaces", None)]),
    ("Key:  # iaclint:ignore KMS001", [("KMS001", "", None)]),  # parsed; the linter says it has no reason
    ("# see iaclint: the docs", None),  # a comment must start with iaclint: to be one
    ('description = "no comment here"', None),
])
def test_inline_grammar(line: str, rules: list[tuple[str, str, datetime.date | None]] | None) -> None:
    parsed = parse_comment(line, HERE)
    assert (None if parsed is None else [(r.written, r.reason, r.until) for r in parsed]) == rules


@pytest.mark.parametrize(("line", "problem"), [
    ("# iaclint:ignore", "no policy named after iaclint:ignore"),
    ('# iaclint:ignore reason="x"', "no policy named after iaclint:ignore"),
    ("# iaclint:ignore KMS001 reason=approved", "reason= must be in double quotes"),
    ('# iaclint:ignore KMS001 reason="unterminated', "cannot read 'reason=\"unterminated'"),
    ('# iaclint:ignore KMS001 reason="x" until=30/06/2027', "until=30/06/2027 is not a date (YYYY-MM-DD)"),
    ('# iaclint:ignore KMS001 reason="x" until=2027-02-30', "until=2027-02-30 is not a date (YYYY-MM-DD)"),
    ('# iaclint:ignore KMS001 reason="x" reason="y"', "reason= given twice"),
    ('# iaclint:ignore KMS001 reason="x" ticket=SEC-1', "unknown option ticket= (reason= and until= are known)"),
    ('# iaclint:ignore KMS001 reason="x" trailing words', "cannot read 'trailing words'"),
    ('# iaclint:disable KMS001 reason="x"', "unknown directive iaclint:disable"),
    ('# iaclint:ignored KMS001 reason="x"', "unknown directive iaclint:ignored"),
    ('# iaclint: ignore KMS001 reason="x"', "expected ignore right after iaclint:"),
    ("# iaclint:", "expected ignore right after iaclint:"),
])
def test_malformed_inline(line: str, problem: str) -> None:
    with pytest.raises(_Malformed) as raised:
        parse_comment(line, HERE)
    assert str(raised.value) == problem


# --- the Metadata form -----------------------------------------------------------------


def _resource(metadata: dict[str, object]) -> Resource:
    return Resource("Key", "AWS::KMS::Key", SourceFormat.CLOUDFORMATION, Location("t.yaml", 4), metadata=metadata)


def test_metadata_rules() -> None:
    rules, problems = metadata_rules(_resource({"iaclint": {"ignore": [
        {"id": "KMS001", "reason": "DR", "until": datetime.date(2027, 6, 30)},  # a YAML date
        {"id": "KMS001", "reason": "DR", "until": "2027-06-30"},
    ]}, "aws:cdk:path": "Stack/Key/Resource"}))
    assert problems == []
    assert [(r.written, r.reason, r.until, r.kind, r.location) for r in rules] == [
        ("KMS001", "DR", datetime.date(2027, 6, 30), "metadata", Location("t.yaml", 4))] * 2
    assert metadata_rules(_resource({"aws:cdk:path": "Stack/Key/Resource"})) == ([], [])


@pytest.mark.parametrize(("metadata", "message"), [
    ({"iaclint": [{"id": "KMS001"}]}, "malformed suppression in the Metadata of Key: expected iaclint: {ignore: [{id, reason, until}]}"),
    ({"iaclint": {"ignore": [], "skip": []}}, "malformed suppression in the Metadata of Key: expected iaclint: {ignore: [{id, reason, until}]}"),
    ({"iaclint": {"ignore": ["KMS001"]}}, "malformed suppression in the Metadata of Key (ignore[0]): expected {id, reason, until}"),
    ({"iaclint": {"ignore": [{"id": "KMS001", "reason": "x", "by": "me"}]}},
     "malformed suppression in the Metadata of Key (ignore[0]): unknown key by (id, reason and until are known)"),
    ({"iaclint": {"ignore": [{"reason": "x"}]}}, "malformed suppression in the Metadata of Key (ignore[0]): id must name a policy"),
    ({"iaclint": {"ignore": [{"id": "KMS001", "reason": 7}]}},
     "malformed suppression in the Metadata of Key (ignore[0]): reason must be a string"),
    ({"iaclint": {"ignore": [{"id": "KMS001", "reason": "x", "until": "soon"}]}},
     "malformed suppression in the Metadata of Key (ignore[0]): until=soon is not a date (YYYY-MM-DD)"),
])
def test_malformed_metadata(metadata: dict[str, object], message: str) -> None:
    rules, problems = metadata_rules(_resource(metadata))
    assert rules == []
    assert [(p.path, p.line, p.message, p.kind) for p in problems] == [("t.yaml", 4, message, "suppression")]
