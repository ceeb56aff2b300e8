"""Type constraint expressions (`linter.terraform.types`): the spec each reads into, and
`optional(T, default)` defaults checked and converted as Terraform does when it reads
the type.

The differential tests hand the same types to the real terraform (skipped cleanly when it
is not on PATH): `terraform console` for the values of variables whose defaults apply,
`terraform validate` for the types it rejects.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from linter.parsers import hcl
from linter.terraform import values as tv
from linter.terraform.types import type_spec

TERRAFORM = shutil.which("terraform")
INVALID_DEFAULT = ("Invalid default value for optional attribute: This default value is not compatible "
                   "with the attribute's type constraint: ")


def spec(text: str) -> tuple:
    return type_spec(hcl.parse_expression(text))


@pytest.mark.parametrize("text, expected", [
    ("string", ("string",)),
    ("list(map(number))", ("list", ("map", ("number",)))),
    ("tuple([bool, any])", ("tuple", [("bool",), ("any",)])),
    ("object({a = string})", ("object", {"a": (("string",), False, None)})),
    ("object({a = optional(bool)})", ("object", {"a": (("bool",), True, None)})),
    ("object({a = optional(bool, true)})", ("object", {"a": (("bool",), True, True)})),
])
def test_type_spec(text: str, expected: tuple) -> None:
    assert spec(text) == expected


@pytest.mark.parametrize("text, default", [
    ('optional(number, "5")', 5),
    ('optional(set(string), ["b", "a", "b"])', ["a", "b"]),
    ("optional(list(string), [1, true])", ["1", "true"]),
    ('optional(object({i = optional(string, "deep")}), {})', {"i": "deep"}),
    ("optional(string, null)", None),
])
def test_optional_default_is_converted_to_its_type(text: str, default: object) -> None:
    assert spec(f"object({{a = {text}}})")[1]["a"][2] == default


@pytest.mark.parametrize("text, message", [
    ('optional(number, "nope")', INVALID_DEFAULT + "a number is required."),
    # cty reports a value's failure without its path, unlike a variable's value
    ('optional(object({x = number}), {x = "y"})', INVALID_DEFAULT + "a number is required."),
    ("optional(object({x = number}), {y = 1})", INVALID_DEFAULT + 'attribute "x" is required.'),
    ('optional(map(string), "x")', INVALID_DEFAULT + "map of string required."),
    ("optional(number, 1, 2)", "Invalid type specification: Optional attribute modifier expects at most two "
                               "arguments: the attribute type, and a default value."),
    ("optional(string, var.x)", "Variables not allowed: Variables may not be used here."),
    ('optional(string, file("a"))', "Function calls not allowed: Functions may not be called here."),
])
def test_optional_default_errors(text: str, message: str) -> None:
    with pytest.raises(tv.EvalError) as raised:
        spec(f"object({{a = {text}}})")
    assert str(raised.value) == message


def test_a_bad_default_is_an_error_even_when_unused() -> None:
    """Terraform checks the default when it reads the type, not when it applies it."""
    with pytest.raises(tv.EvalError, match="Invalid default value"):
        spec('list(object({n = optional(number, true)}))')


# --- differential: the same types, read by terraform -----------------------------------

@dataclass(frozen=True)
class Applied:
    """A variable whose value `default` gets its type's `optional()` defaults."""

    hcl_type: str
    default: object


APPLIED = [
    Applied('object({n = optional(number, "5")})', {}),
    Applied('object({s = optional(set(string), ["b", "a", "b"])})', {}),
    Applied("object({l = optional(list(string), [1, true])})", {}),
    Applied('object({o = optional(object({i = optional(string, "deep")}), {})})', {}),
    Applied('object({o = optional(object({x = number, y = optional(bool, "true")}), {x = "2"})})', {}),
    Applied('object({m = optional(map(number), {a = "1"})})', {}),
    Applied("object({n = optional(string, null)})", {}),
    Applied('object({t = optional(tuple([string, number]), [1, "2"])})', {}),
    Applied('list(object({n = optional(number, "7"), f = optional(bool, "false")}))', [{}, {"n": 1}]),
]


@dataclass(frozen=True)
class Rejected:
    """A type terraform refuses to read; `same_wording` is False where our message differs
    (cty words a static type mismatch inside a collection as "element 0: ...")."""

    hcl_type: str
    same_wording: bool = True


REJECTED = [
    Rejected('object({n = optional(number, "nope")})'),
    Rejected('object({o = optional(object({x = number}), {x = "y"})})'),
    Rejected("object({o = optional(object({x = number}), {y = 1})})"),
    Rejected('object({f = optional(bool, "yes")})'),
    Rejected('object({l = optional(list(number), ["1", "x"])})'),
    Rejected("object({s = optional(string, [1])})"),
    Rejected('object({t = optional(tuple([string, number]), ["a"])})'),
    Rejected('object({m = optional(map(string), "x")})'),
    Rejected("list(object({n = optional(number, true)}))"),
    Rejected("object({n = optional(number, 1, 2)})"),
    Rejected('object({o = optional(object({i = optional(number, "z")}), {})})'),
    Rejected("object({l = optional(list(string), [[1]])})", same_wording=False),
    Rejected("object({n = optional(string, var.v0)})"),
    Rejected('object({n = optional(string, file("main.tf"))})'),
]


def _terraform(workdir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    return subprocess.run([TERRAFORM or "terraform", *args], input=stdin, capture_output=True, text=True,
                          cwd=workdir, env=env, timeout=120, check=False)


def _variables(types: list[str], defaults: list[object]) -> tuple[str, list[int]]:
    """A configuration declaring one variable per type, and the line of each `type`."""
    lines: list[str] = []
    type_lines = []
    for index, (hcl_type, default) in enumerate(zip(types, defaults)):
        lines.append(f'variable "v{index}" {{')
        type_lines.append(len(lines) + 1)
        lines += [f"  type = {hcl_type}", f"  default = {json.dumps(default)}", "}"]
    return "\n".join(lines) + "\n", type_lines


@pytest.fixture(scope="module")
def terraform_applied(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    if TERRAFORM is None:
        pytest.skip("terraform is not installed")
    workdir = tmp_path_factory.mktemp("types-applied")
    config, _ = _variables([a.hcl_type for a in APPLIED], [a.default for a in APPLIED])
    (workdir / "main.tf").write_text(config, encoding="utf-8")
    names = ", ".join(f"var.v{i}" for i in range(len(APPLIED)))
    done = _terraform(workdir, "console", "-no-color", stdin=f"base64encode(jsonencode([{names}]))\n")
    assert done.returncode == 0, done.stderr
    return json.loads(base64.b64decode(json.loads(done.stdout.strip())))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def terraform_rejected(tmp_path_factory: pytest.TempPathFactory) -> list[str | None]:
    """Per rejected type, terraform's "summary: detail", or None if it accepted the type."""
    if TERRAFORM is None:
        pytest.skip("terraform is not installed")
    workdir = tmp_path_factory.mktemp("types-rejected")
    config, type_lines = _variables([r.hcl_type for r in REJECTED], [None] * len(REJECTED))
    (workdir / "main.tf").write_text(config, encoding="utf-8")
    report = json.loads(_terraform(workdir, "validate", "-json", "-no-color").stdout)
    by_line = {d["range"]["start"]["line"]: f"{d['summary']}: {d['detail']}" for d in report["diagnostics"]}
    return [by_line.get(line) for line in type_lines]


@pytest.mark.parametrize("index", range(len(APPLIED)), ids=[a.hcl_type[:50] for a in APPLIED])
def test_applied_defaults_match_terraform(index: int, terraform_applied: list[object]) -> None:
    case = APPLIED[index]
    ours = tv.convert(case.default, spec(case.hcl_type))
    assert tv.json_encode(ours) == json.dumps(terraform_applied[index], separators=(",", ":"), sort_keys=True)


@pytest.mark.parametrize("index", range(len(REJECTED)), ids=[r.hcl_type[:50] for r in REJECTED])
def test_rejected_types_match_terraform(index: int, terraform_rejected: list[str | None]) -> None:
    case, theirs = REJECTED[index], terraform_rejected[index]
    assert theirs is not None, "terraform accepts this type"
    with pytest.raises(tv.EvalError) as raised:
        spec(case.hcl_type)
    if case.same_wording:
        assert str(raised.value) == theirs
