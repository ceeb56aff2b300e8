"""`Fn::ForEach` loops of the `AWS::LanguageExtensions` transform, expanded as the
transform expands them before CloudFormation sees the template.

A loop `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]` in a
section (Resources, Conditions, Outputs) or in any mapping of property values yields one
copy of the fragment per collection item: `${Identifier}` and `&{Identifier}` (the item
without its non-alphanumeric characters) are replaced in every key and in `Fn::Sub`
strings, and `Ref: Identifier` becomes the item. Loops nest. The collection is a list or
anything that evaluates to one (a `CommaDelimitedList` parameter, a mapping entry).

Each generated entry is reported at the line of the loop that made it, with a context
step naming the item. When the collection is unknown the fragment is kept once, as
written, with the identifier unknown and its existence unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from linter.cloudformation.rendering import quoted, render
from linter.cloudformation.values import text
from linter.model import Step, Unknown
from linter.parsers.yamljson import LineDict, LineList, key_line, line_of

if TYPE_CHECKING:
    from linter.cloudformation.intrinsics import TemplateEvaluator

PREFIX = "Fn::ForEach::"
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Generated:
    """One entry of an expanded section: its key, its body and where to report it."""

    key: Any
    body: Any
    line: int
    context: tuple[Step, ...] = ()
    existence: Unknown | None = None


def is_loop(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(PREFIX)


def expand(section: Mapping[Any, Any], ev: TemplateEvaluator, line: int) -> list[Generated]:
    """The entries of `section`, each loop replaced by what it generates. A loop without
    the transform, or one generating a key twice, is an error (CloudFormation rejects the
    template); the first entry with a key is kept."""
    entries: list[Generated] = []
    for key, body in section.items():
        entry_line = key_line(section, key, line)
        if not is_loop(key):
            entries.append(Generated(key, body, entry_line))
        elif ev.require_language_extensions(key, entry_line):
            entries.extend(_Loops(ev).expand(key, body, entry_line, (), None, 0))
    return _unique(entries, ev)


def _unique(entries: list[Generated], ev: TemplateEvaluator) -> list[Generated]:
    seen: dict[Any, Generated] = {}
    for entry in entries:
        first = seen.get(entry.key)
        if first is None:
            seen[entry.key] = entry
        else:
            ev.error(entry.line, f"Fn::ForEach makes {entry.key}, which line {first.line} already defines")
    return list(seen.values())


class _Loops:
    def __init__(self, ev: TemplateEvaluator) -> None:
        self.ev = ev

    def expand(self, key: str, body: Any, line: int, context: tuple[Step, ...],
               existence: Unknown | None, depth: int) -> list[Generated]:
        if not (isinstance(body, list) and len(body) == 3 and isinstance(body[0], str) and isinstance(body[2], dict)):
            self.ev.error(line, f"{key} must be [identifier, collection, {{key: value}}]")
            return []
        if depth >= _MAX_DEPTH:
            self.ev.error(line, f"{key} is nested more than {_MAX_DEPTH} loops deep")
            return []
        identifier, raw_collection, fragment = body
        items, steps = self._collection(key, identifier, raw_collection, line)
        if isinstance(items, Unknown) and existence is None:
            existence = items
        out: list[Generated] = []
        each: list[str | Unknown] = list(items) if isinstance(items, list) else [items]
        for item, step in zip(each, steps):
            copy = substitute(fragment, identifier, item)
            for out_key, out_body in copy.items():
                out_line = key_line(copy, out_key, line)
                if is_loop(out_key):
                    out.extend(self.expand(out_key, out_body, out_line, (*context, *step), existence, depth + 1))
                else:
                    out.append(Generated(out_key, out_body, line, (*context, *step), existence))
        return out

    def _collection(self, key: str, identifier: str, raw: Any, line: int) -> tuple[list[str] | Unknown, list[tuple[Step, ...]]]:
        """The items (or why they are unknown) and, per item, its context steps."""
        evaluated = self.ev.evaluate(f"{key} collection", raw, line_of(raw, line))
        inputs = evaluated.trail[1:]  # the parameters and mappings the collection came from
        where = self.ev.loc(line)
        items = evaluated.value
        if isinstance(items, list) and all(isinstance(text(i), str) for i in items):
            return [str(text(i)) for i in items], [(Step(where, f"{key}: {identifier} = {quoted(text(i))}"), *inputs) for i in items]
        if isinstance(items, list):
            items = next(i for i in items if not isinstance(text(i), str))
        if not isinstance(items, Unknown):
            self.ev.error(line, f"{key}: the collection {render(raw)} is not a list")
            return [], []
        unknown = Unknown(f"{key}: its collection is unknown: {items.reason}", where)
        return unknown, [(Step(where, f"{key}: {identifier} unknown ({items.reason})"), *inputs)]


def substitute(node: Any, identifier: str, item: str | Unknown) -> Any:
    """A copy of `node` with `identifier` replaced by `item`, keeping line numbers."""
    if isinstance(node, dict):
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref" and arg == identifier:
                return item
            if key == "Fn::Sub":
                replaced = _sub(arg, identifier, item)
                if isinstance(replaced, str) and "${" not in replaced:
                    return replaced  # nothing left to substitute: the transform writes the string
                return _placed_dict(node, {key: replaced}, {key: key})
        keys = {k: _key(k, identifier, item) for k in node}
        return _placed_dict(node, {keys[k]: substitute(v, identifier, item) for k, v in node.items()}, keys)
    if isinstance(node, list):
        copy = LineList(substitute(v, identifier, item) for v in node)
        copy.line, copy.end_line = line_of(node), getattr(node, "end_line", 0)
        copy.lines = list(getattr(node, "lines", None) or [copy.line] * len(node))
        return copy
    return node


def _placed_dict(source: Mapping[Any, Any], items: dict[Any, Any], keys: Mapping[Any, Any]) -> LineDict:
    copy = LineDict(items)
    copy.line, copy.end_line = line_of(source), getattr(source, "end_line", 0)
    copy.key_lines = {keys[k]: key_line(source, k, copy.line) for k in source}
    merged = getattr(source, "merged_from", None)
    copy.merged_from = {keys[k]: v for k, v in merged.items() if k in keys} if merged else None
    return copy


def _key(key: Any, identifier: str, item: str | Unknown) -> Any:
    if not isinstance(key, str) or isinstance(item, Unknown):
        return key
    return key.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", _alphanumeric(item))


def _sub(arg: Any, identifier: str, item: str | Unknown) -> Any:
    """`Fn::Sub` text with the identifier replaced; with an unknown item, the identifier
    becomes a Sub variable whose value is unknown (unless the Sub defines it itself)."""
    template, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, None)
    variables = substitute(variables, identifier, item) if variables is not None else None
    if not isinstance(template, str) or (isinstance(variables, dict) and identifier in variables):
        return [template, variables] if variables is not None else template
    if isinstance(item, Unknown):
        template = template.replace("&{" + identifier + "}", "${" + identifier + "}")
        if "${" + identifier + "}" not in template:
            return [template, variables] if variables is not None else template
        return [template, {**(variables or {}), identifier: item}]
    template = template.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", _alphanumeric(item))
    return [template, variables] if variables is not None else template


def _alphanumeric(item: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", item)
