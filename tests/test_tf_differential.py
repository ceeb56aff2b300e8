"""Differential tests: small configurations of `terraform_data` resources, planned by the
real terraform binary (offline: terraform_data needs no provider download) and evaluated
by iaclint; every resource instance address and its `input` value must agree.

Skipped when no terraform binary is on PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from linter.model import contains_unknown
from linter.sources import DisplayPath
from linter.terraform.modules import VarInput, Workspace
from linter.terraform.project import terraform_resources

TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")

CONFIGS: dict[str, dict[str, str]] = {
    "module-count-for-each": {
        "main.tf": """
variable "regions" {
  default = { eu = true, us = false }
}
module "k" {
  source   = "./mod"
  for_each = var.regions
  flag     = each.value
  name     = "key-${each.key}"
}
module "c" {
  source = "./mod"
  count  = 2
  flag   = count.index == 1
  name   = "c${count.index}"
}
resource "terraform_data" "from_output" {
  input = module.k["eu"].flag_out
}
""",
        "mod/main.tf": """
variable "flag" { type = bool }
variable "name" { type = string }
resource "terraform_data" "this" {
  input = { flag = var.flag, name = upper(var.name) }
}
output "flag_out" { value = var.flag }
""",
    },
    "tfvars-precedence": {
        "main.tf": """
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
resource "terraform_data" "v" { input = [var.a, var.b, var.c, var.d] }
""",
        "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\nc = "tfvars"\n',
        "a.auto.tfvars": 'b = "auto-a"\nc = "auto-a"\n',
        "b.auto.tfvars": 'c = "auto-b"\n',
    },
    "optional-defaults": {
        "main.tf": """
variable "settings" {
  type = object({
    replicate = optional(bool, true)
    name      = optional(string)
    nested    = optional(object({ depth = optional(number, 3) }), {})
  })
  default = {}
}
variable "list_of" {
  type    = list(object({ on = optional(bool, false), n = number }))
  default = [{ n = 1 }, { n = 2, on = true }]
}
resource "terraform_data" "o" { input = var.settings }
resource "terraform_data" "l" { input = var.list_of }
""",
    },
    "for-splat-conditionals": {
        "main.tf": """
locals {
  groups = [
    { name = "a", members = [{ r = true }, { r = false }] },
    { name = "b", members = [] },
  ]
  by_name  = { for g in local.groups : g.name => length(g.members) }
  flat     = flatten(local.groups[*].members[*].r)
  grouped  = { for g in local.groups : substr(g.name, 0, 1) => g.name... }
  filtered = [for i, v in ["x", "", "y"] : "${i}:${v}" if v != ""]
  cond     = length(local.flat) > 1 ? "many" : "few"
  tmpl     = "%{ for n in ["a", "b"] }<${n}>%{ endfor }%{ if local.cond == "many" }!%{ endif }"
}
resource "terraform_data" "f" {
  input = [local.by_name, local.flat, local.grouped, local.filtered, local.cond, local.tmpl]
}
""",
    },
    "conversions": {
        "main.tf": """
variable "s" {
  type    = string
  default = 1.5
}
variable "n" {
  type    = number
  default = "42"
}
variable "b" {
  type    = bool
  default = "true"
}
variable "set" {
  type    = set(string)
  default = ["b", "a", "b"]
}
resource "terraform_data" "c" {
  input = [var.s, var.n, var.b, var.set, tostring(true), 7 / 2, 7 % 3, "${1 + 1}"]
}
""",
    },
    "nullable-and-null-inputs": {
        "main.tf": """
module "strict" {
  source = "./strict"
  x      = null
}
module "loose" {
  source = "./loose"
  x      = null
}
""",
        "strict/main.tf": """
variable "x" {
  default  = "d"
  nullable = false
}
resource "terraform_data" "s" { input = var.x }
""",
        "loose/main.tf": """
variable "x" { default = "d" }
resource "terraform_data" "s" { input = coalesce(var.x, "was-null") }
""",
    },
}


def _terraform_plan(folder: Path, extra: list[str]) -> dict[str, object]:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    run = lambda *args: subprocess.run(  # noqa: E731
        [TERRAFORM, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    run("init", "-input=false", "-backend=false")
    run("plan", "-input=false", "-out=plan.out", *extra)
    shown = json.loads(run("show", "-json", "plan.out").stdout)
    values: dict[str, object] = {}

    def walk(module: dict) -> None:  # type: ignore[type-arg]
        for resource in module.get("resources", []):
            values[resource["address"]] = resource.get("values", {}).get("input")
        for child in module.get("child_modules", []):
            walk(child)

    walk(shown["planned_values"]["root_module"])
    return values


def _iaclint(folder: Path, inputs: tuple[VarInput, ...]) -> dict[str, object]:
    workspace = Workspace(DisplayPath(folder), inputs, {}, (folder,))
    dirs = sorted({p.parent for p in folder.rglob("*.tf") if ".terraform" not in p.parts})
    out: dict[str, object] = {}
    for resource in terraform_resources(dirs, workspace, frozenset({"terraform_data"})):
        value = resource.attributes["input"].value
        assert contains_unknown(value) is None, (resource.address, value)
        out[resource.address] = value
    assert workspace.errors == []
    return out


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_agrees_with_terraform(name: str, tmp_path: Path) -> None:
    for rel, text in CONFIGS[name].items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    expected = _terraform_plan(tmp_path, [])
    assert _iaclint(tmp_path, ()) == expected


def test_var_file_and_var_order_agree_with_terraform(tmp_path: Path) -> None:
    for rel, text in CONFIGS["tfvars-precedence"].items():
        (tmp_path / rel).write_text(text)
    (tmp_path / "extra.tfvars").write_text('a = "file"\nd = "file"\n')
    args = ["-var-file=extra.tfvars", "-var=d=cli", "-var=a=cli"]
    expected = _terraform_plan(tmp_path, args)
    inputs = (VarInput("var-file", str(tmp_path / "extra.tfvars")), VarInput("var", "d=cli"), VarInput("var", "a=cli"))
    assert _iaclint(tmp_path, inputs) == expected
