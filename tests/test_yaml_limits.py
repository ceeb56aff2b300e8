"""The YAML loader's limit on alias expansion: an alias bomb ("billion laughs") is one load
error at its first alias, found before anything walks the data; ordinary anchors, merge
keys and recursive aliases load as before, and the other files of a scan are still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.cli import main
from linter.parsers.yamljson import MAX_ALIAS_VALUES, LoadError, load_yaml

MESSAGE = "YAML aliases expand to more than 1,000,000 values (an alias bomb?)"


def bomb(levels: int = 9) -> str:
    """Each level a list of nine aliases of the one before: 9**9 strings under `Description`."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Metadata:", '  l0: &l0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    lines += ["Resources:", "  Key:", "    Type: AWS::KMS::Key", "    Properties:",
              f"      Description: *l{levels}", "      MultiRegion: true"]
    return "\n".join(lines) + "\n"


def repeated(times: int) -> str:
    """An anchored list of 999 numbers (1,000 values with the list) aliased `times` times."""
    numbers = ", ".join(["1"] * 999)
    return f"a: &a [{numbers}]\nb: [" + ", ".join(["*a"] * times) + "]\n"


def test_alias_bomb_is_one_error_at_the_first_alias() -> None:
    with pytest.raises(LoadError) as caught:
        load_yaml(bomb())
    assert (caught.value.message, caught.value.line, caught.value.column) == (MESSAGE, 4, 12)


def test_limit_counts_the_values_aliases_add() -> None:
    assert MAX_ALIAS_VALUES == 1_000_000
    assert len(load_yaml(repeated(1000)).data["b"]) == 1000  # adds exactly 1,000,000
    with pytest.raises(LoadError, match="an alias bomb"):
        load_yaml(repeated(1001))


def test_anchors_merge_keys_and_recursive_aliases_still_load() -> None:
    merged = load_yaml("base: &base {a: 1, b: 2}\nkey:\n  <<: *base\n  b: 3\n").data
    assert merged["key"] == {"a": 1, "b": 3}
    recursive = load_yaml("a: &a [1, *a]\n").data["a"]
    assert recursive[1] is recursive


def test_cli_reports_the_bomb_and_checks_the_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "bomb.yaml").write_text(bomb(), encoding="utf-8")
    (tmp_path / "good.yaml").write_text(
        "Resources:\n  fail_key:\n    Type: AWS::KMS::Key\n    Properties:\n      MultiRegion: true\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--no-color", "--no-cache", "."])
    assert code == 2
    assert capsys.readouterr().out == (
        "good.yaml:5:1: KMS001 [high] fail_key is a multi-Region key (MultiRegion = true)\n"
        "    good.yaml:5: MultiRegion: true\n"
        f"bomb.yaml:4:12: error: {MESSAGE}\n"
        "2 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 1 errors, 0 warnings\n"
    )
