"""Configuration: where it is found, what it may hold (exact usage errors naming the key
and the file), how it merges with the command line, and `check --show-config`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.cli import main
from linter.config import find_config, load, merge

KNOWN = "exceptions, exclude, format, ignore, param_files, params, select, strict, var_files, vars"
UNKNOWN_KEY = 'resource "aws_kms_key" "k" {\n  multi_region = var.replicate\n}\nvariable "replicate" {}\n'


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


# --- finding the file --------------------------------------------------------------------


def test_the_nearest_file_wins_and_iaclint_toml_comes_first(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pyproject.toml": "[tool.iaclint]\nstrict = true\n",
        "a/pyproject.toml": "[tool.black]\nline-length = 100\n",  # no [tool.iaclint]: passed over
        "a/b/.iaclint.toml": "strict = true\n",
        "a/b/pyproject.toml": "[tool.iaclint]\nstrict = false\n",
        "a/b/c/.keep": "",
    })
    assert find_config(tmp_path / "a/b/c") == tmp_path / "a/b/.iaclint.toml"
    assert find_config(tmp_path / "a") == tmp_path / "pyproject.toml"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(tmp_path / "a") is None


def test_a_dotted_or_array_table_counts(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": '[[tool.iaclint.exceptions]]\nid = "KMS001"\naddress = "x"\nreason = "r"\n'})
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


# --- what it may hold --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text", "message"), [
    ("pyproject.toml", "[tool.iaclint]\nselct = []\n", f"pyproject.toml [tool.iaclint]: selct: unknown key (known: {KNOWN})"),
    (".iaclint.toml", 'strict = "yes"\n', '.iaclint.toml: strict: expected true or false, got string "yes"'),
    (".iaclint.toml", 'select = "KMS001"\n', '.iaclint.toml: select: expected an array of strings, got string "KMS001"'),
    (".iaclint.toml", 'select = ["KMS999"]\n', ".iaclint.toml: select: unknown policy 'KMS999' (`iaclint policies` lists them)"),
    (".iaclint.toml", "ignore = [1]\n", ".iaclint.toml: ignore: expected an array of strings, got an array holding integer 1"),
    (".iaclint.toml", "exclude = 3\n", ".iaclint.toml: exclude: expected an array of strings, got integer 3"),
    (".iaclint.toml", 'format = "xml"\n',
     ".iaclint.toml: format: unknown format 'xml' (known: text, json, sarif, junit, github, gitlab)"),
    (".iaclint.toml", "vars = [1]\n", ".iaclint.toml: vars: expected a table, got an array"),
    (".iaclint.toml", "[vars]\nwhen = 2027-06-30\n", ".iaclint.toml: vars.when: expected a string, number or boolean, got a date"),
    (".iaclint.toml", "[params]\nRegions = {a = 1}\n",
     ".iaclint.toml: params.Regions: expected a string, number, boolean or list of them, got a table"),
    (".iaclint.toml", 'var_files = ["missing.tfvars"]\n', ".iaclint.toml: var_files: missing.tfvars: no such file"),
    (".iaclint.toml", 'param_files = ["missing.json"]\n', ".iaclint.toml: param_files: missing.json: no such file"),
    (".iaclint.toml", 'exceptions = {id = "KMS001"}\n', ".iaclint.toml: exceptions: expected an array of tables, got a table"),
    (".iaclint.toml", '[[exceptions]]\nid = "KMS001"\nreason = "r"\n', ".iaclint.toml: exceptions[0]: missing address"),
    (".iaclint.toml", '[[exceptions]]\nid = "KMS001"\naddress = "x"\nreasn = "r"\n',
     ".iaclint.toml: exceptions[0].reasn: unknown key (known: id, address, reason, until, path)"),
    (".iaclint.toml", '[[exceptions]]\nid = "KMS001"\naddress = "x"\nreason = "r"\n[[exceptions]]\nid = "KMS001"\n'
                      'address = "y"\nuntil = 20270630\n', ".iaclint.toml: exceptions[1].until: expected a string, got integer 20270630"),
    (".iaclint.toml", "strict = tru\n", ".iaclint.toml: invalid TOML: Invalid value (at line 1, column 10)"),
])
def test_problems_are_usage_errors_naming_the_file_and_key(name: str, text: str, message: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {name: text, "main.tf": UNKNOWN_KEY})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 2
    assert capsys.readouterr() == ("", f"iaclint: error: {message}\n")


def test_a_config_file_named_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"ci/iaclint.toml": "strict = true\n", "main.tf": UNKNOWN_KEY})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--quiet", "."]) == 0
    assert main(["check", "--quiet", "--config", "ci/iaclint.toml", "."]) == 1
    capsys.readouterr()


# --- merging: command line over file over defaults ---------------------------------------------


def test_merge_rules(tmp_path: Path) -> None:
    _write(tmp_path, {
        ".iaclint.toml": 'select = ["KMS001"]\nexclude = ["a/*"]\nvar_files = ["env/prod.tfvars"]\n'
                         '[vars]\nreplicate = true\nregion = "eu-west-1"\n[params]\nStage = "prod"\nPort = 443\n',
        "env/prod.tfvars": "",
    })
    file = load(tmp_path / ".iaclint.toml", tmp_path)
    settings = merge(file, {"exclude": ("b/*",), "var_inputs": (("var", "region=us-east-1"),),
                            "params": {"Stage": "dev"}, "strict": True, "format": ("json",)}, ".iaclint.toml")
    assert settings.select == ("KMS001",)  # from the file
    assert settings.exclude == ("a/*", "b/*")  # both
    assert settings.var_inputs == (("var-file", "env/prod.tfvars"), ("var", "replicate=true"), ("var", "region=eu-west-1"),
                                   ("var", "region=us-east-1"))  # the command line's come last, so they win
    assert dict(settings.params) == {"Stage": "dev", "Port": "443"}  # per name
    assert (settings.strict, settings.format) == (True, ("json",))  # replaced
    assert merge({}, {}).format == ("text",)  # the defaults


def test_file_settings_apply_and_the_command_line_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {
        "pyproject.toml": '[tool.iaclint]\nstrict = true\nformat = ["text", "json=reports/iaclint.json"]\n'
                          'var_files = ["env/prod.tfvars"]\n',
        "env/prod.tfvars": "replicate = false\n",
        "reports/.keep": "",
        "stack/main.tf": UNKNOWN_KEY,
    })
    monkeypatch.chdir(tmp_path / "stack")  # the file is found upward; its paths are relative to it
    assert main(["check", "--quiet", "."]) == 0  # replicate = false from the configured var file
    assert json.loads((tmp_path / "reports/iaclint.json").read_text())["summary"]["fail"] == 0
    assert main(["check", "--quiet", "--var", "replicate=true", "."]) == 1  # --var after the file's var files
    capsys.readouterr()
    (tmp_path / "env/prod.tfvars").write_text("")
    assert main(["check", "--quiet", "--format", "text", "."]) == 1  # strict from the file: unknown fails
    assert main(["check", "--quiet", "--no-strict", "--format", "text", "."]) == 0
    assert main(["check", "--quiet", "--ignore", "KMS001", "--format", "text", "."]) == 0
    capsys.readouterr()


def test_exclude_from_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {".iaclint.toml": 'exclude = ["examples/*"]\n',
                      "examples/main.tf": 'resource "aws_kms_key" "k" {\n  multi_region = true\n}\n'})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--quiet", "."]) == 0
    assert main(["check", "--quiet", "examples/main.tf"]) == 0  # a named file is excluded too
    capsys.readouterr()


def test_show_config(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {
        "pyproject.toml": '[tool.iaclint]\nignore = []\nexclude = ["examples/*"]\nvar_files = ["env/prod.tfvars"]\n'
                          'format = "sarif=iaclint.sarif"\n[tool.iaclint.vars]\nreplicate = true\n'
                          '[tool.iaclint.params]\nStage = "prod"\n\n[[tool.iaclint.exceptions]]\nid = "KMS001"\n'
                          'address = "module.dr.*"\nreason = "DR copy, SEC-7"\nuntil = 2027-06-30\n',
        "env/prod.tfvars": "",
        "sub/.keep": "",
    })
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["check", "--show-config", "--strict", "--exclude", "tmp/*", "--var", "region=eu", "--param", "Stage=dev",
                 "--format", "text"]) == 0
    assert capsys.readouterr().out == (
        "# iaclint check configuration: defaults, then ../pyproject.toml [tool.iaclint], then the command line\n"
        "# policies checked: KMS001\n"
        "select = []\n"
        "ignore = []\n"
        'exclude = ["examples/*", "tmp/*"]\n'
        'var_files = ["../env/prod.tfvars"]\n'
        'vars = {replicate = "true", region = "eu"}\n'
        'params = {Stage = "dev"}\n'
        "param_files = []\n"
        "strict = true\n"
        'format = ["text"]\n'
        "exceptions = [\n"
        '  {id = "KMS001", address = "module.dr.*", reason = "DR copy, SEC-7", until = "2027-06-30"},\n'
        "]\n"
    )


def test_show_config_without_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--show-config", "--ignore", "KMS001"]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "# iaclint check configuration: defaults, then the command line", "# policies checked: none", "select = []"]
