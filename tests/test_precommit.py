"""The pre-commit hook: its definition, and the real pre-commit framework blocking a commit.

The framework test uses a `repo: local` hook built from this checkout's
.pre-commit-hooks.yaml (same id, name, `files`, `pass_filenames`, `require_serial`), with
`language: system` and the venv's own `iaclint check` as its entry. `pre-commit try-repo`
would pip-install the checkout and its dependencies from PyPI into a fresh environment on
every run (network, tens of seconds); the local hook exercises the same framework path (which
staged files the hook's `files` selects, how they are passed, what the exit code does to
the commit) and only skips the installation. Set IACLINT_TRY_REPO=1 to run the try-repo
variant as well. Both skip when git or pre-commit is missing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
IACLINT = Path(sys.executable).parent / "iaclint"
FINDING = ("modules/key/main.tf:2:3: KMS001 [high] module.key.aws_kms_key.this is a multi-Region key"
           " (multi_region = true)")

needs_tools = pytest.mark.skipif(
    shutil.which("git") is None or importlib.util.find_spec("pre_commit") is None or not IACLINT.exists(),
    reason="git, pre-commit or the iaclint script is not available",
)


def test_hook_definition() -> None:
    [hook] = HOOKS
    assert {k: hook[k] for k in ("id", "entry", "language", "pass_filenames", "require_serial")} == {
        "id": "iaclint", "entry": "iaclint check", "language": "python", "pass_filenames": True, "require_serial": True}


@pytest.mark.parametrize(("name", "selected"), [
    ("main.tf", True), ("main.tf.json", True), ("main.tofu", True), ("main.tofu.json", True),
    ("prod.tfvars", True), ("prod.tfvars.json", True), ("stack.yaml", True), ("stack.yml", True),
    ("stack.json", True), ("stack.template", True), ("cdk.out/manifest.json", True),
    ("README.md", False), ("main.tf.bak", False), ("app.py", False), ("yaml", False),
])
def test_hook_files(name: str, selected: bool) -> None:
    assert bool(re.search(HOOKS[0]["files"], name)) is selected


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(HOME=str(tmp_path / "home"), PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never",
               GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", NO_COLOR="1")
    (tmp_path / "home").mkdir()
    return env


class _Repository:
    """A git repository with the hook installed: a root module that calls ./modules/key."""

    def __init__(self, path: Path, env: dict[str, str], config: str):
        self.path, self.env = path, env
        path.mkdir()
        self.git("init", "-q", "-b", "main")
        self.write({
            ".pre-commit-config.yaml": config,
            "main.tf": 'module "key" {\n  source       = "./modules/key"\n  multi_region = var.replicate\n}\n',
            "variables.tf": 'variable "replicate" {\n  default = false\n}\n',
            "modules/key/main.tf": 'resource "aws_kms_key" "this" {\n  multi_region = var.multi_region\n}\n',
            "modules/key/variables.tf": 'variable "multi_region" {\n  type = bool\n}\n',
            "README.md": "keys\n",
        })
        self.run([sys.executable, "-m", "pre_commit", "install"], check=True)

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text)

    def run(self, command: list[str], check: bool = False) -> subprocess.CompletedProcess[str]:
        # git runs the hook with its output on standard error: read both, in order.
        return subprocess.run(command, cwd=self.path, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=check, timeout=300)

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(["git", *args], check=True)

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        self.git("add", "-A")
        return self.run(["git", "commit", "-q", "-m", message])

    def commits(self) -> int:
        done = self.run(["git", "rev-list", "--count", "HEAD"])
        return int(done.stdout) if done.returncode == 0 else 0


def _local_config() -> str:
    hook = dict(HOOKS[0], language="system", entry=f"{IACLINT} check")
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False)


def _blocks_a_multi_region_key_from_a_tfvars_file(repo: _Repository) -> None:
    first = repo.commit("keys")
    assert (first.returncode, repo.commits()) == (0, 1), first.stdout
    assert re.search(r"^iaclint\.+Passed$", first.stdout, re.MULTILINE), first.stdout

    repo.write({"terraform.tfvars": "replicate = true\n"})
    blocked = repo.commit("replicate the key")
    assert (blocked.returncode, repo.commits()) == (1, 1), blocked.stdout
    lines = blocked.stdout.splitlines()
    assert re.fullmatch(r"iaclint\.+Failed", lines[0]), blocked.stdout
    assert lines[1:3] == ["- hook id: iaclint", "- exit code: 1"]
    assert FINDING in lines
    assert "    terraform.tfvars:1: replicate = true (terraform.tfvars)" in lines

    repo.write({"terraform.tfvars": "replicate = false\n", "README.md": "single-Region keys\n"})
    clean = repo.commit("keep the key single-Region")
    assert (clean.returncode, repo.commits()) == (0, 2), clean.stdout


@needs_tools
def test_pre_commit_blocks_a_multi_region_key(tmp_path: Path) -> None:
    repo = _Repository(tmp_path / "repo", _environment(tmp_path), _local_config())
    _blocks_a_multi_region_key_from_a_tfvars_file(repo)


@needs_tools
@pytest.mark.skipif(os.environ.get("IACLINT_TRY_REPO") != "1", reason="installs from PyPI; set IACLINT_TRY_REPO=1")
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """The hook as users get it: pre-commit installs this checkout with pip."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__", ".*cache"))
    env = _environment(tmp_path)
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "iaclint"]):
        subprocess.run(command, cwd=source, env=env, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, env=env, check=True, capture_output=True, text=True)
    config = yaml.safe_dump({"repos": [{"repo": str(source), "rev": head.stdout.strip(), "hooks": [{"id": "iaclint"}]}]})
    repo = _Repository(tmp_path / "repo", env, config)
    _blocks_a_multi_region_key_from_a_tfvars_file(repo)
