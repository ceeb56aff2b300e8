"""The HCL2 native-syntax parser (`linter.parsers.hcl`): exact trees for each construct,
positions, error messages, a fuzz check that only `HclSyntaxError` escapes, and a
differential run over the Terraform corpus against python-hcl2 (and, when the binary is
on PATH, against `terraform fmt` for a few edge cases where the two disagree)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from linter.parsers import hcl_ast as ast
from linter.parsers.hcl import parse, parse_expression, parse_template

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "terraform"


def sx(node: Any) -> Any:
    """A compact, comparable form of a tree: literals are their value, a variable is
    ("var", name), everything else a tuple tagged with its operator or kind."""
    if isinstance(node, (str, int, float, bool)) or node is None:
        return node
    kind = type(node).__name__
    fields = {
        "Literal": lambda n: n.value,
        "Variable": lambda n: ("var", n.name),
        "GetAttr": lambda n: (".", sx(n.obj), n.name),
        "Index": lambda n: ("[]", sx(n.obj), sx(n.key)),
        "SplatItem": lambda n: ("item",),
        "Splat": lambda n: ("splat", sx(n.source), sx(n.each)),
        "FunctionCall": lambda n: ("call", n.name, [sx(a) for a in n.args], n.expand_final),
        "TupleExpr": lambda n: [sx(i) for i in n.items],
        "ObjectExpr": lambda n: ("{}", [(sx(k), sx(v)) for k, v in n.items]),
        "Unary": lambda n: (n.op, sx(n.operand)),
        "Binary": lambda n: (n.op, sx(n.left), sx(n.right)),
        "Conditional": lambda n: ("?", sx(n.cond), sx(n.true_expr), sx(n.false_expr)),
        "ForExpr": lambda n: ("for", n.key_var, n.value_var, sx(n.collection), sx(n.key_expr),
                              sx(n.value_expr), sx(n.cond), n.group),
        "Parens": lambda n: ("()", sx(n.expr)),
        "Template": lambda n: ("tpl", [sx(p) for p in n.parts]),
        "Interp": lambda n: ("${}", sx(n.expr)),
        "IfDirective": lambda n: ("%if", sx(n.cond), [sx(p) for p in n.then_parts],
                                  [sx(p) for p in n.else_parts]),
        "ForDirective": lambda n: ("%for", n.key_var, n.value_var, sx(n.collection),
                                   [sx(p) for p in n.body]),
        "Attribute": lambda n: ("=", n.name, sx(n.expr)),
        "Block": lambda n: ("block", n.type, n.labels, sx(n.body)),
        "Body": lambda n: [sx(a) for a in n.attributes] + [sx(b) for b in n.blocks],
    }
    return fields[kind](node)


def expr(text: str) -> Any:
    return sx(parse_expression(text))


def value(text: str) -> Any:
    """The expression of the single attribute `v` of a file."""
    body = parse(text)
    assert [a.name for a in body.attributes] == ["v"] and not body.blocks
    return sx(body.attributes[0].expr)


def error(text: str) -> tuple[str, int, int]:
    with pytest.raises(ast.HclSyntaxError) as caught:
        parse(text)
    return caught.value.message, caught.value.line, caught.value.col


VAR_X = (".", ("var", "var"), "x")

# ---------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("source, expected", [
    ("1", 1), ("1.5", 1.5), ("1e3", 1000.0), ("0.5e-2", 0.005), ("1.e5", 100000.0),
    ("-1", -1), ("- 2.5", -2.5), ("true", True), ("false", False), ("null", None),
    ("a-b_1", ("var", "a-b_1")), ("été", ("var", "été")), ("for", ("var", "for")),
])
def test_literals_and_identifiers(source: str, expected: Any) -> None:
    assert expr(source) == expected


def test_number_types() -> None:
    assert type(expr("10")) is int
    assert type(expr("10.0")) is float
    assert type(expr("-1")) is int


def test_operators_and_provider_functions() -> None:
    assert expr("a || b && c") == ("||", ("var", "a"), ("&&", ("var", "b"), ("var", "c")))
    assert expr("f(x...)") == ("call", "f", [("var", "x")], True)
    assert expr("provider::aws::arn_parse(x)") == ("call", "provider::aws::arn_parse", [("var", "x")], False)
    assert expr("provider :: aws :: arn_parse()") == ("call", "provider::aws::arn_parse", [], False)


def test_comments_everywhere_whitespace_is() -> None:
    source = """# top
// also top
v = [ # after the bracket
  1, /* inline */ 2, // trailing
  /* multi
     line */ 3,
  f(4, # in arguments
    5),
  { a = 1 # in an object
    b /* before the equals */ = 2 },
]
"""
    assert value(source) == [1, 2, 3, ("call", "f", [4, 5], False), ("{}", [("a", 1), ("b", 2)])]


def test_newlines_end_attributes_but_not_bracketed_expressions() -> None:
    assert value("v = [1\n + 2,\n a\n ? b\n : c]\n") == [("+", 1, 2), ("?", ("var", "a"), ("var", "b"), ("var", "c"))]
    assert value("v = (1\n+ 2)\n") == ("()", ("+", 1, 2))
    assert error("v = 1\n+ 2\n") == ('expected an attribute or a block, found "+"', 2, 1)


def test_object_items_are_separated_by_newlines() -> None:
    # Terraform reads a newline inside an object as an item separator, so an operator
    # at the start of the next line is an error there (unlike in a tuple).
    assert value("v = {\n a = 1\n b = 2,\n\n c = 3,\n}\n") == ("{}", [("a", 1), ("b", 2), ("c", 3)])
    assert error("v = { a = true\n ? 1 : 2 }\n")[0] == 'expected an expression, found "?"'
    assert error("v = { a = 1 b = 2 }\n") == ('expected a newline, "," or "}", found "b"', 1, 13)


def test_line_endings_and_bom() -> None:
    body = parse("\ufeffa = 1\r\nb = [\r\n 2]\r\n\rc = 3\nd = 4")
    assert sx(body) == [("=", "a", 1), ("=", "b", [2]), ("=", "c", 3), ("=", "d", 4)]
    assert [(a.line, a.col, a.end_line) for a in body.attributes] == [(1, 1, 1), (2, 1, 3), (4, 2, 4), (5, 1, 5)]


# ---------------------------------------------------------------------------- strings


def test_quoted_string_escapes() -> None:
    assert expr(r'"a\nb\r\t\"\\\u00e9\U0001F600"') == 'a\nb\r\t"\\é😀'
    assert expr('"$${x} %%{y} $$ %% $x %x $"') == "${x} %{y} $$ %% $x %x $"


def test_interpolation_with_nested_strings_and_braces() -> None:
    assert expr('"${join(",", ["a"])}"') == ("tpl", [("${}", ("call", "join", [",", ["a"]], False))])
    assert expr('"<${ {a = "}"}.a }>"') == ("tpl", ["<", ("${}", (".", ("{}", [("a", "}")]), "a")), ">"])
    assert expr('"${"${x}"}"') == ("tpl", [("${}", ("tpl", [("${}", ("var", "x"))]))])
    assert expr('"${\n x\n}"') == ("tpl", [("${}", ("var", "x"))])


def test_strip_markers_in_quoted_strings() -> None:
    assert expr(r'"a \n  ${~ x ~}  \n b"') == ("tpl", ["a", ("${}", ("var", "x")), "b"])
    assert expr('"a ${x ~} b ${~ y} c"') == ("tpl", ["a ", ("${}", ("var", "x")), "b", ("${}", ("var", "y")), " c"])


def test_directives_nest() -> None:
    source = '"%{ if a }A%{ for k, v in m }[${k}]%{ if v }!%{ else }?%{ endif }%{ endfor }%{ else }B%{ endif }"'
    inner_if = ("%if", ("var", "v"), ["!"], ["?"])
    loop = ("%for", "k", "v", ("var", "m"), ["[", ("${}", ("var", "k")), "]", inner_if])
    assert expr(source) == ("tpl", [("%if", ("var", "a"), ["A", loop], ["B"])])


def test_directive_strip_markers() -> None:
    assert expr('"%{ for x in xs ~}  ${x},  %{~ endfor ~}  end"') == (
        "tpl", [("%for", None, "x", ("var", "xs"), [("${}", ("var", "x")), ","]), "end"])


def test_template_of_one_interpolation_is_kept_as_template() -> None:
    assert expr('"${var.x}"') == ("tpl", [("${}", VAR_X)])
    assert expr('"plain"') == "plain"
    assert expr('""') == ""


# ---------------------------------------------------------------------------- heredocs


def test_heredoc_value_ends_with_the_last_newline() -> None:
    assert value("v = <<EOT\nabc\nEOT\n") == "abc\n"
    assert value("v = <<EOT\nEOT\n") == ""
    assert value("v = <<EOT\n\nEOT\n") == "\n"


def test_heredoc_marker_may_have_surrounding_whitespace() -> None:
    assert value("v = <<EOT\nabc\nEOT  \n") == "abc\n"
    assert value("v = <<EOT\nabc\n  EOT\t \n") == "abc\n"
    assert value("v = <<EOT\nx\nEOTX\nEOT\n") == "x\nEOTX\n"


def test_heredoc_indented_form() -> None:
    assert value("v = <<-EOT\n    a\n      b\n    EOT\n") == "a\n  b\n"
    # blank lines do not count towards the indentation and keep their own spaces
    assert value("v = <<-EOT\n    a\n  \n\n      b\n\tEOT\n") == "a\n  \n\n  b\n"
    # a line that starts with an interpolation has no indentation to remove
    assert value("v = <<-EOT\n  a\n${x}\nEOT\n") == ("tpl", ["  a\n", ("${}", ("var", "x")), "\n"])
    assert value("v = <<-EOT\n    a ${x}\n    b\n  EOT\n") == ("tpl", ["a ", ("${}", ("var", "x")), "\nb\n"])


def test_heredoc_templates_and_escapes() -> None:
    source = 'v = <<EOT\necho "unseal step one \\\nand step two"\n$${x} %%{y} \\n ${var.x}\n%{ if a }yes%{ endif }\nEOT\n'
    assert value(source) == ("tpl", [
        'echo "unseal step one \\\nand step two"\n${x} %{y} \\n ', ("${}", VAR_X), "\n",
        ("%if", ("var", "a"), ["yes"], []), "\n"])


def test_heredoc_strip_markers_work_per_line() -> None:
    # hclsyntax cuts heredoc text at every line end, and "~" trims one piece only
    assert value('v = <<EOT\na   \n\n  ${~ "x" ~}  \n\n   b\nEOT\n') == ("tpl", ["a   \n\n", ("${}", "x"), "\n   b\n"])


def test_heredoc_with_crlf_keeps_the_carriage_returns() -> None:
    body = parse("v = <<-EOT\r\n    abc\r\n      d\r\n    EOT\r\nw = 1\r\n")
    assert sx(body) == [("=", "v", "abc\r\n  d\r\n"), ("=", "w", 1)]
    assert [a.end_line for a in body.attributes] == [4, 5]


def test_heredoc_marker_inside_an_interpolation_is_not_the_end() -> None:
    assert value("v = <<EOT\n${\nEOT\n}\nEOT\n") == ("tpl", [("${}", ("var", "EOT")), "\n"])


def test_heredoc_in_brackets_and_function_arguments() -> None:
    assert value("v = [<<EOT\na\nEOT\n, f(<<-X\n  b\n  X\n)]\n") == ["a\n", ("call", "f", ["b\n"], False)]


# ---------------------------------------------------------------------------- bodies


def test_attributes_and_blocks() -> None:
    source = """a = 1
resource "aws_s3_bucket" b {
  bucket = "x"
  versioning { enabled = true }
  tags {}
  dynamic "rule" {
    for_each = var.rules
    content {
      in = rule.value
    }
  }
}
for = 2
if "x" {
}
"""
    rule = ("block", "dynamic", ("rule",), [
        ("=", "for_each", (".", ("var", "var"), "rules")),
        ("block", "content", (), [("=", "in", (".", ("var", "rule"), "value"))])])
    assert sx(parse(source)) == [
        ("=", "a", 1), ("=", "for", 2),
        ("block", "resource", ("aws_s3_bucket", "b"), [
            ("=", "bucket", "x"),
            ("block", "versioning", (), [("=", "enabled", True)]),
            ("block", "tags", (), []),
            rule]),
        ("block", "if", ("x",), []),
    ]


def test_positions_and_end_lines() -> None:
    source = 'a = 1\nresource "t" "n" {\n  x = [\n    1,\n  ]\n  y = <<EOT\nz\nEOT\n  inner {\n  }\n}\n'
    body = parse(source)
    block = body.blocks[0]
    assert (block.line, block.col, block.end_line) == (2, 1, 11)
    x, y = block.body.attributes
    assert (x.line, x.col, x.end_line) == (3, 3, 5)
    assert (y.line, y.col, y.end_line) == (6, 3, 8)
    items: Any = x.expr
    assert (items.line, items.col, items.items[0].line, items.items[0].col) == (3, 7, 4, 5)
    inner = block.body.blocks[0]
    assert (inner.line, inner.col, inner.end_line) == (9, 3, 10)


def test_expression_positions() -> None:
    node: Any = parse_expression("a.b[c] + f(\"é${d}\")")
    assert (node.line, node.col) == (1, 1)
    index = node.left
    assert (index.line, index.col, index.key.line, index.key.col) == (1, 1, 1, 5)
    call = node.right
    assert (call.line, call.col) == (1, 10)
    template = call.args[0]
    assert (template.line, template.col) == (1, 12)
    interp = template.parts[1]
    assert (interp.line, interp.col, interp.expr.col) == (1, 14, 16)  # columns count characters


def test_offset_positions() -> None:
    node: Any = parse_expression("\n  x", line=10, col=5)
    assert (node.line, node.col) == (11, 3)
    node = parse_expression("a + b", line=3, col=7)
    assert (node.right.line, node.right.col) == (3, 11)
    template: Any = parse_template("ab${x}", line=2, col=4)
    assert (template.line, template.col, template.parts[1].line, template.parts[1].col) == (2, 4, 2, 6)


def test_duplicate_attribute_is_an_error() -> None:
    assert error('a = 1\nb {\n  x = 1\n  y = 2\n  x = 3\n}\n') == ('attribute "x" redefined at line 5 (first set at line 3)', 5, 3)


def test_same_name_for_attribute_and_block_is_allowed() -> None:
    assert sx(parse("a = 1\na {}\n")) == [("=", "a", 1), ("block", "a", (), [])]


# ---------------------------------------------------------------------------- expressions


@pytest.mark.parametrize("source, expected", [
    ("a ? b : c || d", ("?", ("var", "a"), ("var", "b"), ("||", ("var", "c"), ("var", "d")))),
    ("a || b && c == d", ("||", ("var", "a"), ("&&", ("var", "b"), ("==", ("var", "c"), ("var", "d"))))),
    ("a == b < c", ("==", ("var", "a"), ("<", ("var", "b"), ("var", "c")))),
    ("a < b + c", ("<", ("var", "a"), ("+", ("var", "b"), ("var", "c")))),
    ("a + b * c", ("+", ("var", "a"), ("*", ("var", "b"), ("var", "c")))),
    ("a * b + c * d", ("+", ("*", ("var", "a"), ("var", "b")), ("*", ("var", "c"), ("var", "d")))),
    ("a - b - c", ("-", ("-", ("var", "a"), ("var", "b")), ("var", "c"))),
    ("5 % 3 / 2", ("/", ("%", 5, 3), 2)),
    ("1 < 2 < 3", ("<", ("<", 1, 2), 3)),
    ("!a == b", ("==", ("!", ("var", "a")), ("var", "b"))),
    ("-a.b * 2", ("*", ("-", (".", ("var", "a"), "b")), 2)),
    ("!!true", ("!", ("!", True))),
    ("--1", 1),
    ("-2 * -3 + 1 - -1", ("-", ("+", ("*", -2, -3), 1), -1)),
    ("a ? b ? 1 : 2 : 3", ("?", ("var", "a"), ("?", ("var", "b"), 1, 2), 3)),
    ("a ? 1 : b ? 2 : 3", ("?", ("var", "a"), 1, ("?", ("var", "b"), 2, 3))),
    ("a >= b != c <= d", ("!=", (">=", ("var", "a"), ("var", "b")), ("<=", ("var", "c"), ("var", "d")))),
])
def test_precedence(source: str, expected: Any) -> None:
    assert expr(source) == expected


@pytest.mark.parametrize("source, expected", [
    ("a[*]", ("splat", ("var", "a"), ("item",))),
    ("a[*].b[0]", ("splat", ("var", "a"), ("[]", (".", ("item",), "b"), 0))),
    ("a [ * ] . b", ("splat", ("var", "a"), (".", ("item",), "b"))),
    ("a[*].b[*].c", ("splat", ("var", "a"), ("splat", (".", ("item",), "b"), (".", ("item",), "c")))),
    ("a.*", ("splat", ("var", "a"), ("item",))),
    ("a.*.b.0.c", ("splat", ("var", "a"), (".", ("[]", (".", ("item",), "b"), 0), "c"))),
    ("a.*.b[0]", ("[]", ("splat", ("var", "a"), (".", ("item",), "b")), 0)),
    ("a[*].*.b", ("splat", ("var", "a"), ("splat", ("item",), (".", ("item",), "b")))),
    ("a.0.b", (".", ("[]", ("var", "a"), 0), "b")),
    ("a.b[\"c\"][0].d", (".", ("[]", ("[]", (".", ("var", "a"), "b"), "c"), 0), "d")),
    ("a.true", (".", ("var", "a"), "true")),
    ("[1, 2][0]", ("[]", [1, 2], 0)),
    ("f(x).y", (".", ("call", "f", [("var", "x")], False), "y")),
])
def test_traversals_and_splats(source: str, expected: Any) -> None:
    assert expr(source) == expected


def test_legacy_index_cannot_be_chained() -> None:
    with pytest.raises(ast.HclSyntaxError, match=r'invalid legacy index "\.0\.1"'):
        parse_expression("a.0.1")
    with pytest.raises(ast.HclSyntaxError, match=r'invalid number "10\.11\.10\.12"'):
        parse_expression("10.11.10.12/32")


def test_object_keys() -> None:
    source = '{ a = 1, "b" = 2, (var.k) = 3, c: 4, local.k = 5, "x${y}" = 6, in = 7, for = 8, true = 9 }'
    assert expr(source) == ("{}", [
        ("a", 1), ("b", 2), (("()", (".", ("var", "var"), "k")), 3), ("c", 4),
        ((".", ("var", "local"), "k"), 5),  # Terraform rejects this key when evaluating it
        (("tpl", ["x", ("${}", ("var", "y"))]), 6), ("in", 7), ("for", 8), ("true", 9)])
    assert expr("{ null = 1, (null) = 2, false: 3 }") == ("{}", [("null", 1), (("()", None), 2), ("false", 3)])


def test_tuples() -> None:
    assert expr("[]") == []
    assert expr("[a, b,]") == [("var", "a"), ("var", "b")]
    assert expr("[\n  1,\n  2\n]") == [1, 2]


@pytest.mark.parametrize("source, expected", [
    ("[for v in coll : v]", ("for", None, "v", ("var", "coll"), None, ("var", "v"), None, False)),
    ("[for k, v in coll : k if v]", ("for", "k", "v", ("var", "coll"), None, ("var", "k"), ("var", "v"), False)),
    ("{for k, v in coll : k => v}", ("for", "k", "v", ("var", "coll"), ("var", "k"), ("var", "v"), None, False)),
    ("{for v in coll : v.k => v... if v.ok}", (
        "for", None, "v", ("var", "coll"), (".", ("var", "v"), "k"), ("var", "v"),
        (".", ("var", "v"), "ok"), True)),
    ("{\n  # why\n  for k, v in x :\n  k => v\n  if v\n}", (
        "for", "k", "v", ("var", "x"), ("var", "k"), ("var", "v"), ("var", "v"), False)),
    ("[for x in a ? b : c : x]", (
        "for", None, "x", ("?", ("var", "a"), ("var", "b"), ("var", "c")), None, ("var", "x"), None, False)),
])
def test_for_expressions(source: str, expected: Any) -> None:
    assert expr(source) == expected


def test_for_right_after_a_brace_always_starts_a_for_expression() -> None:
    # As in Terraform: `{for = 1}` is a broken for expression, `{a = 1, for = 2}` an object.
    with pytest.raises(ast.HclSyntaxError, match='expected a variable name after "for", found "="'):
        parse_expression("{for = 1}")
    with pytest.raises(ast.HclSyntaxError, match='expected "=>"'):
        parse_expression("{for x in y : x}")
    with pytest.raises(ast.HclSyntaxError, match=r'expected "\]", found "=>"'):
        parse_expression("[for x in y : x => x]")


def test_function_calls() -> None:
    assert expr("f()") == ("call", "f", [], False)
    assert expr("f(\n  1,\n  2,\n)") == ("call", "f", [1, 2], False)
    assert expr("merge(a, b\n ...)") == ("call", "merge", [("var", "a"), ("var", "b")], True)
    with pytest.raises(ast.HclSyntaxError, match=r'expected "\)", found ","'):
        parse_expression("f(x...,)")
    with pytest.raises(ast.HclSyntaxError, match='expected "\\(" after the function name "provider::a::b"'):
        parse_expression("provider::a::b")


def test_parens_are_kept() -> None:
    assert expr("(a + b) * c") == ("*", ("()", ("+", ("var", "a"), ("var", "b"))), ("var", "c"))


# ---------------------------------------------------------------------------- parse_template


def test_parse_template_reads_json_strings() -> None:
    assert sx(parse_template("${var.x}")) == ("tpl", [("${}", VAR_X)])
    assert sx(parse_template("plain")) == "plain"
    assert sx(parse_template("a $${b} %%{c} \\n \"q\"")) == 'a ${b} %{c} \\n "q"'
    assert sx(parse_template("%{ if x }y%{ endif }")) == ("tpl", [("%if", ("var", "x"), ["y"], [])])
    assert sx(parse_template("")) == ""


def test_parse_expression_must_consume_everything() -> None:
    with pytest.raises(ast.HclSyntaxError, match='unexpected "b" after the expression'):
        parse_expression("a b")


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize("source, expected", [
    ('resource "a" "b" {\n  x = 1\n', ('unclosed block "resource" opened at line 1', 1, 18)),
    ("foo\n", ('expected "=" or a block after "foo", found a newline', 1, 4)),
    ('a = "abc\n', ("unterminated string", 1, 5)),
    ('a = "abc', ("unterminated string", 1, 5)),
    ("a = 1\n\nb = <<EOT\nabc\nEOT", ("unterminated heredoc <<EOT opened at line 3", 3, 5)),
    ("a = <<EOT \nx\nEOT\n", ("a heredoc opener must be <<ID or <<-ID directly followed by a newline", 1, 5)),
    ('a = "\\q"\n', ('invalid escape sequence "\\q"', 1, 6)),
    ('a = "${x"\n', ('expected "}" to end the interpolation opened at line 1, found a string', 1, 9)),
    ('a = "${local.a[${x}]}"\n', ('unexpected "$": an interpolation "${" is only valid inside a string', 1, 16)),
    ('a = "%{ if x }y"\n', ("missing %{ endif } for the %{ if } at line 1", 1, 5)),
    ('a = "%{ endif }"\n', ("%{ endif } without a matching %{ if }", 1, 6)),
    ('a = "%{ foo }"\n', ('"foo" is not a template directive (if, else, endif, for, endfor)', 1, 6)),
    ("a = [1, 2\n", ('unclosed "[" opened at line 1', 1, 5)),
    ("a = [1 2]\n", ('expected "," or "]", found the number 2', 1, 8)),
    ("a = f(1\n", ('unclosed "(" opened at line 1', 1, 6)),
    ("a = 1 b = 2\n", ('expected a newline after the value of "a", found "b"', 1, 7)),
    ("provider \"aws\"\n{\n}\n", ('the "{" of block "provider" must be on the same line as its header', 1, 15)),
    ("b {\n  c = 1}\n", ('expected a newline after the value of "c", found "}"', 2, 8)),
    ("b { c = 1 } d = 2\n", ('expected a newline after the "}" of block "b", found "d"', 1, 13)),
    ("b { c = 1\n}\n", ('a single-line block "b" must end with "}" right after its attribute, found a newline', 1, 10)),
    ("b { c {} }\n", ('a single-line block "b" can hold only one attribute; put nested blocks on their own lines', 1, 5)),
    ('b "x${y}" {}\n', ("a block label cannot contain interpolations or directives", 1, 3)),
    ("a = 1 /* never closed\n", ('unterminated comment "/*"', 1, 7)),
    ("}\n", ('expected an attribute or a block, found "}"', 1, 1)),
    ("a = { b = 1\n", ('unclosed "{" opened at line 1', 1, 5)),
    ("b {", ('unclosed block "b" opened at line 1', 1, 3)),
    ('a = "\\u12"\n', ('the escape "\\u" must be followed by 4 hexadecimal digits', 1, 6)),
])
def test_error_messages(source: str, expected: tuple[str, int, int]) -> None:
    assert error(source) == expected


def test_deep_nesting_is_a_syntax_error() -> None:
    with pytest.raises(ast.HclSyntaxError, match="nested too deeply"):
        parse("a = " + "[" * 5000)
    with pytest.raises(ast.HclSyntaxError, match="nested too deeply"):
        parse("a {\n" * 1000)


def corpus_files(*suffixes: str) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in suffixes and p.is_file())


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig", errors="replace")


def test_fuzzed_corpus_files_raise_only_syntax_errors() -> None:
    files = corpus_files(".tf", ".tofu", ".tfvars")
    rng = random.Random(20240601)
    tokens = ['"', "${", "%{", "}", "{", "(", "]", "\n", "~", "<<EOT\n", "/*", "\\", ".*", "...", "::", "?"]
    for _ in range(600):
        text = read(rng.choice(files))
        cut = rng.randrange(len(text) + 1)
        for broken in (text[:cut], text[:cut] + rng.choice(tokens) + text[cut:]):
            for function in (parse, parse_expression, parse_template):
                try:
                    function(broken)
                except ast.HclSyntaxError:
                    pass


# ---------------------------------------------------------------------------- differential

# Files on which python-hcl2 and Terraform disagree; `terraform fmt` (v1.11) decides, and
# the parser follows Terraform.
TERRAFORM_REJECTS_LARK_ACCEPTS = {
    "amplify-education__python-hcl2/test/helpers/terraform-config/backend.tf":
        'a block\'s "{" on the line after its header',
    "amplify-education__python-hcl2/test/integration/hcl2_original/smoke.tf":
        "an object item separator comma on its own line after a newline",
    "amplify-education__python-hcl2/test/integration/specialized/template_directives.tf":
        'backslash-escaped quotes (\\") inside a %{ if } directive of a quoted string',
    "amplify-education__python-hcl2/test/integration/specialized/template_directives_reconstructed.tf":
        'backslash-escaped quotes (\\") inside a %{ if } directive of a quoted string',
    "bridgecrewio__checkov/tests/terraform/checks/resource/alicloud/example_RDSInstanceSSL/main.tf":
        "an attribute set twice in one block",
    "bridgecrewio__checkov/tests/terraform/graph/checks/resources/S3BucketVersioning/main.tf":
        'an attribute followed by "}" on the same line in a multi-line block',
    "bridgecrewio__checkov/tests/terraform/graph/checks_infra/attribute_solvers/cidr_range_subset_solver/resources/main.tf":
        "an unquoted IP address (10.11.10.12/32) is an invalid number",
    "bridgecrewio__checkov/tests/terraform/graph/checks_infra/attribute_solvers/cidr_range_not_subset_solver/resources/main.tf":
        "an unquoted IP address (10.11.10.12/32) is an invalid number",
    "bridgecrewio__checkov/tests/terraform/graph/resources/variable_rendering/render_from_module_def_sg/main.tf":
        'the invalid escape "\\/" in a quoted string',
    "bridgecrewio__checkov/tests/terraform/graph/variable_rendering/test_resources/list_entry_module_var/module/main.tf":
        "an attribute set twice in one block",
    "bridgecrewio__checkov/tests/terraform/parser/resources/parser_scenarios/bad_tf_nested_modules_enable/skip_bad_tf_example.tf":
        "an attribute set twice in one block",
    "bridgecrewio__checkov/tests/terraform/parser/skip_bad_tf_example.tf":
        "an attribute set twice in one block",
    "bridgecrewio__checkov/tests/terraform/runner/resources/example/example.tf":
        "an attribute set twice in one block",
}
LARK_REJECTS_TERRAFORM_ACCEPTS = {
    "bridgecrewio__checkov/tests/terraform/checks/resource/aws/example_KMSKeyWildcardPrincipal/fail.tf":
        "spaces after a heredoc's closing marker",
}

# Files both accept but python-hcl2 reads differently from Terraform.
LARK_MISREADS = {
    "bridgecrewio__checkov/tests/terraform/checks/resource/aws/example_KMSKeyWildcardPrincipal/pass.tf":
        "spaces after a heredoc's closing marker: lark's heredoc runs on to a later marker"
        " and swallows four resources",
}

Summary = tuple[list[str], list[tuple[str, tuple[str, ...]]]]


def lark_summary(path: str) -> Summary | None:
    """Top-level attribute names and block (type, labels) from python-hcl2's lark tree,
    or None when it cannot parse the file."""
    import hcl2.api

    try:
        tree = hcl2.api.parses_to_tree(read(Path(path)))
    except Exception:  # lark raises several unrelated exception types
        return None
    body = tree.children[0]
    attributes = [_lark_name(item.children[0]) for item in body.children if item.data == "attribute"]
    blocks = []
    for item in body.children:
        if item.data == "block":
            names = [_lark_name(child) for child in item.children
                     if getattr(child, "data", None) in ("identifier", "keyword", "literal_value", "string")]
            blocks.append((names[0], tuple(names[1:])))
    return attributes, blocks


def _lark_name(node: Any) -> str:
    if node.data == "string":
        return "".join(part.children[0].value for part in node.children if getattr(part, "data", None) == "string_part")
    return str(node.children[0].value)


def our_summary(path: Path) -> Summary | None:
    try:
        body = parse(read(path))
    except ast.HclSyntaxError:
        return None
    return [a.name for a in body.attributes], [(b.type, b.labels) for b in body.blocks]


def lark_summaries(files: list[Path], cache: Any) -> dict[str, Summary | None]:
    """python-hcl2 takes ~20 s of CPU for the corpus: run it on every core and remember
    its answers in pytest's cache, keyed by file content, between runs."""
    import hcl2.version

    key = "iaclint/hcl-lark-summaries"
    stored = cache.get(key, {}) if cache is not None else {}
    digests = {str(p): f"{hcl2.version.version}:{hashlib.sha1(p.read_bytes()).hexdigest()}" for p in files}
    missing = [path for path, digest in digests.items() if digest not in stored]
    if missing:
        with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
            for path, summary in zip(missing, pool.map(lark_summary, missing, chunksize=16)):
                stored[digests[path]] = summary
        if cache is not None:
            cache.set(key, {digest: stored[digest] for digest in digests.values()})
    return {path: _as_summary(stored[digest]) for path, digest in digests.items()}


def _as_summary(raw: Any) -> Summary | None:
    """JSON (the cache) turns tuples into lists; turn them back."""
    if raw is None:
        return None
    attributes, blocks = raw
    return list(attributes), [(kind, tuple(labels)) for kind, labels in blocks]


def test_corpus_matches_python_hcl2(request: pytest.FixtureRequest) -> None:
    files = corpus_files(".tf")
    pytest.importorskip("hcl2.api")
    theirs = lark_summaries(files, getattr(request.config, "cache", None))  # None with -p no:cacheprovider
    ours = {str(p): our_summary(p) for p in files}
    relative = {str(p): p.relative_to(CORPUS).as_posix() for p in files}

    our_failures = {relative[p] for p, s in ours.items() if s is None}
    lark_failures = {relative[p] for p, s in theirs.items() if s is None}
    assert our_failures - lark_failures == set(TERRAFORM_REJECTS_LARK_ACCEPTS)
    assert lark_failures - our_failures == set(LARK_REJECTS_TERRAFORM_ACCEPTS)
    differences = [relative[p] for p in ours if ours[p] is not None and theirs[p] is not None and ours[p] != theirs[p]]
    assert differences == list(LARK_MISREADS)


# ---------------------------------------------------------------------------- terraform


@pytest.mark.parametrize("source", [
    "a = <<EOT\nx\nEOT  \nb = 1\n",
    "a = { a = 1,\n  for = 2 }\n",
    "a = [1\n+ 2]\n",
    "foo { a = 1 }\n",
    "a = 1.e5\n",
    "a = x [ * ] . y\n",
    "a = \"${a ~}\"\n",
    "a = provider :: a :: b(1)\n",
    "a = \"x\" /* c */\n",
    "a = <<EOT\n${\nEOT\n}\nEOT\n",
    "a = <<EOT\nx\nEOT",
    "a = {for = 1}\n",
    "a = { a = 1 +\n 2 }\n",
    "foo { a = 1\n}\n",
    "a = 1 /* \n */ b = 2\n",
    "a = x.0.1\n",
    "a = f(x...,)\n",
    "a = x.*.*\n",
    "a = 1\na = 2\n",
    'a = "\\$"\n',
])
def test_accepts_what_terraform_accepts(source: str, tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    (tmp_path / "main.tf").write_text(source)
    checked = subprocess.run(
        [terraform, "fmt", "-check", "-list=false", "-no-color", "main.tf"], cwd=tmp_path,
        capture_output=True, text=True, env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull})
    terraform_accepts = "Error:" not in checked.stderr
    try:
        parse(source)
        we_accept = True
    except ast.HclSyntaxError:
        we_accept = False
    assert we_accept == terraform_accepts, checked.stderr
