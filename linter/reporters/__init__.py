"""Output formats: each a pure `render(result, options) -> str` in its own module."""

from __future__ import annotations

from typing import Callable

from linter.model import ScanResult
from linter.reporters import json_report, text

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
}
