"""The syntax tree of HCL native syntax that `linter.parsers.hcl` produces.

Plain classes with `__slots__` (a large configuration has hundreds of thousands of
nodes). Every node has 1-based `line` and `col` of its first character. Strings are fully
decoded: escapes resolved, heredoc indentation (`<<-`) and template strip markers (`~`)
already applied, so the evaluator never sees raw source text.
"""

from __future__ import annotations

from typing import Union


class Node:
    __slots__ = ("line", "col")

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields())
        return f"{type(self).__name__}({fields})"

    def _fields(self) -> list[str]:
        names: list[str] = []
        for klass in type(self).__mro__:
            names.extend(s for s in getattr(klass, "__slots__", ()) if s not in ("line", "col"))
        return names


# ---------------------------------------------------------------------------- structure


class Body(Node):
    """A sequence of attributes and blocks, in source order."""

    __slots__ = ("attributes", "blocks")

    def __init__(self, attributes: list[Attribute], blocks: list[Block], line: int = 1, col: int = 1):
        self.attributes = attributes
        self.blocks = blocks
        self.line, self.col = line, col


class Attribute(Node):
    """`name = expr`; `end_line` is the last line of the expression."""

    __slots__ = ("name", "expr", "end_line")

    def __init__(self, name: str, expr: Expr, line: int, col: int, end_line: int):
        self.name, self.expr, self.end_line = name, expr, end_line
        self.line, self.col = line, col


class Block(Node):
    """`type "label" ... { body }`; `end_line` is the line of the closing brace."""

    __slots__ = ("type", "labels", "body", "end_line")

    def __init__(self, type: str, labels: tuple[str, ...], body: Body, line: int, col: int, end_line: int):
        self.type, self.labels, self.body, self.end_line = type, labels, body, end_line
        self.line, self.col = line, col


# ---------------------------------------------------------------------------- expressions


class Literal(Node):
    """A number (int or float), bool, null (None) or a string with no interpolation."""

    __slots__ = ("value",)

    def __init__(self, value: object, line: int, col: int):
        self.value = value
        self.line, self.col = line, col


class Template(Node):
    """A string with interpolations or directives (quoted or heredoc).

    `parts` holds `str` pieces, `Interp`, `IfDirective` and `ForDirective` nodes. A
    template that is exactly one interpolation (`"${x}"`) yields the value of `x` itself,
    unconverted, as Terraform does.
    """

    __slots__ = ("parts",)

    def __init__(self, parts: list[TemplatePart], line: int, col: int):
        self.parts = parts
        self.line, self.col = line, col


class Interp(Node):
    """`${expr}` inside a template."""

    __slots__ = ("expr",)

    def __init__(self, expr: Expr, line: int, col: int):
        self.expr = expr
        self.line, self.col = line, col


class IfDirective(Node):
    """`%{ if cond }then%{ else }else%{ endif }`; `else_parts` is empty without else."""

    __slots__ = ("cond", "then_parts", "else_parts")

    def __init__(self, cond: Expr, then_parts: list[TemplatePart], else_parts: list[TemplatePart], line: int, col: int):
        self.cond, self.then_parts, self.else_parts = cond, then_parts, else_parts
        self.line, self.col = line, col


class ForDirective(Node):
    """`%{ for k, v in coll }body%{ endfor }`; `key_var` is None with one variable."""

    __slots__ = ("key_var", "value_var", "collection", "body")

    def __init__(self, key_var: str | None, value_var: str, collection: Expr, body: list[TemplatePart], line: int, col: int):
        self.key_var, self.value_var, self.collection, self.body = key_var, value_var, collection, body
        self.line, self.col = line, col


class Variable(Node):
    """A bare name at the root of a traversal: `var`, `local`, `each`, `aws_kms_key`."""

    __slots__ = ("name",)

    def __init__(self, name: str, line: int, col: int):
        self.name = name
        self.line, self.col = line, col


class GetAttr(Node):
    """`obj.name`."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: Expr, name: str, line: int, col: int):
        self.obj, self.name = obj, name
        self.line, self.col = line, col


class Index(Node):
    """`obj[key]`, and the legacy `obj.0` form (key is then a Literal int)."""

    __slots__ = ("obj", "key")

    def __init__(self, obj: Expr, key: Expr, line: int, col: int):
        self.obj, self.key = obj, key
        self.line, self.col = line, col


class SplatItem(Node):
    """The placeholder for the current element inside `Splat.each`."""

    __slots__ = ()

    def __init__(self, line: int, col: int):
        self.line, self.col = line, col


class Splat(Node):
    """`source[*].a.b` (full) or `source.*.a` (attribute-only, legacy).

    `each` is the traversal applied to every element, rooted at a `SplatItem`; for a bare
    `source[*]` it is the `SplatItem` itself.
    """

    __slots__ = ("source", "each")

    def __init__(self, source: Expr, each: Expr, line: int, col: int):
        self.source, self.each = source, each
        self.line, self.col = line, col


class FunctionCall(Node):
    """`name(args...)`; `expand_final` is True for `f(a, b...)`. Provider-defined
    functions keep their full name (`provider::aws::arn_parse`)."""

    __slots__ = ("name", "args", "expand_final")

    def __init__(self, name: str, args: list[Expr], expand_final: bool, line: int, col: int):
        self.name, self.args, self.expand_final = name, args, expand_final
        self.line, self.col = line, col


class TupleExpr(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Expr], line: int, col: int):
        self.items = items
        self.line, self.col = line, col


class ObjectExpr(Node):
    """`{ k = v, ... }`. A bare identifier key is a `Literal` string; a parenthesised or
    other expression key is evaluated."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Expr, Expr]], line: int, col: int):
        self.items = items
        self.line, self.col = line, col


class Unary(Node):
    """`-x` or `!x`; `op` is "-" or "!"."""

    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr, line: int, col: int):
        self.op, self.operand = op, operand
        self.line, self.col = line, col


class Binary(Node):
    """`a op b`; op one of || && == != < > <= >= + - * / %."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Expr, right: Expr, line: int, col: int):
        self.op, self.left, self.right = op, left, right
        self.line, self.col = line, col


class Conditional(Node):
    __slots__ = ("cond", "true_expr", "false_expr")

    def __init__(self, cond: Expr, true_expr: Expr, false_expr: Expr, line: int, col: int):
        self.cond, self.true_expr, self.false_expr = cond, true_expr, false_expr
        self.line, self.col = line, col


class ForExpr(Node):
    """`[for k, v in coll : val if cond]` (key_expr None) or
    `{for k, v in coll : key => val... if cond}` (`group` True with `...`)."""

    __slots__ = ("key_var", "value_var", "collection", "key_expr", "value_expr", "cond", "group")

    def __init__(
        self,
        key_var: str | None,
        value_var: str,
        collection: Expr,
        key_expr: Expr | None,
        value_expr: Expr,
        cond: Expr | None,
        group: bool,
        line: int,
        col: int,
    ):
        self.key_var, self.value_var, self.collection = key_var, value_var, collection
        self.key_expr, self.value_expr, self.cond, self.group = key_expr, value_expr, cond, group
        self.line, self.col = line, col


class Parens(Node):
    """`(expr)`: kept because a parenthesised object key is evaluated, a bare one is not."""

    __slots__ = ("expr",)

    def __init__(self, expr: Expr, line: int, col: int):
        self.expr = expr
        self.line, self.col = line, col


Expr = Union[
    Literal, Template, Variable, GetAttr, Index, Splat, SplatItem, FunctionCall, TupleExpr,
    ObjectExpr, Unary, Binary, Conditional, ForExpr, Parens,
]
TemplatePart = Union[str, Interp, IfDirective, ForDirective]


class HclSyntaxError(Exception):
    """A syntax error with the 1-based line and column where it was found."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.col})"
