"""Terraform type constraint expressions (`list(object({a = optional(bool, true)}))`) read
into the type specs `linter.terraform.values.convert` takes.

Like Terraform, reading a type checks it: an `optional()` default that does not convert
to its attribute's type is an error here, whether or not a value ever needs it."""

from __future__ import annotations

from typing import NoReturn

from linter.parsers import hcl_ast as ast
from linter.terraform import values as tv
from linter.terraform.evaluator import Result, evaluate

_PRIMITIVES = {"bool", "string", "number", "any"}


def type_spec(expr: ast.Node) -> tuple:
    if isinstance(expr, ast.Parens):
        return type_spec(expr.expr)
    if isinstance(expr, ast.Variable) and expr.name in _PRIMITIVES:
        return (expr.name,)
    if isinstance(expr, ast.FunctionCall) and len(expr.args) == 1:
        kind, arg = expr.name, expr.args[0]
        if kind in ("list", "set", "map"):
            return (kind, type_spec(arg))
        if kind == "tuple" and isinstance(arg, ast.TupleExpr):
            return ("tuple", [type_spec(item) for item in arg.items])
        if kind == "object" and isinstance(arg, ast.ObjectExpr):
            return ("object", {_key(k): _attribute(v) for k, v in arg.items})
    raise tv.EvalError("unsupported type constraint")


def _key(expr: ast.Node) -> str:
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Variable):
        return expr.name
    raise tv.EvalError("object type attribute names must be plain names")


def _attribute(expr: ast.Node) -> tuple:
    """(type, optional, default) for one attribute of an object type."""
    if isinstance(expr, ast.FunctionCall) and expr.name == "optional" and expr.args:
        if len(expr.args) > 2:
            raise tv.EvalError("Invalid type specification: Optional attribute modifier expects at most "
                               "two arguments: the attribute type, and a default value.")
        spec = type_spec(expr.args[0])
        default = _default(expr.args[1], spec) if len(expr.args) > 1 else None
        return (spec, True, default)
    return (type_spec(expr), False, None)


def _default(expr: ast.Node, spec: tuple) -> object:
    """An `optional()` default, converted to the attribute's type as Terraform converts it
    when it reads the type."""
    value = _constant(expr)
    try:
        return tv.convert(value, spec)
    except tv.ConversionError as err:
        raise tv.EvalError("Invalid default value for optional attribute: This default value is not "
                           f"compatible with the attribute's type constraint: {err.reason}.") from None


class _NoNames:
    """The scope of an `optional()` default, which Terraform evaluates with no context:
    no names and no files. (Other function calls are evaluated, where Terraform refuses
    them too.)"""

    path = "<type>"

    def lookup(self, name: str, node: ast.Node) -> Result:
        _not_allowed("Variables not allowed: Variables may not be used here.")

    def call_file_function(self, name: str, args: list[object], node: ast.Node) -> object:
        _not_allowed("Function calls not allowed: Functions may not be called here.")


def _not_allowed(message: str) -> NoReturn:
    raise tv.EvalError(message)


def _constant(expr: ast.Node) -> object:
    return evaluate(expr, _NoNames())[0]
