"""Evaluation of HCL expressions with Terraform's semantics, on the syntax tree.

`evaluate(expr, scope)` returns `(value, steps)`: the value (Python data, possibly holding
`Unknown`s) and the provenance steps of every reference that fed it. Names (`var.x`,
`local.y`, `module.m.out`, `each.key`, resources) are resolved by the `Scope`, which the
module evaluator implements; this module knows only expressions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Protocol, cast

from linter.model import Location, Step, Unknown, contains_unknown
from linter.parsers import hcl_ast as ast
from linter.terraform import values as tv
from linter.terraform.functions import FUNCTIONS

Steps = tuple[Step, ...]
Result = tuple[object, Steps]
NO_STEPS: Steps = ()


class Positioned(Protocol):
    """A syntax-tree node as locations read it: every concrete node class sets a 1-based
    `line` and `col`, though `ast.Node` itself does not declare them."""

    @property
    def line(self) -> int: ...

    @property
    def col(self) -> int: ...


class Scope(Protocol):
    path: str  # display path of the file being evaluated, for Unknown locations

    def lookup(self, name: str, node: ast.Node) -> Result: ...

    def call_file_function(self, name: str, args: list[object], node: ast.Node) -> object: ...


class ChildScope:
    """A scope with extra names bound (for-expression and template-for variables)."""

    def __init__(self, parent: Scope, names: dict[str, Result]):
        self.parent, self.names, self.path = parent, names, parent.path

    def lookup(self, name: str, node: ast.Node) -> Result:
        if name in self.names:
            return self.names[name]
        if name.partition(".")[0] in self.names:
            raise KeyError(name)  # `v.attr` with `v` bound here: traverse the bound value
        return self.parent.lookup(name, node)

    def call_file_function(self, name: str, args: list[object], node: ast.Node) -> object:
        return self.parent.call_file_function(name, args, node)


class SplatScope(ChildScope):
    """Binds the splat placeholder to the current element."""


FILE_FUNCTIONS = frozenset({"file", "templatefile", "fileexists", "fileset", "filebase64", "filemd5", "filesha256"})
_SPLAT = "\0splat"


def where(scope: Scope, node: ast.Node) -> Location:
    positioned = cast(Positioned, node)
    return Location(scope.path, positioned.line, positioned.col)


def unknown(scope: Scope, node: ast.Node, reason: str) -> Unknown:
    return Unknown(reason, where(scope, node))


def evaluate_safely(expr: ast.Node, scope: Scope) -> Result:
    """Evaluate a whole expression; an error Terraform would raise becomes an Unknown
    that says so (a policy must not pass a value Terraform would refuse)."""
    try:
        return evaluate(expr, scope)
    except tv.EvalError as exc:
        return unknown(scope, expr, f"the expression is rejected by Terraform: {exc}"), NO_STEPS
    except RecursionError:
        return unknown(scope, expr, "the expression is nested too deeply to evaluate"), NO_STEPS


def evaluate(expr: ast.Node, scope: Scope) -> Result:
    """Evaluate, raising `EvalError` where Terraform would report an error."""
    handler = _HANDLERS.get(type(expr))
    if handler is None:
        return unknown(scope, expr, f"uses an unsupported expression ({type(expr).__name__})"), NO_STEPS
    return handler(expr, scope)


def _literal(expr: ast.Literal, scope: Scope) -> Result:
    return expr.value, NO_STEPS


def _parens(expr: ast.Parens, scope: Scope) -> Result:
    return evaluate(expr.expr, scope)


def _variable(expr: ast.Variable, scope: Scope) -> Result:
    return scope.lookup(expr.name, expr)


def _get_attr(expr: ast.GetAttr, scope: Scope) -> Result:
    root = _traversal_root(expr)
    if root is not None:
        resolved = _lookup_traversal(expr, scope)
        if resolved is not None:
            return resolved
    obj, steps = evaluate(expr.obj, scope)
    with_steps = getattr(obj, "attribute_result", None)
    if with_steps is not None:  # module outputs and other resources keep their provenance
        value, more = with_steps(expr.name)
        return value, steps + more
    return _attr_of(obj, expr.name, expr, scope), steps


def _traversal_root(expr: ast.Node) -> str | None:
    while isinstance(expr, (ast.GetAttr, ast.Index)):
        expr = expr.obj
    return expr.name if isinstance(expr, ast.Variable) else None


def _lookup_traversal(expr: ast.GetAttr, scope: Scope) -> Result | None:
    """Two-part names (`var.x`, `local.y`, `aws_kms_key.a`) resolve as one lookup, so the
    scope can give each its own provenance."""
    if isinstance(expr.obj, ast.Variable):
        name = f"{expr.obj.name}.{expr.name}"
        try:
            return scope.lookup(name, expr)
        except KeyError:
            return None
    return None


def _attr_of(obj: object, name: str, node: ast.Node, scope: Scope) -> object:
    if isinstance(obj, Unknown):
        return obj
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise tv.EvalError(f'this object does not have an attribute named "{name}"')
    if obj is None:
        raise tv.EvalError(f'attempt to get attribute "{name}" from a null value')
    if isinstance(obj, list):
        raise tv.EvalError(f'cannot access attribute "{name}" on a list; use a splat or an index')
    raise tv.EvalError(f'cannot access attribute "{name}" on a {tv.type_name(obj)} value')


def _index(expr: ast.Index, scope: Scope) -> Result:
    obj, steps = evaluate(expr.obj, scope)
    key, key_steps = evaluate(expr.key, scope)
    return index_value(obj, key, expr, scope), steps + key_steps


def index_value(obj: object, key: object, node: ast.Node, scope: Scope) -> object:
    if isinstance(obj, Unknown):
        return obj
    if isinstance(key, Unknown):
        return key
    if obj is None:
        raise tv.EvalError("cannot index a null value")
    if isinstance(obj, dict):
        name = tv.to_string(key)
        if name not in obj:
            raise tv.EvalError(f'the given key "{name}" does not identify an element in this collection value')
        return obj[name]
    if isinstance(obj, list):
        number = tv.to_number(key)
        if not isinstance(number, int) and not (isinstance(number, float) and number.is_integer()):
            raise tv.EvalError("the index must be a whole number")
        position = int(number)
        if position < 0 or position >= len(obj):
            raise tv.EvalError(f"the given key {position} is out of range ({len(obj)} elements)")
        return obj[position]
    raise tv.EvalError(f"cannot index a {tv.type_name(obj)} value")


def _splat(expr: ast.Splat, scope: Scope) -> Result:
    source, steps = evaluate(expr.source, scope)
    if isinstance(source, Unknown):
        return source, steps
    if source is None:
        return [], steps
    items = source if isinstance(source, list) else [source]
    out: list[object] = []
    for item in items:
        value, item_steps = evaluate(expr.each, ChildScope(scope, {_SPLAT: (item, NO_STEPS)}))
        out.append(value)
        steps += item_steps
    return out, steps


def _splat_item(expr: ast.SplatItem, scope: Scope) -> Result:
    return scope.lookup(_SPLAT, expr)


def _tuple(expr: ast.TupleExpr, scope: Scope) -> Result:
    out: list[object] = []
    steps: Steps = NO_STEPS
    for item in expr.items:
        value, item_steps = evaluate(item, scope)
        out.append(value)
        steps += item_steps
    return out, steps


def _object(expr: ast.ObjectExpr, scope: Scope) -> Result:
    out: dict[str, object] = {}
    steps: Steps = NO_STEPS
    for key_expr, value_expr in expr.items:
        key, key_steps = _object_key(key_expr, scope)
        value, value_steps = evaluate(value_expr, scope)
        steps += key_steps + value_steps
        if isinstance(key, Unknown):
            return key, steps
        out[_key_name(key)] = value
    return out, steps


def _key_name(key: object) -> str:
    """A known object key as a string. Terraform refuses a null key; a `None` key would
    break `jsonencode` and anything else that sorts the keys."""
    name = tv.to_string(key)
    if not isinstance(name, str):  # None: callers return an Unknown key before this
        raise tv.EvalError("can't use a null value as a key")
    return name


def _object_key(key_expr: ast.Node, scope: Scope) -> Result:
    # A bare traversal key (`{ foo.bar = 1 }`) is an expression in Terraform only when
    # parenthesised; a lone identifier is a literal string (the parser gives a Literal).
    if isinstance(key_expr, ast.Variable):
        return key_expr.name, NO_STEPS
    return evaluate(key_expr, scope)


def _unary(expr: ast.Unary, scope: Scope) -> Result:
    value, steps = evaluate(expr.operand, scope)
    if isinstance(value, Unknown):
        return value, steps
    if expr.op == "!":
        if value is None:
            raise tv.EvalError("unsupported null operand for !")
        return not tv.to_bool(value), steps
    number = tv.to_number(value)
    if number is None:  # Terraform refuses it; `-None` would be a Python TypeError
        raise tv.EvalError(f"unsupported null operand for {expr.op}")
    return _number(-cast(tv.Number, number)), steps  # not Unknown: returned above


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


def _binary(expr: ast.Binary, scope: Scope) -> Result:
    op = expr.op
    left, steps = evaluate(expr.left, scope)
    if op in ("&&", "||"):
        return _logical(op, left, steps, expr, scope)
    right, right_steps = evaluate(expr.right, scope)
    steps += right_steps
    if op == "==":
        return _compare_equal(left, right, expr, scope, negate=False), steps
    if op == "!=":
        return _compare_equal(left, right, expr, scope, negate=True), steps
    for value in (left, right):
        if isinstance(value, Unknown):
            return value, steps
    a, b = tv.to_number(left), tv.to_number(right)
    if a is None or b is None:
        raise tv.EvalError(f"unsupported null operand for {op}")
    a, b = cast(tv.Number, a), cast(tv.Number, b)  # not Unknown: unknown operands returned above
    if op in _ARITHMETIC:
        return _number(_ARITHMETIC[op](a, b)), steps
    if op == "/":
        if b == 0:
            return (math.inf if a > 0 else -math.inf if a < 0 else math.nan), steps
        return _number(a / b), steps
    if op == "%":
        if b == 0:
            raise tv.EvalError("cannot compute modulo by zero")
        return _number(math.fmod(a, b)), steps
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op], steps


def _number(value: float) -> float | int:
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return int(value)
    return value


def _logical(op: str, left: object, steps: Steps, expr: ast.Binary, scope: Scope) -> Result:
    # Terraform evaluates both operands (no short circuit) but an unknown operand is
    # decisive only when the known one does not settle the result.
    right, right_steps = evaluate(expr.right, scope)
    steps += right_steps
    lb = left if isinstance(left, Unknown) else tv.to_bool(left)
    rb = right if isinstance(right, Unknown) else tv.to_bool(right)
    if op == "&&":
        if lb is False or rb is False:
            return False, steps
    elif lb is True or rb is True:
        return True, steps
    for value in (lb, rb):
        if isinstance(value, Unknown):
            return value, steps
    return (lb and rb) if op == "&&" else (lb or rb), steps


def _compare_equal(left: object, right: object, node: ast.Node, scope: Scope, negate: bool) -> object:
    for value in (left, right):
        found = contains_unknown(value)
        if found is not None:
            return found
    result = tv.equals(left, right)
    return (not result) if negate else result


def _conditional(expr: ast.Conditional, scope: Scope) -> Result:
    cond, steps = evaluate(expr.cond, scope)
    if isinstance(cond, Unknown):
        return cond, steps
    if cond is None:
        raise tv.EvalError("the condition value is null")
    chosen = expr.true_expr if tv.to_bool(cond) else expr.false_expr
    value, branch_steps = evaluate(chosen, scope)
    return value, steps + branch_steps


def _template(expr: ast.Template, scope: Scope) -> Result:
    parts = expr.parts
    if len(parts) == 1 and isinstance(parts[0], ast.Interp):
        return evaluate(parts[0].expr, scope)
    return _render_parts(parts, scope)


UNKNOWN_MARKER = "IACLINT_UNKNOWN_VALUE"


@dataclass(frozen=True, slots=True)
class PartialUnknown(Unknown):
    """A template string with unknown parts: unknown as a whole, but `partial` holds the
    text with each unknown part replaced by UNKNOWN_MARKER, for readers that can use the
    known rest (a CloudFormation template in a heredoc)."""

    partial: str = ""


def _render_parts(parts: list[ast.TemplatePart], scope: Scope) -> Result:
    out: list[str] = []
    steps: Steps = NO_STEPS
    first_unknown: Unknown | None = None
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value, part_steps = _render_part(part, scope)
        steps += part_steps
        if isinstance(value, Unknown):
            if first_unknown is None:
                first_unknown = value
            out.append(value.partial if isinstance(value, PartialUnknown) else UNKNOWN_MARKER)
            continue
        out.append(cast(str, value))  # a rendered part is a string or an Unknown
    if first_unknown is not None:
        return PartialUnknown(first_unknown.reason, first_unknown.location, "".join(out)), steps
    return "".join(out), steps


def _render_part(part: ast.Node, scope: Scope) -> Result:
    if isinstance(part, ast.Interp):
        value, steps = evaluate(part.expr, scope)
        if isinstance(value, Unknown):
            return value, steps
        if value is None:
            raise tv.EvalError("the interpolated value is null")
        return tv.to_string(value), steps
    if isinstance(part, ast.IfDirective):
        cond, steps = evaluate(part.cond, scope)
        if isinstance(cond, Unknown):
            return cond, steps
        if cond is None:
            raise tv.EvalError("the condition value is null")
        chosen = part.then_parts if tv.to_bool(cond) else part.else_parts
        text, more = _render_parts(chosen, scope)
        return text, steps + more
    if isinstance(part, ast.ForDirective):
        return _render_for(part, scope)
    raise tv.EvalError(f"unsupported template part {type(part).__name__}")


def _render_for(part: ast.ForDirective, scope: Scope) -> Result:
    collection, steps = evaluate(part.collection, scope)
    if isinstance(collection, Unknown):
        return collection, steps
    out: list[str] = []
    for key, value in _iterate(collection):
        names = {part.value_var: (value, NO_STEPS)}
        if part.key_var:
            names[part.key_var] = (key, NO_STEPS)
        text, more = _render_parts(part.body, ChildScope(scope, names))
        steps += more
        if isinstance(text, Unknown):
            return text, steps
        out.append(cast(str, text))  # rendered parts are a string or an Unknown
    return "".join(out), steps


def _iterate(collection: object) -> list[tuple[object, object]]:
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if collection is None:
        raise tv.EvalError("cannot iterate over a null value")
    raise tv.EvalError(f"cannot iterate over a {tv.type_name(collection)} value")


def _for(expr: ast.ForExpr, scope: Scope) -> Result:
    collection, steps = evaluate(expr.collection, scope)
    if isinstance(collection, Unknown):
        return collection, steps
    is_object = expr.key_expr is not None
    tuple_out: list[object] = []
    object_out: dict[str, object] = {}
    for key, value in _iterate(collection):
        names = {expr.value_var: (value, NO_STEPS)}
        if expr.key_var:
            names[expr.key_var] = (key, NO_STEPS)
        inner = ChildScope(scope, names)
        if expr.cond is not None:
            keep, cond_steps = evaluate(expr.cond, inner)
            steps += cond_steps
            if isinstance(keep, Unknown):
                return keep, steps
            if not tv.to_bool(keep):
                continue
        item, item_steps = evaluate(expr.value_expr, inner)
        steps += item_steps
        if expr.key_expr is None:  # `[for ...]`: a tuple result (is_object is False)
            tuple_out.append(item)
            continue
        out_key, key_steps = evaluate(expr.key_expr, inner)
        steps += key_steps
        if isinstance(out_key, Unknown):
            return out_key, steps
        name = _key_name(out_key)
        if expr.group:
            cast("list[object]", object_out.setdefault(name, [])).append(item)
        elif name in object_out:
            raise tv.EvalError(f'duplicate object key "{name}"; use the ellipsis (...) to group values')
        else:
            object_out[name] = item
    return (object_out if is_object else tuple_out), steps


def _call(expr: ast.FunctionCall, scope: Scope) -> Result:
    name = expr.name
    if name in ("try", "can"):
        return _try_or_can(expr, scope)
    args: list[object] = []
    steps: Steps = NO_STEPS
    for arg in expr.args:
        value, arg_steps = evaluate(arg, scope)
        args.append(value)
        steps += arg_steps
    if expr.expand_final and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return last, steps
        if not isinstance(last, list):
            raise tv.EvalError("the final argument before ... must be a list, tuple or set")
        args.extend(last)
    if name in FILE_FUNCTIONS:
        return scope.call_file_function(name, args, expr), steps
    function = FUNCTIONS.get(name)
    if function is None:
        kind = "provider-defined function" if "::" in name else "function"
        return unknown(scope, expr, f"{kind} {name}() is not evaluated by iaclint"), steps
    if name not in _UNKNOWN_TOLERANT:
        for given in args:
            found = contains_unknown(given)
            if found is not None:
                return found, steps
    return function(*args), steps


# Functions whose result can be known even when some argument holds unknowns.
_UNKNOWN_TOLERANT = frozenset({"length", "coalesce", "merge", "concat", "lookup", "keys"})


def _try_or_can(expr: ast.FunctionCall, scope: Scope) -> Result:
    """`try` returns the first argument that evaluates without error; an unknown argument
    stops the search (Terraform cannot know yet whether it would fail). `can` is true when
    its argument evaluates."""
    steps: Steps = NO_STEPS
    for arg in expr.args:
        try:
            value, arg_steps = evaluate(arg, scope)
        except tv.EvalError:
            continue
        steps += arg_steps
        if expr.name == "can":
            return (value if isinstance(value, Unknown) else True), steps
        return value, steps
    if expr.name == "can":
        return False, steps
    raise tv.EvalError("no expression given to try() could be evaluated without an error")


# Each handler takes its own node class; `evaluate` dispatches on the exact type.
_HANDLERS: dict[type, Callable[[Any, Scope], Result]] = {
    ast.Literal: _literal,
    ast.Parens: _parens,
    ast.Variable: _variable,
    ast.GetAttr: _get_attr,
    ast.Index: _index,
    ast.Splat: _splat,
    ast.SplatItem: _splat_item,
    ast.TupleExpr: _tuple,
    ast.ObjectExpr: _object,
    ast.Unary: _unary,
    ast.Binary: _binary,
    ast.Conditional: _conditional,
    ast.Template: _template,
    ast.ForExpr: _for,
    ast.FunctionCall: _call,
}
