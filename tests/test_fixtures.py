"""Every fixture folder under fixtures/kms001 states its expected findings inline: a
trailing `# expect: CODE STATUS [ADDRESS ...]` marker on the first line of the resource
(HCL and YAML), or a sidecar `<file>.expect` with `CODE STATUS ADDRESS PATH LINE` lines
for JSON. One test per folder compares (code, address, path, line, status) exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter.engine import ScanOptions, scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kms001"
MARKER = re.compile(r"#\s*expect:\s*(\S+)\s+(fail|unknown|suppressed)((?:\s+\S+)*)\s*$")
TF_BLOCK = re.compile(r'resource\s+"([^"]+)"\s+"([^"]+)"')
YAML_KEY = re.compile(r"^\s*([A-Za-z0-9]+):")

Expectation = tuple[str, str, str, int, str]


def expectations(folder: Path) -> set[Expectation]:
    expected: set[Expectation] = set()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.name.endswith(".expect"):
            for line in path.read_text().splitlines():
                if line.strip():
                    code, status, address, file, number = line.split()
                    expected.add((code, address, file, int(number), status))
            continue
        if path.suffix not in (".tf", ".yaml", ".yml"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = MARKER.search(line)
            if match is None:
                continue
            code, status, addresses = match.group(1), match.group(2), match.group(3).split()
            if not addresses:
                block = TF_BLOCK.search(line) or YAML_KEY.search(line)
                assert block, f"{rel}:{number}: cannot tell the address of the marker"
                addresses = [".".join(block.groups())]
            for address in addresses:
                expected.add((code, address, rel, number, status))
    return expected


def assert_marked_findings(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scan `folder` as the working directory: no errors, and exactly the marked findings."""
    monkeypatch.chdir(folder)
    result = scan(ScanOptions(targets=(".",), cwd=folder))
    got = {(f.policy_id, f.resource.address, f.resource.location.path, f.resource.location.line, f.status.value)
           for f in result.findings}
    assert result.errors == ()
    assert got == expectations(folder)


@pytest.mark.parametrize("folder", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_fixture_findings(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_marked_findings(folder, monkeypatch)


def test_every_fixture_folder_has_expectations_or_says_clean() -> None:
    for folder in FIXTURES.iterdir():
        if folder.is_dir():
            assert expectations(folder), f"{folder.name} states no expected finding"
