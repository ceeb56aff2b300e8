"""The GitHub Action (action.yml): its structure, and its check step run here with bash the
way the runner would run it (inputs through the environment)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}")


def _step(step_id: str) -> dict:  # type: ignore[type-arg]
    return next(step for step in STEPS if step.get("id") == step_id)


def test_structure() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"paths", "args", "sarif-file", "python-version", "install"}
    assert all(spec.get("description") and "default" in spec for spec in ACTION["inputs"].values())
    assert ACTION["outputs"] == {
        "sarif-file": {"description": "The SARIF report's path.", "value": "${{ steps.check.outputs.sarif-file }}"},
        "exit-code": {"description": "iaclint's exit code (0 clean, 1 failing findings, 2 an input or usage error).",
                      "value": "${{ steps.check.outputs.exit-code }}"},
    }
    assert [step.get("uses", step.get("name")) for step in STEPS] == ["actions/setup-python@v5", "Install iaclint", "Run iaclint"]


def test_scripts_take_inputs_from_the_environment_only() -> None:
    for step in STEPS:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "an input spliced into a script can inject commands"


def test_runs_sarif_and_annotations_and_documents_the_upload() -> None:
    script = _step("check")["run"]
    assert 'iaclint check --format github --format "sarif=$IACLINT_SARIF"' in script
    header = (ROOT / "action.yml").read_text().split("\nname:")[0]
    assert "uses: github/codeql-action/upload-sarif@v3" in header and "sarif_file: iaclint.sarif" in header
    readme = (ROOT / "README.md").read_text()
    assert "github/codeql-action/upload-sarif@v3" in readme and "security-events: write" in readme


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not available")
def test_the_check_step_runs(tmp_path: Path) -> None:
    step = _step("check")
    defaults = {name: spec["default"] for name, spec in ACTION["inputs"].items()}
    env = {name: EXPRESSION.sub(lambda m: str(defaults[m.group(1)]), value) for name, value in step["env"].items()}
    env["IACLINT_SARIF"] = str(tmp_path / "iaclint.sarif")
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", GITHUB_OUTPUT=str(tmp_path / "out"),
               GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"), HOME=str(tmp_path))
    folder = ROOT / "fixtures" / "suppressions" / "expiry"
    done = subprocess.run(["bash", "-c", step["run"]], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0].startswith("::error file=main.tf,line=2,endLine=3,title=KMS001::")
    assert (tmp_path / "out").read_text() == f"sarif-file={tmp_path / 'iaclint.sarif'}\nexit-code=1\n"
    log = json.loads((tmp_path / "iaclint.sarif").read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["KMS001", "KMS001"]
    assert (tmp_path / "summary.md").read_text().startswith("## iaclint\n")
