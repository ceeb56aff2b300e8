"""Baselines: the findings a repository already has, recorded by policy, resource address
and file (never the line, so edits around them do not matter), so that they no longer fail
while new findings still do. `iaclint baseline --output FILE` writes one and `iaclint check
--baseline FILE` reads it; a recorded finding is reported as suppressed, with the baseline
as its reason. Paths in the file are relative to the file's own directory, so it can be
read from any working directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from linter.model import Finding, Status, Suppression

VERSION = 1
_RECORDED = (Status.FAIL, Status.UNKNOWN)

Entry = tuple[str, str, str]  # (policy, resource address, path relative to the working directory)


class BaselineError(Exception):
    """The file is not a baseline iaclint can read (one line, naming the file)."""


@dataclass(frozen=True)
class Baseline:
    entries: frozenset[Entry]
    shown: str  # the file, as the reason names it

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        suppression = Suppression(f"recorded in the baseline {self.shown}", None, None, "baseline")
        return [
            replace(f, status=Status.SUPPRESSED, suppression=suppression)
            if f.status in _RECORDED and entry(f) in self.entries else f
            for f in findings
        ]


def entry(finding: Finding) -> Entry:
    return (finding.policy_id, finding.resource.address, finding.resource.location.path)


def recorded(findings: Iterable[Finding]) -> list[Entry]:
    """What a baseline records: the failing and unknown findings, once each, sorted."""
    return sorted({entry(f) for f in findings if f.status in _RECORDED})


def render(entries: Iterable[Entry], path: Path, cwd: Path) -> str:
    """The baseline file's text, paths relative to `path`'s directory."""
    here = path.resolve().parent
    rows = [{"policy_id": code, "address": address, "path": _move(where, cwd.resolve(), here)}
            for code, address, where in entries]
    return json.dumps({"iaclint_baseline": VERSION, "findings": rows}, indent=2) + "\n"


def load(path: Path, cwd: Path, shown: str) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"baseline {shown}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {shown}: not JSON: {exc}") from None
    rows = data.get("findings") if isinstance(data, dict) and data.get("iaclint_baseline") == VERSION else None
    if not isinstance(rows, list) or not all(_is_row(row) for row in rows):
        raise BaselineError(f"baseline {shown}: not an iaclint baseline (write one with `iaclint baseline --output FILE`)")
    here = path.resolve().parent
    entries = frozenset((row["policy_id"], row["address"], _move(row["path"], here, cwd.resolve())) for row in rows)
    return Baseline(entries, shown)


def _is_row(row: object) -> bool:
    return isinstance(row, dict) and all(isinstance(row.get(key), str) for key in ("policy_id", "address", "path"))


def _move(path: str, start: Path, to: Path) -> str:
    """A POSIX path relative to `start`, made relative to `to`."""
    return Path(os.path.relpath(os.path.normpath(start / path), to)).as_posix()
