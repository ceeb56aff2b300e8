"""The path functions that are pure string functions (`abspath` of an absolute path,
`dirname`, `basename`); what depends on the machine running Terraform (a relative
`abspath`, `pathexpand` of `~`) is unknown. The file-reading functions are the
evaluator's, not here."""

from __future__ import annotations

import posixpath
from typing import Callable

from linter.model import Unknown
from linter.terraform.functions.arguments import string_arg


def _clean(path: str) -> str:
    """Go's path.Clean: unlike Python's normpath, a leading "//" becomes "/"."""
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _abspath(path: object) -> object:
    text = string_arg(path, "path")
    if text.startswith("/"):
        return _clean(text)
    return Unknown("abspath() of a relative path depends on the working directory")


def _dirname(path: object) -> object:
    text = string_arg(path, "path")
    return _clean(text[:text.rfind("/") + 1])


def _basename(path: object) -> object:
    text = string_arg(path, "path").rstrip("/")
    if not text:
        return "/" if string_arg(path, "path") else "."
    return text[text.rfind("/") + 1:]


def _pathexpand(path: object) -> object:
    text = string_arg(path, "path")
    if text.startswith("~"):
        return Unknown("pathexpand() reads the home directory of the machine running Terraform")
    return text


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "abspath": _abspath, "basename": _basename, "dirname": _dirname, "pathexpand": _pathexpand,
}
