"""Which files to read, and as what: Terraform modules, templates, plans, CDK assemblies.

Discovery only looks at names and, for ambiguous JSON/YAML, at a cheap sniff of the text
(never a full parse: that is the parsers' job, done once). Hidden directories,
`node_modules` and `.terraform` are skipped; symlinks are followed only when they stay
inside the scanned tree, and every directory is visited once, so there are no loops.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIP_DIRS = frozenset({"node_modules", ".terraform", "__pycache__", ".git"})


@dataclass
class Discovered:
    """Everything found under the targets, each path absolute and resolved."""

    terraform_dirs: dict[Path, list[Path]] = field(default_factory=dict)
    templates: list[Path] = field(default_factory=list)  # YAML/JSON to sniff and parse
    assemblies: list[Path] = field(default_factory=list)  # cdk.out manifest.json files
    named_files: set[Path] = field(default_factory=set)  # files given on the command line
    missing: list[str] = field(default_factory=list)  # targets that do not exist

    @property
    def file_count(self) -> int:
        return sum(len(v) for v in self.terraform_dirs.values()) + len(self.templates) + len(self.assemblies)


def is_terraform_file(name: str) -> bool:
    return name.endswith(TERRAFORM_SUFFIXES)


def is_assembly_dir(directory: Path, names: set[str]) -> bool:
    """A CDK cloud assembly: a manifest.json beside the `cdk.out` version marker, or a
    manifest whose text declares artifacts (older assemblies have no marker)."""
    if "manifest.json" not in names:
        return False
    if "cdk.out" in names:
        return True
    try:
        head = (directory / "manifest.json").read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return '"artifacts"' in head and '"version"' in head


def discover(targets: list[str], excludes: tuple[str, ...] = ()) -> Discovered:
    found = Discovered()
    visited: set[Path] = set()
    for target in targets:
        path = Path(target)
        if not path.exists():
            found.missing.append(target)
            continue
        resolved = path.resolve()
        if resolved.is_dir():
            _walk(resolved, resolved, found, visited, excludes)
        else:
            found.named_files.add(resolved)
            _classify_file(resolved, found)
    return found


def _excluded(path: Path, root: Path, excludes: tuple[str, ...]) -> bool:
    if not excludes:
        return False
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return any(fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path.name, pattern) for pattern in excludes)


def _walk(directory: Path, root: Path, found: Discovered, visited: set[Path], excludes: tuple[str, ...]) -> None:
    if directory in visited:
        return
    visited.add(directory)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    names = {e.name for e in entries}
    if is_assembly_dir(directory, names):
        found.assemblies.append(directory / "manifest.json")
        return
    for entry in entries:
        name = entry.name
        path = Path(entry.path)
        if _excluded(path, root, excludes):
            continue
        if entry.is_symlink():
            target = path.resolve()
            if not _inside(target, root):
                continue
            path = target
        try:
            is_dir = path.is_dir()
        except OSError:
            continue
        if is_dir:
            if name.startswith(".") or name in SKIP_DIRS:
                continue
            _walk(path, root, found, visited, excludes)
        else:
            _classify_file(path, found)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _classify_file(path: Path, found: Discovered) -> None:
    name = path.name
    if is_terraform_file(name):
        found.terraform_dirs.setdefault(path.parent, []).append(path)
    elif name.endswith(TFVARS_SUFFIXES):
        return  # read by the module it belongs to
    elif name == "manifest.json" and is_assembly_dir(path.parent, {p.name for p in path.parent.iterdir()}):
        found.assemblies.append(path)
    elif name.endswith(TEMPLATE_SUFFIXES):
        found.templates.append(path)
