"""Output formats: each a pure `render(result, **options) -> str` in its own module.

Options: `color` (all), `quiet` (text), `root_uri` (sarif: a `file:` URI of the directory
the reported paths are relative to). Every renderer ignores the options it does not take,
so the CLI passes them all the same way."""

from __future__ import annotations

from typing import Callable

from linter.reporters import github, gitlab, json_report, junit, sarif, text

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "gitlab": gitlab.render,
}
