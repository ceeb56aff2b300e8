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
    assert finding.message.endswith("multi_region: maybe cannot be used here: only constant values are allowed")


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
