"""Baselines: `iaclint baseline --output FILE` records the failing and unknown findings by
policy, address and file (not line); `check --baseline FILE` reports them as suppressed,
so they do not fail, while new findings still do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_fixtures import expectations

from linter.cli import main

KEYS = (
    'resource "aws_kms_key" "old" {\n  multi_region = true\n}\n\n'
    'resource "aws_kms_key" "maybe" {\n  multi_region = var.replicate\n}\n\n'
    'variable "replicate" {}\n'
)
BASELINE = {
    "iaclint_baseline": 1,
    "findings": [
        {"policy_id": "KMS001", "address": "aws_kms_key.maybe", "path": "infra/main.tf"},
        {"policy_id": "KMS001", "address": "aws_kms_key.old", "path": "infra/main.tf"},
    ],
}


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/main.tf").write_text(KEYS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_writes_the_failing_and_unknown_findings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--output", "iaclint-baseline.json"]) == 0
    assert capsys.readouterr().out == "iaclint: recorded 2 findings in iaclint-baseline.json\n"
    assert json.loads((repo / "iaclint-baseline.json").read_text()) == BASELINE


def test_baselined_findings_do_not_fail_and_new_ones_do(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--output", "iaclint-baseline.json"]) == 0
    capsys.readouterr()
    # Lines move: the baseline still matches, by policy, address and file.
    (repo / "infra/main.tf").write_text("# a new comment\n\n" + KEYS)
    assert main(["check", "--no-color", "--strict", "--baseline", "iaclint-baseline.json"]) == 0
    assert capsys.readouterr().out == (
        "infra/main.tf:4:3: KMS001 [high] aws_kms_key.old is a multi-Region key (multi_region = true) (suppressed)\n"
        "    infra/main.tf:4: multi_region = true\n"
        "    suppressed: recorded in the baseline iaclint-baseline.json\n"
        "infra/main.tf:8:3: KMS001 [high] aws_kms_key.maybe: cannot tell whether it is multi-Region: multi_region:"
        " var.replicate has no value: no default, no tfvars entry and no --var (suppressed)\n"
        "    infra/main.tf:8: multi_region = var.replicate\n"
        "    infra/main.tf:11: variable \"replicate\" has no default\n"
        "    suppressed: recorded in the baseline iaclint-baseline.json\n"
        "1 files, 2 resources checked: 0 failed, 0 unknown, 2 suppressed, 0 errors, 0 warnings\n"
    )
    (repo / "infra/new.tf").write_text('resource "aws_kms_replica_key" "new" {\n  primary_key_arn = "arn"\n}\n')
    assert main(["check", "--no-color", "--quiet", "--baseline", "iaclint-baseline.json"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "infra/new.tf:1:1: KMS001 [high] aws_kms_replica_key.new is a replica of a multi-Region key"
        " (aws_kms_replica_key is always multi-Region)")


def test_the_suppression_in_json_says_baseline(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["baseline", "--output", "iaclint-baseline.json"])
    capsys.readouterr()
    assert main(["check", "--format", "json", "--baseline", "iaclint-baseline.json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["status"] for f in findings} == {"suppressed"}
    assert findings[0]["suppression"] == {"reason": "recorded in the baseline iaclint-baseline.json", "until": None, "kind": "baseline"}


def test_paths_are_relative_to_the_baseline_file(repo: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "infra")
    (repo / ".iaclint").mkdir()
    assert main(["baseline", "--output", "../.iaclint/baseline.json", "."]) == 0
    rows = json.loads((repo / ".iaclint/baseline.json").read_text())["findings"]
    assert {row["path"] for row in rows} == {"../infra/main.tf"}
    monkeypatch.chdir(repo)  # read from another working directory: the same findings match
    assert main(["check", "--quiet", "--baseline", ".iaclint/baseline.json"]) == 0
    capsys.readouterr()


def test_suppressed_findings_are_not_recorded(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "infra/main.tf").write_text('# iaclint:ignore KMS001 reason="DR"\n' + KEYS)
    assert main(["baseline", "--output", "b.json"]) == 0
    assert capsys.readouterr().out == "iaclint: recorded 1 finding in b.json\n"


@pytest.mark.parametrize(("text", "message"), [
    ("[]", "baseline b.json: not an iaclint baseline (write one with `iaclint baseline --output FILE`)"),
    ('{"iaclint_baseline": 2, "findings": []}', "baseline b.json: not an iaclint baseline (write one with `iaclint baseline --output FILE`)"),
    ('{"iaclint_baseline": 1, "findings": [{"policy_id": "KMS001"}]}',
     "baseline b.json: not an iaclint baseline (write one with `iaclint baseline --output FILE`)"),
    ("{", "baseline b.json: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
])
def test_unreadable_baselines_are_usage_errors(text: str, message: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "b.json").write_text(text)
    assert main(["check", "--baseline", "b.json"]) == 2
    assert capsys.readouterr() == ("", f"iaclint: error: {message}\n")


def test_baseline_needs_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline"]) == 2
    assert capsys.readouterr().err == "iaclint: error: the following arguments are required: --output\n"


def test_baseline_with_an_unreadable_input_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "infra/broken.tf").write_text('resource "aws_kms_key" "b" {\n')
    assert main(["baseline", "--output", "b.json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "iaclint: recorded 2 findings in b.json\n"
    assert captured.err.startswith("infra/broken.tf:")


def test_fixture(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """fixtures/baseline: a recorded finding is suppressed, new ones fail; an entry whose
    finding is gone is simply not used."""
    folder = Path(__file__).resolve().parent.parent / "fixtures" / "baseline"
    monkeypatch.chdir(folder)
    assert main(["check", "--no-color", "--format", "json", "--baseline", "iaclint-baseline.json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    got = {(f["policy_id"], f["resource"]["address"], f["location"]["path"], f["location"]["line"], f["status"])
           for f in findings}
    assert got == expectations(folder)
