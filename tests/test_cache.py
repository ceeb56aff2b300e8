"""The syntax cache: a hit gives the same tree, a change of text is a miss, a broken
entry or an unwritable folder costs only speed."""

from __future__ import annotations

from pathlib import Path

from linter.cache import SyntaxCache
from linter.parsers import hcl


def _calls() -> tuple[list[str], object]:
    seen: list[str] = []

    def parse(text: str) -> object:
        seen.append(text)
        return hcl.parse(text)

    return seen, parse


def test_hit_returns_an_equal_tree_without_parsing(tmp_path: Path) -> None:
    cache = SyntaxCache(tmp_path)
    seen, parse = _calls()
    first = cache.get_or_parse("hcl", "a = 1\n", parse)  # type: ignore[arg-type]
    second = cache.get_or_parse("hcl", "a = 1\n", parse)  # type: ignore[arg-type]
    assert seen == ["a = 1\n"]
    assert repr(first) == repr(second) and first is not second


def test_other_text_or_kind_is_a_miss(tmp_path: Path) -> None:
    cache = SyntaxCache(tmp_path)
    seen, parse = _calls()
    cache.get_or_parse("hcl", "a = 1\n", parse)  # type: ignore[arg-type]
    cache.get_or_parse("hcl", "a = 2\n", parse)  # type: ignore[arg-type]
    cache.get_or_parse("tf.json", "a = 2\n", parse)  # type: ignore[arg-type]
    assert seen == ["a = 1\n", "a = 2\n", "a = 2\n"]


def test_broken_entry_is_parsed_again(tmp_path: Path) -> None:
    cache = SyntaxCache(tmp_path)
    seen, parse = _calls()
    cache.get_or_parse("hcl", "a = 1\n", parse)  # type: ignore[arg-type]
    for entry in tmp_path.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not a pickle")
    assert repr(cache.get_or_parse("hcl", "a = 1\n", parse)) == repr(hcl.parse("a = 1\n"))  # type: ignore[arg-type]
    assert len(seen) == 2


def test_unwritable_folder_still_parses(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = SyntaxCache(blocker / "cache")  # a folder under a file cannot be made
    seen, parse = _calls()
    assert repr(cache.get_or_parse("hcl", "a = 1\n", parse)) == repr(hcl.parse("a = 1\n"))  # type: ignore[arg-type]
    assert seen == ["a = 1\n"]
