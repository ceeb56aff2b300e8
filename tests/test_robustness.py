"""Inputs and environments that must never end in a traceback: each is an error entry for
its file (path and line, the other inputs still checked, exit 2) or a one-line
`iaclint: ...` message (exit 2). Also what must not be skipped silently: a plan in UTF-16
without a byte-order mark."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from linter.cli import main

ROOT = Path(__file__).resolve().parent.parent
IACLINT = Path(sys.executable).parent / "iaclint"
KEY_TF = 'resource "aws_kms_key" "fail_k" {\n  multi_region = true\n}\n'
FAIL_LINES = [
    "main.tf:2:3: KMS001 [high] aws_kms_key.fail_k is a multi-Region key (multi_region = true)",
    "    main.tf:2: multi_region = true",
]
not_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads chmod 000 files")


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["check", "--no-color", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def _deny(monkeypatch: pytest.MonkeyPatch, function: str, denied: Path) -> None:
    """Make os.<function> fail on `denied` as it does, for a user who is not root, below a
    directory without search permission."""
    real = getattr(os, function)

    def fake(path: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(path, (str, os.PathLike)) and Path(os.fspath(path)).absolute() == denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, function, fake)


# --- parsers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [129, 600, 5000])
def test_deeply_nested_terraform_json_is_an_error_for_that_file(depth: int, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep/main.tf.json").write_text("[" * depth + "]" * depth)
    (tmp_path / "main.tf").write_text(KEY_TF)
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, ".") == (2, [
        *FAIL_LINES,
        "deep/main.tf.json:1:129: error: invalid JSON: nested too deeply (more than 128 levels)",
        "2 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings",
    ], "")


def test_terraform_json_at_the_nesting_limit_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf.json").write_text('{"locals": {"a": ' + "[" * 126 + "]" * 126 + "}}")
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, ".") == (
        0, ["1 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings"], "")


PLAN = ('{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "aws_kms_key.k",'
        ' "mode": "managed", "type": "aws_kms_key", "name": "k", "values": {"multi_region": true}}]}}}\n')


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "utf-16", "utf-32-le"])
def test_a_plan_in_any_json_encoding_is_read(encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plan.json").write_bytes(PLAN.encode(encoding))  # no BOM but for "utf-16"
    monkeypatch.chdir(tmp_path)
    code, out, err = _check(capsys, ".")
    assert (code, out[0], out[-1], err) == (
        1, "plan.json:1:171: KMS001 [high] aws_kms_key.k is a multi-Region key (multi_region = true)",
        "1 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings", "")


# --- CloudFormation parameters -----------------------------------------------------------------


def test_a_param_outside_one_templates_allowed_values_is_an_error_for_that_template(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(
        "Parameters:\n  Stage:\n    Type: String\n    AllowedValues: [dev, prod]\nResources:\n  Key:\n"
        "    Type: AWS::KMS::Key\n    Properties:\n      MultiRegion: true\n")
    (tmp_path / "b.yaml").write_text(
        "Parameters:\n  Stage:\n    Type: String\nResources:\n  Key:\n    Type: AWS::KMS::Key\n"
        "    Properties:\n      MultiRegion: true\n")
    (tmp_path / "p.json").write_text('[{"ParameterKey": "Stage", "ParameterValue": "test"}]')
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, "--quiet", "--param", "Stage=test", ".") == (2, [
        "b.yaml:8:1: KMS001 [high] Key is a multi-Region key (MultiRegion = true)",
        "    b.yaml:8: MultiRegion: true",
        "a.yaml:2: error: parameter Stage: 'test' is not one of its AllowedValues ['dev', 'prod']",
        "2 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings",
    ], "")
    code, out, _ = _check(capsys, "--quiet", "--param-file", "p.json", "a.yaml")
    assert (code, out[0]) == (
        2, "a.yaml:2: error: parameter Stage: 'test' is not one of its AllowedValues ['dev', 'prod'] (a.yaml; given in p.json:1)")


def test_a_param_outside_a_cdk_stacks_allowed_values_is_an_error_for_that_assembly(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "fixtures/cdk/asset-fallback")
    assert _check(capsys, "--param", "ReplicateKeys=maybe", ".") == (2, [
        "cdk.out/App.template.json:3: error: parameter ReplicateKeys: 'maybe' is not one of its AllowedValues ['true', 'false']",
        "1 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings",
    ], "")


# --- unreadable inputs -------------------------------------------------------------------------


def test_a_named_file_that_cannot_be_looked_at_is_an_error_and_the_rest_is_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked/main.tf").write_text(KEY_TF)
    (tmp_path / "main.tf").write_text(KEY_TF)
    monkeypatch.chdir(tmp_path)
    _deny(monkeypatch, "stat", tmp_path / "locked/main.tf")
    assert _check(capsys, "locked/main.tf", "main.tf") == (2, [
        *FAIL_LINES,
        "locked/main.tf:0: error: cannot read: Permission denied",
        "1 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings",
    ], "")


@not_root
def test_a_named_file_below_a_chmod_000_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked/main.tf").write_text(KEY_TF)
    (tmp_path / "locked").chmod(0)
    monkeypatch.chdir(tmp_path)
    try:
        assert _check(capsys, "locked/main.tf") == (2, [
            "locked/main.tf:0: error: cannot read: Permission denied",
            "0 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings",
        ], "")
        assert _check(capsys, "--var-file", "locked/x.tfvars", ".") == (
            2, [], "iaclint: error: --var-file locked/x.tfvars: cannot read: Permission denied\n")
    finally:
        (tmp_path / "locked").chmod(0o755)


@not_root
def test_a_chmod_000_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(KEY_TF)
    (tmp_path / "main.tf").chmod(0)
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, "main.tf") == (2, [
        "main.tf:0: error: cannot read file: Permission denied",
        "1 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings",
    ], "")


def test_an_option_file_that_cannot_be_looked_at_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _deny(monkeypatch, "stat", tmp_path / "locked/x.tfvars")
    assert _check(capsys, "--var-file", "locked/x.tfvars", ".") == (
        2, [], "iaclint: error: --var-file locked/x.tfvars: cannot read: Permission denied\n")
    _deny(monkeypatch, "stat", tmp_path / "locked/iaclint.toml")
    assert _check(capsys, "--config", "locked/iaclint.toml", ".") == (
        2, [], "iaclint: error: --config locked/iaclint.toml: cannot read: Permission denied\n")


# --- output ------------------------------------------------------------------------------------


class _FullDevice(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")


@pytest.mark.parametrize(("args", "what"), [
    (["check", "--no-cache", "."], "the report"),
    (["check", "--show-config"], "the report"),
    (["baseline", "--no-cache", "--output", "baseline.json", "."], "the summary"),
    (["policies"], "the policy list"),
    (["explain", "KMS001"], "the documentation"),
])
def test_output_that_cannot_be_written_is_one_line(args: list[str], what: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(KEY_TF)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", _FullDevice())
    assert main(args) == 2
    assert capsys.readouterr().err == f"iaclint: error: cannot write {what}: No space left on device\n"


@pytest.mark.skipif(not Path("/dev/full").exists() or not IACLINT.exists(), reason="no /dev/full or iaclint script")
@pytest.mark.parametrize("report", ["text", "json"])
def test_a_report_to_a_full_device(report: str) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(IACLINT), "check", "--no-cache", "--format", report, "fixtures/demo"],
                              stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert (done.returncode, done.stderr) == (2, "iaclint: error: cannot write the report: No space left on device\n")


# --- the last resort ---------------------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_never_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(options: object) -> None:
        raise KeyError("a defect\nover two lines")

    monkeypatch.setattr("linter.engine.scan", broken)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 2
    assert capsys.readouterr() == ("", "iaclint: internal error: KeyError: 'a defect\\nover two lines' (please report this)\n")
