"""The command line: start-up imports, several reports in one run, a golden file for every
format, exit codes and usage errors (exact text), and the changed-file semantics of a
pre-commit run (files named on the command line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sample_results import assert_golden, sample_result

from linter.cli import main
from linter.reporters import json_report, text

ROOT = Path(__file__).resolve().parent.parent
SUPPRESSIONS = ROOT / "fixtures" / "suppressions"
SCHEMA = ROOT / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"
FORMATS = {"json": "json", "sarif": "sarif", "junit": "junit.xml", "github": "github.txt", "gitlab": "gitlab.json"}
HEAVY = ("yaml", "linter.parsers.hcl", "linter.parsers.yamljson", "jsonpath_ng", "cfn_tools", "tomllib", "linter.engine")


def test_version_imports_no_parser() -> None:
    script = (
        "import sys, linter.cli\n"
        "try:\n    linter.cli.main(['--version'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.splitlines() == ["iaclint 0.1.0", "[]"]


# --- a golden file for every format -----------------------------------------------------


def test_sample_text_and_json_goldens() -> None:
    assert_golden("report.txt", text.render(sample_result()))
    assert_golden("report.json", json_report.render(sample_result()))


@pytest.mark.parametrize("fixture", ["expiry", "config-exceptions"])
def test_every_format_in_one_run(fixture: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = SUPPRESSIONS / fixture
    monkeypatch.chdir(folder)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    files = {name: tmp_path / f"report.{suffix}" for name, suffix in FORMATS.items()}
    code = main(["check", "--no-color", "--format", "text", *(f"--format={n}={p}" for n, p in files.items())])
    assert code == 1
    assert_golden(f"cli/{fixture}.txt", capsys.readouterr().out)
    for name, path in files.items():
        output = path.read_text(encoding="utf-8").replace(folder.as_uri(), "file:///SCANNED")
        assert_golden(f"cli/{fixture}.{FORMATS[name]}", output)


def test_cli_sarif_is_schema_valid_and_junit_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    junitparser = pytest.importorskip("junitparser")
    monkeypatch.chdir(SUPPRESSIONS / "config-exceptions")
    assert main(["check", f"--format=sarif={tmp_path / 'r.sarif'}", f"--format=junit={tmp_path / 'r.xml'}"]) == 1
    log = json.loads((tmp_path / "r.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    suppressed = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert [(r["properties"]["resourceAddress"], r["suppressions"][0]["kind"], r["suppressions"][0]["justification"])
            for r in suppressed] == [
        ("aws_kms_key.old", "external", "legacy stack, retired with the 2099 migration"),
        ('aws_kms_key.regional["eu"]', "external", "brackets and quotes in an address are literal"),
        ("module.dr.aws_kms_key.this", "external", "DR copy of the primary key, approved in SEC-7"),
    ]
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "r.xml"))
    skipped = sorted((case.name, case.result[0].message) for suite in xml for case in suite
                     if case.result and isinstance(case.result[0], junitparser.Skipped))
    assert skipped == [
        ("aws_kms_key.old (legacy/main.tf)", "suppressed: legacy stack, retired with the 2099 migration"),
        ('aws_kms_key.regional["eu"] (main.tf)', "suppressed: brackets and quotes in an address are literal"),
        ("module.dr.aws_kms_key.this (modules/key/main.tf)", "suppressed: DR copy of the primary key, approved in SEC-7"),
    ]


def test_format_and_output_still_work(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SUPPRESSIONS / "expiry")
    assert main(["check", "--format", "json", "--output", str(tmp_path / "r.json")]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["fail"] == 1


def test_step_summary_when_github_is_one_of_the_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SUPPRESSIONS / "expiry")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    assert main(["check", "--format", "github", "--format", f"sarif={tmp_path / 'r.sarif'}"]) == 1
    assert capsys.readouterr().out.startswith("::error file=main.tf,line=2,endLine=3,title=KMS001::")
    assert (tmp_path / "summary.md").read_text().startswith("## iaclint\n")


# --- exit codes and usage errors -----------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml"], "argument --format: unknown format 'xml' (known: text, json, sarif, junit, github, gitlab)"),
    (["--format", "sarif="], "argument --format: 'sarif=': no file after '='"),
    (["--format", "text", "--format", "json"],
     "only one report can go to standard output, not text, json: give the others as --format FORMAT=FILE"),
    (["--format", "text", "--format", "json", "--output", "r.json"], "--output FILE needs exactly one --format given without =FILE"),
    (["--format", "sarif=r.sarif", "--output", "r.json"], "--output FILE needs exactly one --format given without =FILE"),
    (["--format", "sarif=r.out", "--format", "json=./r.out"], "two reports would be written to the same file"),
    (["--var-file", "missing.tfvars"], "--var-file missing.tfvars: no such file"),
    (["--var", "novalue"], "argument --var: --var takes NAME=VALUE, got 'novalue'"),
    (["--select", "KMS999"], "--select: unknown policy 'KMS999' (`iaclint policies` lists them)"),
    (["--ignore", "KMS001,nope"], "--ignore: unknown policy 'nope' (`iaclint policies` lists them)"),
    (["--config", "missing.toml"], "--config missing.toml: no such file"),
    (["--baseline", "missing.json"], "baseline missing.json: cannot read: No such file or directory"),
    (["--param-file", "missing.json"], "missing.json: cannot read the parameter file: No such file or directory"),
    (["no/such/dir"], "no such file or directory: no/such/dir"),
    ([".", "/nonexistent"], "no such file or directory: /nonexistent"),  # nothing is checked
])
def test_usage_errors(args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", *args]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"iaclint: error: {message}\n")


@pytest.mark.parametrize(("source", "args", "code"), [
    ('resource "aws_kms_key" "k" {}\n', [], 0),
    ('resource "aws_kms_key" "k" {\n  multi_region = true\n}\n', [], 1),
    ('resource "aws_kms_key" "k" {\n  multi_region = var.x\n}\nvariable "x" {}\n', [], 0),
    ('resource "aws_kms_key" "k" {\n  multi_region = var.x\n}\nvariable "x" {}\n', ["--strict"], 1),
    ('resource "aws_kms_key" "k" {\n  multi_region = var.x\n}\nvariable "x" {}\n', ["--strict", "--no-strict"], 0),
    ('resource "aws_kms_key" "k" {\n  multi_region = true\n', [], 2),
])
def test_exit_codes(source: str, args: list[str], code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(source)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--quiet", *args, "."]) == code


def test_quiet_keeps_fail_and_unknown_findings_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_kms_key" "fail" {\n  multi_region = true\n}\n'
        'resource "aws_kms_key" "unknown" {\n  multi_region = var.x\n}\nvariable "x" {}\n'
        '# iaclint:ignore KMS001 reason="approved"\nresource "aws_kms_key" "suppressed" {\n  multi_region = true\n}\n'
        '# iaclint:ignore KMS999 reason="a warning"\n')
    (tmp_path / "broken.tf.json").write_text("{")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--quiet", "--no-color", "."]) == 2  # the error wins over the failing finding
    assert capsys.readouterr().out.splitlines() == [
        "main.tf:2:3: KMS001 [high] aws_kms_key.fail is a multi-Region key (multi_region = true)",
        "    main.tf:2: multi_region = true",
        "main.tf:5:3: KMS001 [high] aws_kms_key.unknown: cannot tell whether it is multi-Region: multi_region: var.x"
        " has no value: no default, no tfvars entry and no --var (unknown)",
        "    main.tf:5: multi_region = var.x",
        '    main.tf:7: variable "x" has no default',
        "broken.tf.json:1:2: error: invalid JSON: expected a value",
        "2 files, 3 resources checked: 1 failed, 1 unknown, 1 suppressed, 1 errors, 1 warnings",
    ]


def test_param_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stack.yaml").write_text(
        "Parameters:\n  Replicate:\n    Type: String\nResources:\n  Key:\n    Type: AWS::KMS::Key\n"
        "    Properties:\n      MultiRegion: !Ref Replicate\n")
    (tmp_path / "cli.json").write_text('[{"ParameterKey": "Replicate", "ParameterValue": "true"}]')
    (tmp_path / "pipeline.json").write_text('{"Parameters": {"Replicate": false}}')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--quiet", "--param-file", "cli.json", "stack.yaml"]) == 1
    assert main(["check", "--quiet", "--param-file", "cli.json", "--param-file", "pipeline.json", "stack.yaml"]) == 0
    assert main(["check", "--quiet", "--param-file", "pipeline.json", "--param", "Replicate=true", "stack.yaml"]) == 1
    capsys.readouterr()
    (tmp_path / "bad.json").write_text('"true"')
    assert main(["check", "--param-file", "bad.json", "stack.yaml"]) == 2
    assert capsys.readouterr().err == ("iaclint: error: bad.json: expected a list of {ParameterKey, ParameterValue} entries"
                                       ' or a template configuration {"Parameters": {...}}\n')


# --- files named on the command line (a pre-commit run) ------------------------------------


def _repository(tmp_path: Path) -> Path:
    """A root that calls modules/key, which calls modules/key/inner; an unrelated root."""
    files = {
        ".git/HEAD": "ref: refs/heads/main\n",
        "live/main.tf": 'module "key" {\n  source = "../modules/key"\n  multi_region = var.replicate\n}\n',
        "live/variables.tf": 'variable "replicate" {\n  default = false\n}\n',
        "modules/key/main.tf": 'variable "multi_region" {\n  default = false\n}\n\nmodule "inner" {\n'
                               '  source = "./inner"\n  multi_region = var.multi_region\n}\n',
        "modules/key/inner/main.tf": 'resource "aws_kms_key" "this" {\n  multi_region = var.multi_region\n}\n',
        "modules/key/inner/variables.tf": 'variable "multi_region" {\n  default = true\n}\n',
        "other/main.tf": 'resource "aws_kms_key" "unrelated" {\n  multi_region = true\n}\n',
    }
    return _write_files(tmp_path, files)


def _write_files(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def _findings(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")][:-1]


def test_a_changed_tfvars_file_is_evaluated_through_its_module(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path)
    (repo / "live/terraform.tfvars").write_text("replicate = true\n")
    monkeypatch.chdir(repo)
    assert main(["check", "--no-color", "live/terraform.tfvars"]) == 1
    assert capsys.readouterr().out == (
        "modules/key/inner/main.tf:2:3: KMS001 [high] module.key.module.inner.aws_kms_key.this is a multi-Region key"
        " (multi_region = true)\n"
        "    live/main.tf:1: module.key (source ../modules/key)\n"
        "    modules/key/main.tf:5: module.inner (source ./inner)\n"
        "    modules/key/inner/main.tf:2: multi_region = var.multi_region\n"
        "    modules/key/main.tf:7: module input multi_region = var.multi_region\n"
        "    live/main.tf:3: module input multi_region = var.replicate\n"
        "    live/terraform.tfvars:1: replicate = true (terraform.tfvars)\n"
        "5 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings\n"
    )


def test_a_changed_module_file_is_evaluated_through_the_roots_that_call_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path)
    monkeypatch.chdir(repo)
    # The inner module's default is overridden by its caller: through the root it passes.
    assert main(["check", "--no-color", "modules/key/inner/variables.tf"]) == 0
    assert _findings(capsys) == []
    (repo / "live/variables.tf").write_text('variable "replicate" {\n  default = true\n}\n')
    assert main(["check", "--no-color", "modules/key/inner/main.tf"]) == 1  # the resource's own file
    assert _findings(capsys) == [
        "modules/key/inner/main.tf:2:3: KMS001 [high] module.key.module.inner.aws_kms_key.this is a multi-Region key"
        " (multi_region = true)"]
    assert main(["check", "--no-color", "live/variables.tf"]) == 1  # a file of the evidence
    assert len(_findings(capsys)) == 1
    assert main(["check", "--no-color", "other/main.tf", "modules/key/inner/variables.tf"]) == 1  # not in the evidence
    assert _findings(capsys) == [
        "other/main.tf:2:3: KMS001 [high] aws_kms_key.unrelated is a multi-Region key (multi_region = true)"]


def test_an_excluded_named_file_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_repository(tmp_path))
    assert main(["check", "--no-color", "--exclude", "other/*", "other/main.tf"]) == 0
    assert capsys.readouterr().out == "0 files, 0 resources checked: 0 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings\n"


def test_a_changed_var_file_input_selects_every_root(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path)
    (repo / "env").mkdir()
    (repo / "env/prod.tfvars").write_text("replicate = true\n")
    (repo / ".iaclint.toml").write_text('var_files = ["env/prod.tfvars"]\n')
    monkeypatch.chdir(repo)
    assert main(["check", "--no-color", "env/prod.tfvars"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "modules/key/inner/main.tf:2:3: KMS001 [high] module.key.module.inner.aws_kms_key.this is a multi-Region key"
        " (multi_region = true)")
    assert "    env/prod.tfvars:1: replicate = true (prod.tfvars)" in out.splitlines()
    assert "unrelated" not in out  # other/ reads the var file too, but nothing there comes from it


def test_a_changed_parameter_file_input_selects_every_template(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        ".git/HEAD": "ref: refs/heads/main\n",
        ".iaclint.toml": 'param_files = ["params/prod.json"]\n',
        "params/prod.json": '[{"ParameterKey": "Replicate", "ParameterValue": "true"}]\n',
        "stacks/keys.yaml": "Parameters:\n  Replicate:\n    Type: String\n    Default: 'false'\nResources:\n  Key:\n"
                            "    Type: AWS::KMS::Key\n    Properties:\n      MultiRegion: !Ref Replicate\n",
    }
    monkeypatch.chdir(_write_files(tmp_path, files))
    assert main(["check", "--no-color", "params/prod.json"]) == 1
    assert capsys.readouterr().out == (
        "stacks/keys.yaml:9:1: KMS001 [high] Key is a multi-Region key (MultiRegion = true)\n"
        "    stacks/keys.yaml:9: MultiRegion: !Ref Replicate\n"
        '    stacks/keys.yaml:2: parameter Replicate from prod.json "true"\n'
        '    params/prod.json:1: Replicate: ParameterValue "true"\n'
        "1 files, 1 resources checked: 1 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings\n"
    )
