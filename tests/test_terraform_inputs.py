"""Root module inputs in Terraform's precedence: defaults, TF_VAR_ environment values,
terraform.tfvars, *.auto.tfvars, then --var-file and --var in command-line order; the
finding's evidence names where the deciding value came from."""

from __future__ import annotations

from pathlib import Path

from linter.engine import ScanOptions, scan
from linter.terraform.modules import VarInput

CONFIG = """
variable "replicate" {
  type    = bool
  default = false
}
resource "aws_kms_key" "k" {
  multi_region = var.replicate
}
"""


def _scan(folder: Path, env: dict[str, str] | None = None, inputs: tuple[VarInput, ...] = ()):  # type: ignore[no-untyped-def]
    return scan(ScanOptions(targets=(str(folder),), cwd=folder, env=env or {}, var_inputs=inputs))


def test_tf_var_environment_value_is_read_as_the_declared_type(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    result = _scan(tmp_path, env={"TF_VAR_replicate": "true"})
    (finding,) = result.findings
    assert finding.status.value == "fail"
    assert [(s.location.path, s.note) for s in finding.evidence][-1] == ("<environment>", "environment TF_VAR_replicate")


def test_tfvars_wins_over_environment_and_var_wins_over_tfvars(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "terraform.tfvars").write_text("replicate = false\n")
    assert _scan(tmp_path, env={"TF_VAR_replicate": "true"}).findings == ()
    result = _scan(tmp_path, inputs=(VarInput("var", "replicate=true"),))
    assert [f.status.value for f in result.findings] == ["fail"]
    assert result.findings[0].evidence[-1].note == "--var replicate=true"


def test_later_var_file_wins(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "a.tfvars").write_text("replicate = true\n")
    (tmp_path / "b.tfvars").write_text("replicate = false\n")
    on = (VarInput("var-file", str(tmp_path / "b.tfvars")), VarInput("var-file", str(tmp_path / "a.tfvars")))
    off = tuple(reversed(on))
    assert [f.status.value for f in _scan(tmp_path, inputs=on).findings] == ["fail"]
    assert _scan(tmp_path, inputs=off).findings == ()
    evidence = _scan(tmp_path, inputs=on).findings[0].evidence
    assert (evidence[-1].location.path, evidence[-1].location.line, evidence[-1].note) == (
        "a.tfvars", 1, "replicate = true (a.tfvars)")


def test_a_value_terraform_rejects_is_unknown_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    result = _scan(tmp_path, inputs=(VarInput("var", "replicate=maybe"),))
    (finding,) = result.findings
    assert finding.status.value == "unknown"
    assert finding.message.endswith("multi_region: var.replicate is rejected by Terraform: a bool is required")
    assert [e.message for e in result.errors] == ["--var replicate=maybe: a bool is required"]


def test_resources_record_their_references(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("""
resource "aws_kms_key" "primary" { multi_region = true }
resource "aws_kms_replica_key" "copy" {
  provider        = aws.dr
  primary_key_arn = aws_kms_key.primary.arn
  description     = "${data.aws_region.here.name} ${module.names.prefix} ${aws_kms_key.primary.key_id}"
  tags            = { for k in var.tags : k => local.owner }
}
""")
    result = _scan(tmp_path)
    replica = next(f.resource for f in result.findings if f.resource.type == "aws_kms_replica_key")
    assert replica.references == ("aws_kms_key.primary", "data.aws_region.here", "module.names")


def test_a_locals_cycle_is_an_error_and_its_value_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = local.a\n}\n'
        'resource "aws_kms_key" "k" {\n  multi_region = local.a\n}\n'
    )
    result = _scan(tmp_path)
    assert [(e.path, e.line, e.message) for e in result.errors] == [
        ("main.tf", 2, "local.a refers to itself through a reference cycle; Terraform rejects the configuration")]
    assert [f.status.value for f in result.findings] == ["unknown"]


def test_a_module_that_calls_itself_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "again" {\n  source = "./"\n}\nresource "aws_kms_key" "k" {\n  multi_region = true\n}\n')
    result = _scan(tmp_path)
    assert [(e.path, e.line, e.message) for e in result.errors] == [
        ("main.tf", 1, "module.again calls ./, which is already being evaluated: a module cycle")]
    assert [(f.resource.address, f.status.value) for f in result.findings] == [("aws_kms_key.k", "fail")]


def test_primitive_var_values_are_taken_literally_and_bad_ones_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "mr" {\n  type = bool\n}\nresource "aws_kms_key" "k" {\n  multi_region = var.mr\n}\n')
    assert [f.status.value for f in _scan(tmp_path, inputs=(VarInput("var", "mr=1"),)).findings] == ["fail"]
    bad = _scan(tmp_path, inputs=(VarInput("var", "mr=tru"),))
    assert [(e.path, e.line, e.message) for e in bad.errors] == [("<command line>", 0, "--var mr=tru: a bool is required")]


def test_override_file_attribute_is_located_in_the_override_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {\n  multi_region = false\n}\n')
    (tmp_path / "main_override.tf").write_text('resource "aws_kms_key" "k" {\n  multi_region = true\n}\n')
    (finding,) = _scan(tmp_path).findings
    assert [(s.location.path, s.location.line, s.note) for s in finding.evidence] == [
        ("main_override.tf", 2, "multi_region = true")]


def test_strict_fails_on_a_module_source_that_cannot_be_followed(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from linter.cli import main

    (tmp_path / "main.tf").write_text('module "kms" {\n  source       = "terraform-aws-modules/kms/aws"\n  multi_region = true\n}\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-color", "."]) == 0
    assert main(["check", "--no-color", "--strict", "."]) == 1
    out = capsys.readouterr().out
    assert "main.tf:1: warning: module.kms: source terraform-aws-modules/kms/aws is not resolved" in out
    assert out.endswith("0 errors, 1 warnings (1 module sources not resolved)\n")


def test_text_output_shows_ten_unresolved_module_sources_and_counts_the_rest(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from linter.cli import main

    calls = "".join(f'module "m{i:02d}" {{\n  source = "example/mod{i}/aws"\n}}\n' for i in range(12))
    (tmp_path / "main.tf").write_text(calls)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-color", "."]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum("is not resolved" in line for line in lines) == 10
    assert lines[-2:] == [
        "... and 2 more module sources not resolved (--format json lists them all)",
        "1 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 0 errors, 12 warnings (12 module sources not resolved)",
    ]
