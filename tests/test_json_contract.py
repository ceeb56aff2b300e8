"""The JSON report (schema_version 1) is a contract that other tools read (its definition:
../shared/cases/README.md). The whole report for fixtures/contract is compared with a
checked-in copy, and every field's type is checked, so a change to the format is a
deliberate act that shows up in review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.cli import main

CONTRACT = Path(__file__).resolve().parent.parent / "fixtures" / "contract"


def _report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict]:  # type: ignore[type-arg]
    monkeypatch.chdir(CONTRACT)
    code = main(["check", "--format", "json", "."])
    return code, json.loads(capsys.readouterr().out)


def test_report_is_exactly_the_recorded_one(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, report = _report(capsys, monkeypatch)
    assert code == 2  # broken.tf cannot be parsed; the other files are still checked
    assert report == json.loads((CONTRACT / "expected.json").read_text())


def test_field_types(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, report = _report(capsys, monkeypatch)
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "iaclint", "version": report["tool"]["version"]}
    for finding in report["findings"]:
        assert set(finding) >= {"policy_id", "status", "severity", "message", "resource", "location", "evidence", "suppression"}
        assert finding["status"] in ("fail", "unknown", "suppressed")
        assert set(finding["resource"]) >= {"address", "type", "source_format"}
        location = finding["location"]
        assert all(isinstance(location[k], int) for k in ("line", "end_line", "attribute_line"))
        assert not Path(location["path"]).is_absolute() and "\\" not in location["path"]
        for step in finding["evidence"]:
            assert set(step) == {"path", "line", "note"}
    for diagnostic in report["errors"] + report["warnings"]:
        assert {"path", "line", "message"} <= set(diagnostic)
    assert set(report["summary"]) == {"files_scanned", "resources", "fail", "unknown", "suppressed", "errors"}
