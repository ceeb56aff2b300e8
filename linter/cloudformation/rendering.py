"""Template values as text in trail notes and messages: compact, YAML-like, in the
short-form tags people write (`!Ref X`, `!GetAtt A.B`), cut to a budget so that a large
key policy costs no more to show than a short one."""

from __future__ import annotations

import json
import re
from typing import Any

from linter.model import Unknown

_SHORT = {"Ref": "!Ref", "Condition": "!Condition"}
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]*")
_AMBIGUOUS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def render(value: Any, limit: int = 100) -> str:
    """A compact, YAML-like rendering of a raw template value, in short-form tags."""
    shown = _render(value, limit)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def quoted(value: Any) -> str:
    """A value in a step note: strings always quoted, since parameters are strings."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else render(value)


def show(value: Any) -> str:
    return render(value) if not isinstance(value, str) else value


def _render(value: Any, budget: int) -> str:
    """Renders at least `budget` characters when the value is longer (and stops there)."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if isinstance(key, str) and (key in _SHORT or key.startswith("Fn::")):
                tag = _SHORT.get(key) or "!" + key[4:]
                if key == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                    return f"{tag} {'.'.join(arg)}"
                return f"{tag} {_render(arg, budget)}"
        items = ((f"{_render_key(k)}: ", v) for k, v in value.items())
        return _render_items("{", items, "}", budget)
    if isinstance(value, list):
        return _render_items("[", (("", v) for v in value), "]", budget)
    return _render_scalar(value)


def _render_scalar(value: Any) -> str:
    if isinstance(value, Unknown):
        return f"(unknown: {value.reason})"
    if isinstance(value, str):
        bare = _BARE.fullmatch(value) and value.lower() not in _AMBIGUOUS
        return value if bare else json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _render_items(opening: str, items: Any, closing: str, budget: int) -> str:
    parts, used = [], 0
    for prefix, item in items:
        if used > budget:
            parts.append("…")
            break
        part = prefix + _render(item, budget - used)
        parts.append(part)
        used += len(part) + 2
    return opening + ", ".join(parts) + closing


def _render_key(key: Any) -> str:
    return key if isinstance(key, str) and _BARE.fullmatch(key) else json.dumps(str(key))
