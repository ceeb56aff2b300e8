"""Terraform type constraint expressions (`list(object({a = optional(bool, true)}))`) read
into the type specs `linter.terraform.values.convert` takes."""

from __future__ import annotations

from linter.parsers import hcl_ast as ast
from linter.terraform import values as tv

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
        default = _constant(expr.args[1]) if len(expr.args) > 1 else None
        return (type_spec(expr.args[0]), True, default)
    return (type_spec(expr), False, None)


def _constant(expr: ast.Node) -> object:
    from linter.terraform.evaluator import evaluate

    class _NoNames:
        path = "<type>"

        def lookup(self, name, node):  # type: ignore[no-untyped-def]
            raise tv.EvalError("optional() defaults must be constant")

        def call_file_function(self, name, args, node):  # type: ignore[no-untyped-def]
            raise tv.EvalError("optional() defaults must be constant")

    return evaluate(expr, _NoNames())[0]
