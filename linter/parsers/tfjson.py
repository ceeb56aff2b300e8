"""Terraform JSON syntax (`.tf.json`, CDK for Terraform's `cdk.tf.json`) as an HCL body.

Terraform reads a JSON configuration by mapping it onto the native structure: top-level
keys are block types, nesting gives the labels, and every JSON string in an expression
position is a template (`"${var.x}"`). This module does that mapping, keeping the line of
every key, so the evaluator sees one syntax tree whatever the file's syntax.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Callable, cast

from linter.parsers import hcl
from linter.parsers import hcl_ast as ast

# Block types and how many labels each takes in JSON nesting.
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
           "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0,
           "ephemeral": 2}
# Deeper arrays and objects are an error: Terraform configurations nest a few levels, and
# each level costs Python stack frames here and in the evaluator.
MAX_NESTING = 128
# Inside these blocks values are literal JSON, not templates.
_LITERAL_ATTRIBUTES = {("variable", "default")}


class JsonBodyError(Exception):
    def __init__(self, message: str, line: int, column: int = 0):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class JNode:
    """A JSON value with the line and column where it starts."""

    __slots__ = ("value", "line", "col")

    def __init__(self, value: object, line: int, col: int):
        self.value, self.line, self.col = value, line, col


_TOKEN = re.compile(r'\s*(?:(")|([{}\[\],:])|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null))')
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"', re.S)


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.pos = self.depth = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, pos)
        return line, pos - self.line_starts[line - 1] + 1

    def fail(self, message: str, pos: int) -> JsonBodyError:
        line, col = self.where(pos)
        return JsonBodyError(message, line, col)

    def value(self) -> JNode:
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            raise self.fail("invalid JSON: expected a value", self._skip_ws())
        start = match.end() - len(match.group(0).lstrip())
        line, col = self.where(start)
        if match.group(1):
            string = _STRING.match(self.text, start)
            if string is None:
                raise self.fail("invalid JSON: unterminated string", start)
            self.pos = string.end()
            return JNode(json.loads(string.group(0)), line, col)
        self.pos = match.end()
        if match.group(3):
            number = float(match.group(3))
            return JNode(int(number) if number.is_integer() and "." not in match.group(3) else number, line, col)
        if match.group(4):
            return JNode({"true": True, "false": False, "null": None}[match.group(4)], line, col)
        punct = match.group(2)
        if punct not in ("{", "["):
            raise self.fail(f"invalid JSON: unexpected {punct!r}", start)
        if self.depth == MAX_NESTING:
            raise self.fail(f"invalid JSON: nested too deeply (more than {MAX_NESTING} levels)", start)
        self.depth += 1
        node = JNode(self._object() if punct == "{" else self._array(), line, col)
        self.depth -= 1
        return node

    def _skip_ws(self) -> int:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1
        return self.pos

    def _punct(self, allowed: str) -> str:
        pos = self._skip_ws()
        if pos < len(self.text) and self.text[pos] in allowed:
            self.pos = pos + 1
            return self.text[pos]
        found = repr(self.text[pos]) if pos < len(self.text) else "end of file"
        raise self.fail(f"invalid JSON: expected one of {allowed!r}, found {found}", pos)

    def _object(self) -> list[tuple[JNode, JNode]]:
        items: list[tuple[JNode, JNode]] = []
        if self._peek() == "}":
            self.pos += 1
            return _EmptyObject()
        while True:
            key = self.value()
            if not isinstance(key.value, str):
                raise self.fail("invalid JSON: object keys must be strings", self.pos)
            self._punct(":")
            items.append((key, self.value()))
            if self._punct(",}") == "}":
                return items

    def _array(self) -> list[JNode]:
        items: list[JNode] = []
        if self._peek() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            if self._punct(",]") == "]":
                return items

    def _peek(self) -> str:
        pos = self._skip_ws()
        return self.text[pos] if pos < len(self.text) else ""


def load_positions(text: str) -> JNode:
    reader = _Reader(text)
    try:
        node = reader.value()
    except RecursionError:  # arrays or objects nested deeper than the reader recurses
        raise reader.fail("invalid JSON: nested too deeply", reader.pos) from None
    if reader._skip_ws() != len(text):
        raise reader.fail("invalid JSON: extra data after the document", reader.pos)
    return node


def json_body(text: str) -> ast.Body:
    """The HCL body a `.tf.json` file stands for."""
    root = load_positions(text)
    if not _is_object(root):
        raise JsonBodyError("a Terraform JSON file must hold one object", root.line, root.col)
    blocks: list[ast.Block] = []
    for key, value in _members(root):
        block_type = str(key.value)
        if block_type == "//":
            continue
        try:
            blocks.extend(_blocks(block_type, _LABELS.get(block_type, 0), (), key, value))
        except RecursionError:  # read, but too deep to turn into expressions
            raise JsonBodyError("invalid JSON: nested too deeply", key.line, key.col) from None
    return ast.Body([], blocks, 1, 1)


def _blocks(block_type: str, labels_left: int, labels: tuple[str, ...], key: JNode, value: JNode) -> list[ast.Block]:
    if isinstance(value.value, list) and not _is_object(value):
        # an array of objects: several blocks with the same labels
        out: list[ast.Block] = []
        for item in value.value:
            out.extend(_blocks(block_type, labels_left, labels, key, item))
        return out
    if not _is_object(value):
        raise JsonBodyError(f'"{block_type}" must be an object here', value.line, value.col)
    if labels_left:
        out = []
        for label_key, inner in _members(value):
            if label_key.value == "//":
                continue
            out.extend(_blocks(block_type, labels_left - 1, labels + (str(label_key.value),), label_key, inner))
        return out
    line = key.line
    return [ast.Block(block_type, labels, _body(block_type, value), line, key.col, _last_line(value))]


def _body(block_type: str, node: JNode) -> ast.Body:
    attributes: list[ast.Attribute] = []
    for key, value in _members(node):
        name = str(key.value)
        literal = (block_type, name) in _LITERAL_ATTRIBUTES
        expr = _literal_expr(value) if literal else _expr(value)
        if block_type == "variable" and name == "type" and isinstance(value.value, str):
            expr = hcl.parse_expression(value.value, value.line, value.col)
        attributes.append(ast.Attribute(name, expr, key.line, key.col, _last_line(value)))
    return ast.Body(attributes, [], node.line, node.col)


def _expr(node: JNode) -> ast.Expr:
    value = node.value
    if isinstance(value, str):
        return hcl.parse_template(value, node.line, node.col + 1)
    if _is_object(node):
        return _object_expr(node, _expr)
    if isinstance(value, list):
        return ast.TupleExpr([_expr(item) for item in value], node.line, node.col)
    return ast.Literal(value, node.line, node.col)


def _literal_expr(node: JNode) -> ast.Expr:
    value = node.value
    if _is_object(node):
        return _object_expr(node, _literal_expr)
    if isinstance(value, list):
        return ast.TupleExpr([_literal_expr(item) for item in value], node.line, node.col)
    return ast.Literal(value, node.line, node.col)


def _object_expr(node: JNode, convert: Callable[[JNode], ast.Expr]) -> ast.ObjectExpr:
    items: list[tuple[ast.Expr, ast.Expr]] = [
        (ast.Literal(str(k.value), k.line, k.col), convert(v)) for k, v in _members(node)
    ]
    return ast.ObjectExpr(items, node.line, node.col)


def _is_object(node: JNode) -> bool:
    value = node.value
    return isinstance(value, _EmptyObject) or (isinstance(value, list) and bool(value) and isinstance(value[0], tuple))


def _members(node: JNode) -> list[tuple[JNode, JNode]]:
    """The (key, value) pairs of a node that `_is_object` accepts."""
    return cast("list[tuple[JNode, JNode]]", node.value)


class _EmptyObject(list[tuple[JNode, JNode]]):  # an empty JSON object, told apart from an empty array
    pass


def _last_line(node: JNode) -> int:
    value = node.value
    if isinstance(value, list) and value:
        last = value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    return node.line
