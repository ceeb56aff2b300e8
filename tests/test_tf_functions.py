"""Terraform's built-in functions and type conversions (`linter.terraform.functions`,
`linter.terraform.values`).

Two suites: exact unit tests, which run everywhere, and a differential suite that
evaluates every case with the real `terraform console` in one session (the results are
cached for the test run) and asserts our result is the same JSON, or that both error.
The differential suite skips cleanly when `terraform` is not on PATH.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from linter.model import Unknown
from linter.terraform import values as tv
from linter.terraform.functions import FUNCTIONS

UNKNOWN = Unknown("known after apply")


def call(name: str, *args: object) -> object:
    return FUNCTIONS[name](*args)


def same(ours: object, theirs: object) -> bool:
    """Equal values of equal types (True is not 1), numbers within float precision."""
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return type(ours) is type(theirs) and ours == theirs
    if isinstance(ours, int) and isinstance(theirs, int):
        return ours == theirs
    if tv.is_number(ours) and tv.is_number(theirs):
        return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-300)  # type: ignore[arg-type]
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(same(ours[k], theirs[k]) for k in ours)
    return type(ours) is type(theirs) and ours == theirs


# --- unit tests: exact values ----------------------------------------------------------

EXACT = [
    ("tobool", ("1",), True),
    ("tobool", ("0",), False),
    ("tobool", (None,), None),
    ("tostring", (2.0,), "2"),
    ("tostring", (0.1 + 0.2,), "0.3"),
    ("tostring", (1.0,), "1"),
    ("tostring", (1e3,), "1000"),
    ("tostring", (1e-30,), "0.000000000000000000000000000001"),
    ("tostring", (1.5e300,), "15" + "0" * 299),
    ("tonumber", ("1e3",), 1000),
    ("tonumber", ("1.50",), 1.5),
    ("tonumber", ("12345678901234567890",), 12345678901234567890),
    ("length", ("e\u0301",), 1),
    ("length", ("👍🏽",), 1),
    ("length", ([UNKNOWN, 1],), 2),
    ("length", ({"a": UNKNOWN},), 1),
    ("keys", ({"b": UNKNOWN, "a": 1},), ["a", "b"]),
    ("concat", ([UNKNOWN], [1]), [UNKNOWN, 1]),
    ("merge", ({"a": UNKNOWN}, None, {"b": 1}), {"a": UNKNOWN, "b": 1}),
    ("element", ([UNKNOWN, "x"], 3), "x"),
    ("lookup", ({"a": 1, "b": UNKNOWN}, "a"), 1),
    ("zipmap", (["a"], [UNKNOWN]), {"a": UNKNOWN}),
    ("anytrue", ([UNKNOWN, True],), True),
    ("contains", ([UNKNOWN, 1], 1), True),
    ("alltrue", ([UNKNOWN, False],), False),
    ("coalesce", (None, "a", UNKNOWN), "a"),
    ("element", ([1, 2, 3], 4), 2),
    ("keys", ({"b": 1, "a": 2},), ["a", "b"]),
    ("values", ({"b": 1, "a": 2},), [2, 1]),
    ("one", ([],), None),
    ("range", (0, 1, 0.25), [0, 0.25, 0.5, 0.75]),
    ("range", (0, 0.3, 0.1), [0, 0.1, 0.2]),
    ("sort", ([3, 1, 10],), ["1", "10", "3"]),
    ("toset", (["b", "a", "B", "a"],), ["B", "a", "b"]),
    ("toset", ([10, 9, 1],), [1, 9, 10]),
    ("toset", ([True, False, None],), [False, True, None]),
    ("substr", ("hello world", -5, -1), "world"),
    ("substr", ("hello", 1, -2), "ello"),
    ("replace", ("hello world", "/(\\w+) (\\w+)/", "$2 $1"), "world hello"),
    ("replace", ("abc", "/(b)/", "$1x"), "ac"),
    ("replace", ("abc", "/(b)/", "${1}x"), "abxc"),
    ("replace", ("abxd", "/x*/", "-"), "-a-b-d-"),
    ("regex", ("(?P<num>\\d+)(?P<w>[a-z]+)", "123abc"), {"num": "123", "w": "abc"}),
    ("regex", ("(\\d+)([a-z]+)", "123abc"), ["123", "abc"]),
    ("regex", ("[a-z]+", "123abc"), "abc"),
    ("regex", ("^(?i)ABC$", "abc"), "abc"),
    ("regex", ("a$", "ba"), "a"),
    ("format", ("%#v", {"b": 1, "a": [True, "<"]}), '{"a":[true,"\\u003c"],"b":1}'),
    ("format", ("%v", 1e6), "1e+06"),
    ("format", ("%5.1f|", -2.25), " -2.2|"),
    ("jsonencode", ({"b": "<&>", "a": [1.5, None]},), '{"a":[1.5,null],"b":"\\u003c\\u0026\\u003e"}'),
    ("jsondecode", ('{"a": 1.0, "b": 1e400}',), {"a": 1, "b": 10**400}),
    ("yamlencode", (1,), "1\n...\n"),
    ("yamlencode", ({"a": ["x\ny"]},), '"a":\n- |-\n  x\n  y\n'),
    ("yamldecode", ("[yes, off, y, 010, 0o10, 0x10, 1e3, 1_000]",), [True, False, True, 10, 8, 16, 1000, "1_000"]),
    ("cidrsubnet", ("10.1.2.3/16", 8, 2), "10.1.2.0/24"),
    ("cidrhost", ("fd00::/64", 17), "fd00::11"),
    ("abspath", ("/a/b/../c/",), "/a/c"),
    ("dirname", ("c",), "."),
    ("basename", ("/",), "/"),
    ("pathexpand", ("/abs",), "/abs"),
    ("sensitive", ("s",), "s"),
]


@pytest.mark.parametrize("name, args, expected", EXACT, ids=[f"{e[0]}-{i}" for i, e in enumerate(EXACT)])
def test_function_value(name: str, args: tuple[object, ...], expected: object) -> None:
    assert same(call(name, *args), expected)


def test_dollar_is_end_of_text_as_in_re2() -> None:
    with pytest.raises(tv.EvalError, match="did not match"):
        call("regex", "a$", "a\n")


@pytest.mark.parametrize("name, args, message", [
    ("tobool", ("True",), 'cannot convert "True" to bool; only the strings "true" or "false" are allowed'),
    ("tonumber", (" 1",), "given string must be a decimal representation of a number"),
    ("tostring", ([1],), "cannot convert tuple to string"),
    ("element", ([1], -1), "negative index"),
    ("one", ([1, 2],), "either zero or one elements"),
    ("range", (1025,), "more than 1024 values"),
    ("range", (0, 1, 0), "more than 1024 values"),
    ("sum", ([],), "cannot sum an empty list"),
    ("format", ("%d", 1.5), "an integer is required"),
    ("format", ("%s", None), "null value cannot be formatted"),
    ("format", ("%z", 1), "unsupported format verb 'z'"),
    ("format", ("a", 1), "too many arguments; no verbs in format string"),
    ("upper", (), "expects at least 1 argument"),
    ("upper", ("a", "b"), "expects only 1 argument"),
    ("regex", ("(?=a)", "a"), "invalid or unsupported Perl syntax"),
    ("yamldecode", ("",), "missing start of document"),
    ("yamldecode", (".nan",), "NaN is not supported"),
    ("cidrnetmask", ("fd00::/64",), "IPv6 addresses cannot have a netmask"),
    ("merge", ("a",), 'arguments must be maps or objects, got "string"'),
])
def test_function_error(name: str, args: tuple[object, ...], message: str) -> None:
    with pytest.raises(tv.EvalError, match=re.escape(message)):
        call(name, *args)


@pytest.mark.parametrize("name, args", [
    ("uuid", ()), ("timestamp", ()), ("plantimestamp", ()), ("bcrypt", ("pw",)),
    ("pathexpand", ("~/x",)), ("abspath", ("relative",)),
    ("upper", (UNKNOWN,)), ("jsonencode", ([1, UNKNOWN],)), ("toset", ([UNKNOWN, "a"],)),
    ("contains", ([UNKNOWN, 2], 1)),
    ("regex", ("\\p{Greek}", "x")),
])
def test_unknown_results(name: str, args: tuple[object, ...]) -> None:
    assert isinstance(call(name, *args), Unknown)


def test_unknown_argument_is_passed_through() -> None:
    assert call("upper", UNKNOWN) is UNKNOWN


def test_every_function_is_callable_by_name() -> None:
    for name, function in FUNCTIONS.items():
        assert function.__name__ == name


# --- unit tests: values ----------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    ("1", 1, False), (1, 1.0, True), (True, 1, False), ([1, [2]], [1, [2]], True),
    ({"a": 1}, {"a": 1}, True), ({"a": 1}, {"a": 2}, False), (None, None, True), ([], {}, False),
])
def test_equals(a: object, b: object, expected: bool) -> None:
    assert tv.equals(a, b) is expected


def test_equals_with_unknown_is_unknown() -> None:
    assert tv.equals([1, UNKNOWN], [1, 2]) is UNKNOWN
    assert tv.equals([1, UNKNOWN], [2, 2]) is False


@pytest.mark.parametrize("value, expected", [(True, True), ("false", False), ("1", True)])
def test_is_true(value: object, expected: bool) -> None:
    assert tv.is_true(value) is expected


@pytest.mark.parametrize("value, message", [(None, "null"), (1, "must be of type bool"), ("yes", "bool")])
def test_is_true_errors(value: object, message: str) -> None:
    with pytest.raises(tv.EvalError, match=message):
        tv.is_true(value)


def test_type_names() -> None:
    assert [tv.type_name(v) for v in (None, True, 1, 1.5, "s", [], {})] == [
        "null", "bool", "number", "number", "string", "tuple", "object"]


def test_normalize_number() -> None:
    assert tv.normalize_number(4 / 2) == 2 and isinstance(tv.normalize_number(4 / 2), int)
    assert tv.normalize_number(0.5) == 0.5


NESTED = ("object", {
    "x": ("string",),
    "y": (("number",), True, 5),
    "z": (("list", ("object", {"p": (("bool",), True, True), "q": ("string",)})), True, [{"q": "dq"}]),
    "w": (("map", ("string",)), True, None),
})


@pytest.mark.parametrize("value, spec, expected", [
    ({"x": 1, "extra": 2, "z": [{"q": 1}, {"q": "b", "p": False}]}, NESTED,
     {"x": "1", "y": 5, "z": [{"p": True, "q": "1"}, {"p": False, "q": "b"}], "w": None}),
    ({"x": "s"}, NESTED, {"x": "s", "y": 5, "z": [{"p": True, "q": "dq"}], "w": None}),
    ([1, True, "x"], ("list", ("string",)), ["1", "true", "x"]),
    (["10", 2, 2], ("set", ("number",)), [2, 10]),
    ({"k": {}, "j": None}, ("map", ("object", {"n": (("number",), True, 1)})), {"k": {"n": 1}, "j": None}),
    ([1, "2"], ("tuple", [("string",), ("number",)]), ["1", 2]),
    ([1, "a"], ("any",), [1, "a"]),
    ([1, "a"], ("list", ("any",)), ["1", "a"]),
    (None, ("list", ("string",)), None),
    ([UNKNOWN, 1], ("list", ("string",)), [UNKNOWN, "1"]),
    ({"o": None}, ("object", {"o": (("object", {"i": (("string",), True, "deep")}), True, {})}), {"o": {"i": "deep"}}),
])
def test_convert(value: object, spec: tuple, expected: object) -> None:
    assert same(tv.convert(value, spec), expected)


@pytest.mark.parametrize("value, spec, message", [
    ({}, ("object", {"x": ("string",)}), 'attribute "x" is required'),
    ({"x": [1]}, ("object", {"x": ("string",)}), 'attribute "x": string required'),
    (["a"], ("list", ("number",)), r"\[0\]: a number is required"),
    ("yes", ("bool",), "a bool is required"),
    (True, ("number",), "number required"),
    ([1], ("map", ("string",)), "map of string required"),
    (["a", "b"], ("tuple", [("string",)]), "tuple required"),
    ([{"a": "x"}], ("list", ("object", {"a": ("number",)})), r"\[0\]\.a: a number is required"),
    ({"o": {"i": "z"}}, ("object", {"o": ("object", {"i": ("number",)})}), r"\.o\.i: a number is required"),
    ({"o": {}}, ("object", {"o": ("object", {"i": ("number",)})}), 'attribute "o": attribute "i" is required'),
])
def test_convert_errors(value: object, spec: tuple, message: str) -> None:
    with pytest.raises(tv.EvalError, match=message):
        tv.convert(value, spec)


# --- the differential suite ------------------------------------------------------------

def hcl(value: object) -> str:
    """A Python value written as an HCL literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(_hcl_char(c) for c in value).replace("${", "$${").replace("%{", "%%{") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{hcl(k)} = {hcl(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _hcl_char(char: str) -> str:
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in escapes:
        return escapes[char]
    return f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char


@dataclass(frozen=True)
class Case:
    """One function call: Python arguments for ours, the HCL expression for terraform.
    `approx` cases compare values with a float tolerance instead of exact JSON text."""

    function: str
    args: tuple[object, ...]
    hcl: str
    approx: bool = False


def case(function: str, *args: object, hcl_expr: str | None = None, approx: bool = False) -> Case:
    expression = hcl_expr or f"{function}({', '.join(hcl(a) for a in args)})"
    return Case(function, args, expression, approx)


LONG = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj"

CASES = [
    # type conversion
    case("tobool", "true"), case("tobool", "false"), case("tobool", "1"), case("tobool", "0"),
    case("tobool", "True"), case("tobool", 1), case("tobool", True), case("tobool", None),
    case("tostring", True), case("tostring", 1.0, hcl_expr="tostring(1.0)"), case("tostring", 0.1),
    case("tostring", 1000, hcl_expr="tostring(1e3)"), case("tostring", 2.0, hcl_expr="tostring(4/2)"),
    case("tostring", 0.1 + 0.2, hcl_expr="tostring(0.1+0.2)"), case("tostring", -1.25),
    case("tostring", 1e-05), case("tostring", [1]), case("tostring", 12345678.9),
    case("tostring", 123456789012345678901234567890), case("tostring", None),
    case("tonumber", "1e3"), case("tonumber", " 1"), case("tonumber", "0x10"), case("tonumber", ".5"),
    case("tonumber", "5."), case("tonumber", "+5"), case("tonumber", "-0.25"), case("tonumber", True),
    case("tonumber", ""), case("tonumber", "1E+2"), case("tonumber", "00012"), case("tonumber", "1_000"),
    case("tolist", [1, "a", True]), case("tolist", [1, True]), case("tolist", [[1, "a"], [2, "b"]]),
    case("tolist", [[1, "a"], [2]]), case("tolist", [{"a": 1}, {"b": "x"}]),
    case("tolist", [{"a": 1, "b": [1]}, {"a": "x"}]), case("tolist", [None, "a"]), case("tolist", "a"),
    case("tolist", [{}, {"a": 1}]), case("tolist", [None, [1]]),
    case("toset", ["b", "a", "c", "a"]), case("toset", [3, 1, 2, 10]), case("toset", [True, False, True]),
    case("toset", [1, "a"]), case("toset", ["b", "a", "B", "10", "9"]), case("toset", [None, "a"]),
    case("tomap", {"a": 1, "b": "x"}), case("tomap", {"a": 1, "b": True}), case("tomap", [1]),
    case("tomap", {"a": [1], "b": ["x"]}), case("nonsensitive", "a"),
    # collections
    case("coalesce", "", "a"), case("coalesce", None, 1, "a"), case("coalesce", None, ""),
    case("coalesce", 1, True), case("coalesce", [], [1]), case("coalescelist", [], [1]),
    case("coalescelist", [], []), case("coalescelist", "a"),
    case("lookup", {"a": 1}, "b"), case("lookup", {"a": 1}, "b", "x"), case("lookup", {"a": 1}, "a", "x"),
    case("lookup", {"a": {"b": 1}}, "a", {}), case("lookup", [1], "0", 1),
    case("merge", {"a": 1}, None, {"a": 2, "b": 3}), case("merge"), case("merge", "a"),
    case("merge", {"a": {"x": 1}}, {"a": {"y": 2}}),
    case("concat", [1], ["a"], []), case("concat"), case("concat", [1], "a"), case("concat", [1], [[2]]),
    case("contains", [1, 2], "1"), case("contains", [1, 2], 2), case("contains", [[1]], [1]),
    case("contains", "abc", "a"), case("contains", [None], None),
    case("length", "héllo"), case("length", "e\u0301"), case("length", None), case("length", 1),
    case("length", {"a": 1}), case("length", []), case("length", "👍🏽"),
    case("keys", {"b": 1, "a": 2}), case("values", {"b": 1, "a": 2}), case("keys", [1]),
    case("element", [1, 2, 3], 5), case("element", [], 0), case("element", [1, 2, 3], 1.5),
    case("element", ["a"], "0"), case("element", [1, 2, 3], -1),
    case("index", ["a", "b"], "b"), case("index", ["a", "b"], "c"), case("index", [1, 2], "2"),
    case("flatten", [[1, [2, [3]]], 4, [], [[]]]), case("flatten", "a"),
    case("flatten", [{"a": 1}, [[{"b": 2}]]]),
    case("distinct", [1, 2, 1, "1"]), case("distinct", ["b", "a", "b"]), case("distinct", [[1], [1], ["1"]]),
    case("compact", ["a", "", None, "b"]), case("compact", [1, "", "a"]), case("compact", [[1]]),
    case("one", []), case("one", [1]), case("one", [1, 2]), case("one", None),
    case("alltrue", []), case("anytrue", []), case("alltrue", ["true", True]), case("alltrue", [None]),
    case("anytrue", [None, True]), case("alltrue", [1]),
    case("zipmap", ["a", "b"], [1, 2]), case("zipmap", ["a", "b"], [1]), case("zipmap", ["a", "a"], [1, 2]),
    case("zipmap", [1, True], ["x", 2]),
    case("range", 3), case("range", 0), case("range", -3), case("range", 1, 4), case("range", 4, 1),
    case("range", 0, 1, 0.25), case("range", 1, 0, 0.3), case("range", 0, 1, 0), case("range", 1025),
    case("range", 1.5), case("range", 0, 0.3, 0.1), case("range", 5, 1, -1.5), case("range", 1, 2, 3, 4),
    case("slice", [1, 2, 3], 1, 2), case("slice", [1, 2, 3], 2, 1), case("slice", [1, 2, 3], 0, 4),
    case("slice", [1, 2, 3], -1, 2), case("slice", [1, 2, 3], 3, 3),
    case("reverse", [1, "a"]), case("reverse", "abc"),
    case("sort", ["b", "a", "B"]), case("sort", [3, 1, 10]), case("sort", [None]), case("sort", [True]),
    case("setunion", ["b", "a"], ["c", "a"]), case("setunion", [1], ["a"]), case("setunion", [2, 10], [1]),
    case("setintersection", ["a", "b"], ["b", "c"], ["b"]), case("setsubtract", ["a", "b", "c"], ["a"]),
    case("setintersection", [1, 2], ["2"]), case("setunion"),
    case("setproduct", ["a", "b"], [1, 2]), case("setproduct", ["a"], []), case("setproduct", ["a"]),
    case("transpose", {"a": ["1", "2"], "b": ["2", "3"]}), case("transpose", {"a": [1], "b": []}),
    case("transpose", {"a": [None]}),
    case("chunklist", [1, 2, 3, 4, 5], 2), case("chunklist", [1, 2, 3], 0), case("chunklist", [], 2),
    case("chunklist", [1, "a"], 1), case("chunklist", [1], -1), case("chunklist", [], 0),
    case("matchkeys", ["a", "b", "c"], ["x", "y", "z"], ["y", "z"]), case("matchkeys", ["a", "b"], [1, 2], ["2"]),
    case("matchkeys", ["a"], [1, 2], [2]),
    case("sum", [1, 2.5]), case("sum", ["1", 2]), case("sum", []), case("sum", [0.1, 0.2]), case("sum", [None]),
    # numbers
    case("abs", -3.5), case("ceil", 1.2), case("floor", -1.2), case("ceil", "1.5"), case("floor", 5),
    case("signum", -5), case("signum", 0), case("signum", -0.5),
    case("pow", 2, 10), case("pow", 2, -1), case("pow", 2, 0.5), case("pow", 3, 2.5, approx=True),
    case("log", 8, 2), case("log", 100, 10), case("log", 0, 10), case("log", -1, 10),
    case("parseint", "ff", 16), case("parseint", "-101", 2), case("parseint", "FF", 16),
    case("parseint", "12", 1), case("parseint", "zz", 36), case("parseint", "0x10", 16),
    case("parseint", "1.5", 10), case("parseint", "+7", 10), case("parseint", "Z", 62),
    case("parseint", "123456789012345678901234567890", 10),
    case("min", 1, "2", 0.5), case("max"), case("max", -1, -2.5), case("min", "a"),
    # strings
    case("upper", "straße"), case("lower", "ÀB"), case("upper", 1), case("upper", True), case("upper", ["a"]),
    case("title", "hello wORLD foo-bar foo_bar o'neil 3rd élan"), case("title", "hello_world  x.y"),
    case("trimspace", "  \t\n a b \u00a0"), case("trim", "?!hello?!", "!?"), case("trim", "abc", ""),
    case("trimprefix", "aaab", "a"), case("trimsuffix", "baaa", "a"), case("trimprefix", 12, 1),
    case("startswith", "abc", ""), case("endswith", "abc", "bc"), case("strcontains", "abc", "b"),
    case("strcontains", "abc", "d"),
    case("substr", "hello world", 1, 4), case("substr", "hello world", -5, 3), case("substr", "hello", 10, 1),
    case("substr", "hello", 2, 10), case("substr", "hello", -10, 2), case("substr", "hello", 1, -2),
    case("substr", "hello", 1, 0), case("substr", "héllo", 1, 2), case("substr", "abc", 0.5, 1),
    case("strrev", "héllo"), case("strrev", "e\u0301x"),
    case("chomp", "a\n\n"), case("chomp", "a\r\n"), case("chomp", "a\n\r"),
    case("indent", 2, "a\nb\n"), case("indent", 2, "a\n\nb"), case("indent", -1, "a\nb"),
    case("join", ",", ["a", "b"], ["c"]), case("join", ",", [1, True]), case("join", ",", []),
    case("join", ",", ["a", None]), case("join", ","),
    case("split", ",", "a,,b"), case("split", ",", ""), case("split", "", "abc"), case("split", ",", 1),
    case("replace", "hello", "l", "L"), case("replace", "hello", "/l+/", "L"),
    case("replace", "hello world", "/(\\w+) (\\w+)/", "$2 $1"),
    case("replace", "hello world", "/(?P<a>\\w+) (\\w+)/", "${a}!"), case("replace", "aaa", "", "-"),
    case("replace", "abc", "/", "x"), case("replace", "a/b", "/", "x"), case("replace", "abc", "//", "x"),
    case("replace", "abc", "/[/", "x"), case("replace", "abc", "/b/", "$0$0"), case("replace", "abc", "/(b)/", "$1x"),
    case("replace", "abc", "/(b)/", "$$1"), case("replace", "abc", "/b/", "$"), case("replace", "abxd", "/x*/", "-"),
    case("replace", "a.b.c", ".", "-"), case("replace", "abc", "/(?P<x>b)/", "[$x]"),
    case("regex", "[a-z]+", "123abc456"), case("regex", "(\\d+)([a-z]+)", "123abc456"),
    case("regex", "(?P<num>\\d+)(?P<w>[a-z]+)", "123abc456"), case("regex", "(?P<num>\\d+)([a-z]+)", "123abc456"),
    case("regex", "x", "abc"), case("regex", "(a)|(b)", "b"), case("regex", "(?P<a>a)|(?P<b>b)", "b"),
    case("regex", "^(?i)ABC$", "abc"), case("regex", "\\Aa\\z", "a"), case("regex", "[[:alpha:]]+", "ab1"),
    case("regex", "\\pL+", "éa1"), case("regex", "\\d+", "١٢3"), case("regex", "", "abc"),
    case("regexall", "\\d", "a1b2"), case("regexall", "(\\d)(\\w)", "1a2b"), case("regexall", "x", "abc"),
    case("regexall", "(?P<d>\\d)", "1a2b"), case("regexall", "", "ab"), case("regexall", "(a)(b)?", "a ab"),
    case("format", "%s|%d|%f|%.2f|%v|%q|%t|%%", "a", 3, 1.5, 3.14159, "v", 'q"', True),
    case("format", "%5s|%-5s|%05d|%x|%X|%o|%b|%e|%E|%g|%G", "a", "b", 42, 255, 255, 8, 5, 1234.5, 1234.5, 1234.5, 0.00001234),
    case("format", "%v %v %v", 1, True, 1.5), case("format", "%#v", {"b": 1, "a": [True, "x"]}),
    case("format", "%#v", "x"), case("format", "%v", [1]), case("format", "%s", [1]), case("format", "%d", 1.5),
    case("format", "%d", "12"), case("format", "%d", "x"), case("format", "%s", 12), case("format", "%t", "true"),
    case("format", "%t", 1), case("format", "%s"), case("format", "%s %s", "a"), case("format", "a", "extra"),
    case("format", "%[2]s %[1]s", "a", "b"), case("format", "%z", 1), case("format", "%q", 12),
    case("format", "%.3s", "abcdef"), case("format", "%8.3f|%-8.2f|%+d|% d", 3.14159, 2.5, 5, 5),
    case("format", "%*d", 5, 3), case("format", "%.0f", 2.5), case("format", "%.1f", 0.25),
    case("format", "%x", "hi"), case("format", "%d", 12345678901234567890), case("format", "%"),
    case("format", "%5t", True), case("format", "%q", "a\nb\u0001é<"), case("format", "%5v|%-5v|", 1, "ab"),
    case("format", "%v|%v|%v|%v|%v", 1234567, 100000, 0.0001, 0.00001, 123456789012),
    case("format", "%s", "a", "b"), case("format", "%5[2]s|", "a", "b"), case("format", "%[2]5s|", "a", "b"),
    case("format", "%-05d|%#x|% x|%.3d|%05s", 3, 255, 255, 7, "ab"), case("format", "%08.3f", -3.14159),
    case("format", "%x", -255), case("format", "%.2f", True), case("format", "%[0]s", "a"),
    case("format", "%6.2e", 12345.678), case("format", "%d", 3.0),
    case("formatlist", "%s-%s", ["a", "b"], "c"), case("formatlist", "%s-%s", ["a", "b"], ["c"]),
    case("formatlist", "%s", []), case("formatlist", "%s", "a"), case("formatlist", "%s", [None]),
    # encodings
    case("jsonencode", {"b": 1, "a": "<&>\u2028", "c": [True, None, 1.5], "é": "x"}),
    case("jsonencode", "\u0001\t\n\"\\/\u0008\u000c\u007f"), case("jsonencode", {}), case("jsonencode", None),
    case("jsonencode", {"b": {"z": 1, "y": 2}, "B": 1, "_": 2, "1": 3}),
    case("jsondecode", '{"a": 1.0, "b": [true, null, "x", 1e2, 1.5]}'), case("jsondecode", "[1,"),
    case("jsondecode", ""), case("jsondecode", "NaN"), case("jsondecode", "12345678901234567890123"),
    case("jsondecode", '{"a":1,"a":2}'),
    case("yamlencode", {"b": 1, "a": "x", "c": [True, None, 1.5, "yes", "1", "", "multi\nline", "a: b"],
                        "d": {}, "e": [], "f": {"g": {"h": 1}}, "quoted key": 2}),
    case("yamlencode", "plain"), case("yamlencode", 1), case("yamlencode", None), case("yamlencode", [[1, 2], [{"a": 1, "b": 2}]]),
    case("yamlencode", ["trailing\n", "x  ", " y", "é", "\u0001", "<&>", "a\tb", "a\n\nb\n\n", "\n", " "]),
    case("yamlencode", [" lead\nx", "\nlead", "trail \nx", "x\ntrail ", "a\tb\nc", "é\u0085\u00a0\u2028\u0000\u001b\u007f\ufeff\U0001F600"]),
    case("yamlencode", LONG), case("yamlencode", {"key": {"nested": LONG}}),
    case("yamlencode", [LONG.replace("h i", "h  i")]), case("yamlencode", [["a\nb"], {"k": "a\nb"}, [{"k": ["x\ny"]}]]),
    case("yamlencode", "  a\n  b"), case("yamlencode", {"k\nk": "v"}), case("yamlencode", {"a": 1 / 4, "b": 1e300}),
    case("yamldecode", "[yes, no, on, off, True, TRUE, true, False, y, n, ~, null, Null, '', 0x10, 0o10, 010, "
                       "1e3, 1.0e3, .5, +1, -1, 1_000, 2001-01-01, 0b101, 1:20, 0xFF, 0., 5e, 0x, +0x10, tRue, 1.e3, 012e1]"),
    case("yamldecode", "a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2"), case("yamldecode", "---\na: 1\n---\nb: 2"),
    case("yamldecode", ""), case("yamldecode", "!!str 1"), case("yamldecode", "{1: a, true: b, 1.5: c}"),
    case("yamldecode", "{null: c}"), case("yamldecode", "a: |\n  x\n  y\n"), case("yamldecode", "---\n"),
    case("yamldecode", "[2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 2002-1-2, 2001-12-14T21:59:43Z]"),
    case("yamldecode", "[.nan]"), case("yamldecode", "a: 1\na: 2"), case("yamldecode", "? [1]\n: x"),
    case("base64encode", "héllo"), case("base64decode", "aMOpbGxv"), case("base64decode", "aGVsbG8"),
    case("base64decode", "/w=="), case("base64decode", "a GVsbG8="),
    case("urlencode", "a b&c=d/é~_-.*'()!"),
    case("csvdecode", 'a,b\n1,2\n3,"x,y"\n'), case("csvdecode", "a,b\n1"), case("csvdecode", "a,a\n1,2"),
    case("csvdecode", ""), case("csvdecode", "a,b\n"), case("csvdecode", "a, b\n 1,2"), case("csvdecode", "a,b\r\n1,2\r\n"),
    # hashes and identifiers
    case("md5", "abc"), case("sha1", "abc"), case("sha256", "héllo"), case("sha512", "abc"),
    case("base64sha256", "abc"), case("base64sha512", "abc"),
    case("uuidv5", "dns", "example.com"), case("uuidv5", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x"),
    case("uuidv5", "bogus", "x"),
    # networks
    case("cidrsubnet", "10.0.0.0/16", 8, 2), case("cidrsubnet", "10.0.0.0/16", 8, 256),
    case("cidrsubnet", "10.0.0.0/30", 3, 0), case("cidrsubnet", "fd00::/56", 8, 255),
    case("cidrsubnet", "10.1.2.3/16", 0, 0), case("cidrsubnet", "10.0.0.0", 8, 1), case("cidrsubnet", "10.0.0.0/33", 1, 1),
    case("cidrhost", "10.0.0.0/24", 5), case("cidrhost", "10.0.0.0/24", -1), case("cidrhost", "10.0.0.0/24", 256),
    case("cidrhost", "10.0.0.0/24", -256), case("cidrhost", "10.0.0.0/24", -257), case("cidrhost", "fd00::/64", 17),
    case("cidrhost", "010.0.0.0/24", 1),
    case("cidrnetmask", "10.0.0.0/20"), case("cidrnetmask", "fd00::/64"), case("cidrnetmask", "10.0.0.0"),
    case("cidrsubnets", "10.0.0.0/16", 4, 4, 8, 4), case("cidrsubnets", "10.0.0.0/16"),
    case("cidrsubnets", "10.0.0.0/30", 1, 1, 1), case("cidrsubnets", "fd00::/56", 8, 16),
    # edge cases found by fuzzing against terraform
    case("coalesce", True, None, 2), case("substr", "hello", -8, 0), case("substr", "hello", -3, 0),
    case("csvdecode", 'a\nx"y'), case("format", "%5s|%.2s|", "😀\r\n\u2003", "e\u0301ab"),
    case("format", "%.s|%.0s|%.5q|% 11.3q|", 1000000, "abc", 1000000, False),
    case("format", "%-05s|%-05q|%-05v|%-05d|%-05.1f|%05t|", "a", "a", 1, 1, 1.5, True),
    case("format", "%0#11b|%#.b|%+05.b|%0#.4g|%#.e|%.g", 7, 0, 0, 1.5, 1000000, 1234.5),
    case("base64decode", "L357="), case("jsondecode", '{"a":-0}'), case("yamldecode", "-0.0"),
    case("yamldecode", "%YAML 1.2\n---\na: 1"), case("yamlencode", {"a\rb": 1}),
    case("setsubtract", [[0, ["b"], ""]], [None, False]), case("setproduct", [True, None, "a"], [False]),
    case("coalescelist", [[], {}], 1.5), case("lower", "İ."), case("floor", 1e100),
    # paths
    case("abspath", "/a/b/../c/"), case("dirname", "/a/b/c"), case("dirname", "c"), case("dirname", "a/b/"),
    case("dirname", ""), case("dirname", "/"), case("basename", "/a/b/c"), case("basename", "/a/b/"),
    case("basename", ""), case("pathexpand", "/abs/path"),
]


@dataclass(frozen=True)
class Conversion:
    """A value converted to a type constraint, as a variable's default is."""

    spec: tuple
    value: object
    hcl_type: str


NESTED_HCL = ('object({x = string, y = optional(number, 5), z = optional(list(object({p = optional(bool, true), '
              'q = string})), [{q = "dq"}]), w = optional(map(string))})')

CONVERSIONS = [
    Conversion(NESTED, {"x": 1, "extra": 2, "z": [{"q": 1}, {"q": "b", "p": False}]}, NESTED_HCL),
    Conversion(NESTED, {"x": "s"}, NESTED_HCL),
    Conversion(("list", ("string",)), [1, True, "x"], "list(string)"),
    Conversion(("set", ("number",)), ["10", 2, 2], "set(number)"),
    Conversion(("set", ("string",)), ["b", "a", "b"], "set(string)"),
    Conversion(("map", ("object", {"n": (("number",), True, 1)})), {"k": {}, "j": None},
               "map(object({n = optional(number, 1)}))"),
    Conversion(("tuple", [("string",), ("number",)]), [1, "2"], "tuple([string, number])"),
    Conversion(("any",), [1, "a"], "any"),
    Conversion(("list", ("any",)), [1, "a"], "list(any)"),
    Conversion(("map", ("any",)), {"a": 1, "b": "x"}, "map(any)"),
    Conversion(("object", {"o": (("object", {"i": (("string",), True, "deep")}), True, None)}), {},
               'object({o = optional(object({i = optional(string, "deep")}))})'),
    Conversion(("object", {"o": (("object", {"i": (("string",), True, "deep")}), True, {})}), {},
               'object({o = optional(object({i = optional(string, "deep")}), {})})'),
    Conversion(("bool",), "true", "bool"), Conversion(("bool",), "0", "bool"),
    Conversion(("number",), "1e3", "number"), Conversion(("string",), 2.5, "string"),
    Conversion(("list", ("list", ("number",))), [["1", 2], []], "list(list(number))"),
    Conversion(("object", {"a": ("string",)}), {"a": None}, "object({a = string})"),
]


def _config(cases: list[Case], conversions: list[Conversion]) -> str:
    lines = ["locals {", "  cases = ["]
    lines += [f'    try(jsonencode({c.hcl}), "!ERR"),' for c in cases]
    lines += ["  ]", "  conversions = ["]
    lines += [f"    jsonencode(var.c{i})," for i in range(len(conversions))]
    lines += ["  ]", "}"]
    for i, conversion in enumerate(conversions):
        lines += [f'variable "c{i}" {{', f"  type = {conversion.hcl_type}", f"  default = {hcl(conversion.value)}", "}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def terraform_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[object], list[object]]:
    """Every case evaluated by `terraform console` in one session: each a JSON text or
    "!ERR"; and each conversion's JSON text."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed")
    workdir = tmp_path_factory.mktemp("terraform-console")
    (workdir / "main.tf").write_text(_config(CASES, CONVERSIONS), encoding="utf-8")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    # Piped, the console prints only the last line's result, so everything is one value;
    # base64 keeps it clear of the console's own string quoting.
    query = "base64encode(jsonencode([local.cases, local.conversions]))\n"
    done = subprocess.run(["terraform", "console", "-no-color"], input=query, capture_output=True,
                          text=True, cwd=workdir, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    cases, conversions = json.loads(base64.b64decode(json.loads(done.stdout.strip())))
    return cases, conversions


def _ours_as_json(item: Case) -> str:
    try:
        result = call(item.function, *item.args)
        assert not isinstance(result, Unknown), f"unexpectedly unknown: {result.reason}"
        return tv.json_encode(result)
    except tv.EvalError:
        return "!ERR"


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.hcl[:60] for c in CASES])
def test_function_matches_terraform(index: int, terraform_results: tuple[list[object], list[object]]) -> None:
    item, theirs = CASES[index], terraform_results[0][index]
    ours = _ours_as_json(item)
    if item.approx and "!ERR" not in (ours, theirs):
        assert same(json.loads(ours), json.loads(theirs)), (ours, theirs)  # type: ignore[arg-type]
    else:
        assert ours == theirs


@pytest.mark.parametrize("index", range(len(CONVERSIONS)), ids=[c.hcl_type[:40] for c in CONVERSIONS])
def test_conversion_matches_terraform(index: int, terraform_results: tuple[list[object], list[object]]) -> None:
    conversion = CONVERSIONS[index]
    assert tv.json_encode(tv.convert(conversion.value, conversion.spec)) == terraform_results[1][index]


def test_differential_suite_is_broad() -> None:
    assert len(CASES) >= 150
    exercised = {c.function for c in CASES} | {e[0] for e in EXACT}
    missing = set(FUNCTIONS) - exercised - {"uuid", "timestamp", "plantimestamp", "bcrypt"}
    assert not missing
