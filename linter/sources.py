"""Reading input files as text: byte-order marks, UTF-16, undecodable bytes.

Every parser receives text from here, so encoding problems are reported once, the same
way, as a `SourceError` with a line number. `is_inside` is the one test of whether a file
lies in a scanned tree (discovery following a symlink, `file()` in a Terraform module).
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path


class SourceError(Exception):
    """The file could not be read or decoded; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def decode(raw: bytes) -> str:
    """Text of a file: UTF-8 (a BOM is dropped) or UTF-16 with a BOM."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(f"invalid UTF-16 text: {exc.reason}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})", line, column
        ) from None


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    return decode(raw)


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path` is `root` or below it. Both are compared as given: callers resolve
    symlinks and `..` first."""
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


class DisplayPath:
    """Turns absolute paths into the display paths findings use (relative to the
    working directory when inside it)."""

    def __init__(self, cwd: Path):
        self.cwd = cwd

    def __call__(self, path: Path) -> str:
        try:
            return path.relative_to(self.cwd).as_posix()
        except ValueError:
            return Path(os.path.relpath(path, self.cwd)).as_posix()
