"""Syntax trees kept on disk between runs, keyed by content.

Parsing is most of a scan's time, and most files do not change between two runs (a
pre-commit hook, a developer re-running after an edit). An entry's key is a hash of the
file's text, of its kind, and of the parser's own source code and the Python version, so
a changed file, a changed parser or another interpreter never reads a stale tree. Only
successful parses are kept. A cache that cannot be read or written is simply not used:
it is never a reason for a scan to fail.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

_PARSER_MODULES = ("parsers/hcl.py", "parsers/hcl_ast.py", "parsers/tfjson.py")
_stamp: bytes | None = None


def _parser_stamp() -> bytes:
    """A digest of the parser's source and the interpreter, computed once per process."""
    global _stamp
    if _stamp is None:
        digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
        root = Path(__file__).resolve().parent
        for name in _PARSER_MODULES:
            try:
                digest.update((root / name).read_bytes())
            except OSError:
                digest.update(name.encode())
        _stamp = digest.digest()
    return _stamp


class SyntaxCache:
    def __init__(self, directory: Path):
        self.directory = directory

    def get_or_parse(self, kind: str, text: str, parse: Callable[[str], T]) -> T:
        path = self._entry(kind, text)
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)  # type: ignore[no-any-return]
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
            pass
        tree = parse(text)
        self._store(path, tree)
        return tree

    def _entry(self, kind: str, text: str) -> Path:
        digest = hashlib.blake2b(_parser_stamp(), digest_size=20)
        digest.update(kind.encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        name = digest.hexdigest()
        return self.directory / name[:2] / name[2:]

    def _store(self, path: Path, tree: object) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(tree, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except (OSError, pickle.PickleError, RecursionError):
            pass  # a read-only or full disk only costs speed
