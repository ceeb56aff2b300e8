"""Discovery: which symbolic links are followed (README, "Symbolic links"), unreadable
directories, and where the callers of a named file are looked for (its own repository,
never the working directory's)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from linter.cli import main
from linter.discovery import discover

KEY_TF = 'resource "aws_kms_key" "fail_k" {\n  multi_region = true\n}\n'
KEY_YAML = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      MultiRegion: true\n"
SUMMARY = "{} files, {} resources checked: {} failed, 0 unknown, 0 suppressed, {} errors, {} warnings\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", "--no-color", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- symbolic links --------------------------------------------------------------------------


def test_a_link_loop_is_a_warning_and_the_rest_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"b/main.tf": 'resource "aws_kms_key" "pass_k" {}\n'})
    (tmp_path / "b/self").symlink_to("self")
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, "b") == (0, "b/self:0: warning: symbolic link loop: not followed\n" + SUMMARY.format(1, 1, 0, 0, 1), "")


def test_a_link_back_up_the_tree_is_followed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"b/stacks/key.yaml": KEY_YAML})
    (tmp_path / "b/stacks/up").symlink_to("..")
    (tmp_path / "b/alias").symlink_to("stacks")
    (tmp_path / "b/again.yaml").symlink_to("stacks/key.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = _check(capsys, "b")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "b/stacks/key.yaml:5:1: KMS001 [high] Key is a multi-Region key (MultiRegion = true)",
        "    b/stacks/key.yaml:5: MultiRegion: true",
        SUMMARY.format(1, 1, 1, 0, 0).rstrip(),
    ]


def test_a_link_outside_the_tree_is_a_warning_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"b/main.tf": 'resource "aws_kms_key" "pass_k" {}\n', "out/stack.yaml": KEY_YAML, "out/README.md": ""})
    (tmp_path / "b/ext").symlink_to("../out")
    (tmp_path / "b/stack.yaml").symlink_to("../out/stack.yaml")
    (tmp_path / "b/README.md").symlink_to("../out/README.md")  # not a file iaclint reads: no word
    monkeypatch.chdir(tmp_path)
    out = (tmp_path / "out").resolve().as_posix()
    assert _check(capsys, "b") == (0, (
        f"b/ext:0: warning: symbolic link to {out}, outside the scanned tree: not followed\n"
        f"b/stack.yaml:0: warning: symbolic link to {out}/stack.yaml, outside the scanned tree: not followed\n"
        + SUMMARY.format(1, 1, 0, 0, 2)), "")


def test_a_terraform_file_linked_into_a_module_is_read_with_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"shared/kms.tf": KEY_TF, "b/live/main.tf": "locals {}\n"})
    (tmp_path / "b/live/kms.tf").symlink_to("../../shared/kms.tf")
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, "b") == (1, (
        "b/live/kms.tf:2:3: KMS001 [high] aws_kms_key.fail_k is a multi-Region key (multi_region = true)\n"
        "    b/live/kms.tf:2: multi_region = true\n" + SUMMARY.format(2, 1, 1, 0, 0)), "")


def test_a_broken_link_is_a_warning_and_a_hidden_one_is_not(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"b/main.tf": 'resource "aws_kms_key" "pass_k" {}\n'})
    (tmp_path / "b/gone.yaml").symlink_to("missing.yaml")
    (tmp_path / "b/.#main.tf").symlink_to("user@host.1234")  # an editor's lock file
    (tmp_path / "b/notes.txt").symlink_to("missing.txt")  # nothing iaclint would read
    monkeypatch.chdir(tmp_path)
    assert _check(capsys, "b") == (
        0, "b/gone.yaml:0: warning: symbolic link to a missing file: not followed\n" + SUMMARY.format(1, 1, 0, 0, 1), "")


# --- unreadable directories ------------------------------------------------------------------


def _deny(monkeypatch: pytest.MonkeyPatch, function: str, denied: Path) -> None:
    """Make os.<function> fail as an unreadable `denied` does for a user who is not root."""
    real = getattr(os, function)

    def fake(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(os.fspath(path)).absolute() == denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, function, fake)


def test_an_unreadable_directory_is_an_error_and_the_rest_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"b/locked/main.tf": KEY_TF, "b/open/main.tf": KEY_TF})
    monkeypatch.chdir(tmp_path)
    _deny(monkeypatch, "scandir", (tmp_path / "b/locked").resolve())
    assert _check(capsys, "b") == (2, (
        "b/open/main.tf:2:3: KMS001 [high] aws_kms_key.fail_k is a multi-Region key (multi_region = true)\n"
        "    b/open/main.tf:2: multi_region = true\n"
        "b/locked:0: error: cannot read directory: Permission denied\n" + SUMMARY.format(1, 1, 1, 1, 0)), "")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a chmod 000 directory")
def test_a_chmod_000_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"b/locked/main.tf": KEY_TF, "b/open/main.tf": 'resource "aws_kms_key" "pass_k" {}\n'})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b/locked").chmod(0)
    try:
        assert _check(capsys, "b") == (
            2, "b/locked:0: error: cannot read directory: Permission denied\n" + SUMMARY.format(1, 1, 0, 1, 0), "")
    finally:
        (tmp_path / "b/locked").chmod(0o755)


# --- the callers of a named file ---------------------------------------------------------------


CALLED = {
    "live/main.tf": 'module "key" {\n  source = "../modules/key"\n}\n',
    "modules/key/main.tf": KEY_TF,
}


def test_callers_are_found_from_the_named_files_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _write(tmp_path / "repo", {".git/HEAD": "ref: refs/heads/main\n", **CALLED})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    found = discover([str(repo / "modules/key/main.tf")], cwd=tmp_path / "elsewhere")
    assert sorted(found.terraform_dirs) == [(repo / "live").resolve(), (repo / "modules/key").resolve()]


def test_a_named_file_outside_a_repository_selects_its_module_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, CALLED)
    walked: list[Path] = []
    real = os.scandir

    def spy(path: Any) -> Any:
        walked.append(Path(os.fspath(path)))
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    monkeypatch.chdir("/")
    found = discover([str(tmp_path / "modules/key/main.tf")], cwd=Path("/"))
    assert sorted(found.terraform_dirs) == [(tmp_path / "modules/key").resolve()]
    assert walked == []  # neither the file system from / nor the file's own parents


def test_what_the_callers_lookup_cannot_read_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository is searched for callers, not scanned: an unreadable directory there
    may hide a caller, which is worth a word, but it is not an input that failed."""
    repo = _write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "locked/x.tf": "", **CALLED})
    monkeypatch.chdir(repo)
    _deny(monkeypatch, "scandir", (repo / "locked").resolve())
    assert _check(capsys, "modules/key/main.tf") == (1, (
        "modules/key/main.tf:2:3: KMS001 [high] module.key.aws_kms_key.fail_k is a multi-Region key (multi_region = true)\n"
        "    live/main.tf:1: module.key (source ../modules/key)\n"
        "    modules/key/main.tf:2: multi_region = true\n"
        "locked:0: warning: cannot read directory: Permission denied\n" + SUMMARY.format(2, 1, 1, 0, 1)), "")
