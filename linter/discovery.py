"""Which files to read, and as what: Terraform modules, templates, plans, CDK assemblies.

Discovery only looks at names and, for ambiguous JSON/YAML, at a cheap sniff of the text
(never a full parse: that is the parsers' job, done once). Hidden directories,
`node_modules` and `.terraform` are skipped; symlinks are followed only when they stay
inside the scanned tree, and every directory is visited once, so there are no loops.

Files named on the command line (a pre-commit run passes the changed ones) select what they
belong to: a Terraform file or a tfvars file its directory's module, and that module the
modules of the repository (the nearest directory with `.git`) that call it through local
`source`s, at any depth, so that a changed default or tfvars value is evaluated where it is
used. A named --var-file or --param-file input selects the whole repository, since every
root module or template reads it.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

from linter.sources import is_inside

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


def discover(targets: list[str], excludes: tuple[str, ...] = (), cwd: Path | None = None,
             inputs: Collection[Path] = ()) -> Discovered:
    """What `targets` (relative to the process's working directory) hold. `cwd` is what
    excludes of named files and the repository root are found from; `inputs` (resolved)
    are the --var-file and --param-file inputs, which every root module or template reads."""
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
    if found.named_files:
        _select_for_named_files(found, (cwd or Path.cwd()).resolve(), excludes, inputs)
    return found


def _select_for_named_files(found: Discovered, cwd: Path, excludes: tuple[str, ...], inputs: Collection[Path]) -> None:
    """What the named files belong to: their module (a tfvars file's too) and the modules of
    the repository that call those; everything in the repository when an input is named."""
    found.named_files = {p for p in found.named_files if not _excluded(p, cwd, excludes)}
    for path in sorted(found.named_files):
        _classify_file(path, found)
        if path.name.endswith(TFVARS_SUFFIXES):
            _add_module(path.parent, found)
    named_input = bool(found.named_files & set(inputs))
    if not named_input and not any(is_terraform_file(p.name) or p.name.endswith(TFVARS_SUFFIXES) for p in found.named_files):
        return
    repository = Discovered()
    root = repository_root(cwd)
    _walk(root, root, repository, set(), excludes)
    if named_input:
        for directory, files in repository.terraform_dirs.items():
            found.terraform_dirs.setdefault(directory, files)
        found.templates += [t for t in repository.templates if t not in found.templates]
        found.assemblies += [a for a in repository.assemblies if a not in found.assemblies]
    _add_callers(found, repository)


def repository_root(cwd: Path) -> Path:
    """The nearest directory at or above `cwd` with a `.git`, else `cwd`."""
    return next((d for d in (cwd, *cwd.parents) if (d / ".git").exists()), cwd)


def _add_module(directory: Path, found: Discovered) -> None:
    """The module in `directory`, if it has configuration files."""
    try:
        files = sorted(p for p in directory.iterdir() if is_terraform_file(p.name) and p.is_file())
    except OSError:
        return
    if files:
        found.terraform_dirs.setdefault(directory, files)


# `source = "./x"` in HCL, `"source": "../x"` in Terraform JSON: a cheap sniff of the local
# module calls, with no parse. A match that is not a module call (an S3 object's `source`)
# can only add a module to evaluate, never lose a finding.
_LOCAL_SOURCE = re.compile(r'(?<![\w.-])"?source"?[ \t]*[=:][ \t]*"(\.\.?(?:/[^"]*)?)"')


def _add_callers(found: Discovered, repository: Discovered) -> None:
    """Add the modules of the repository that call a selected module, at any depth."""
    callers: dict[Path, set[Path]] = {}
    for directory, files in repository.terraform_dirs.items():
        for source in _local_sources(files):
            callers.setdefault((directory / source).resolve(), set()).add(directory)
    pending = list(found.terraform_dirs)
    while pending:
        for caller in sorted(callers.get(pending.pop(), ())):
            if caller not in found.terraform_dirs:
                found.terraform_dirs[caller] = repository.terraform_dirs[caller]
                pending.append(caller)


def _local_sources(files: list[Path]) -> set[str]:
    sources: set[str] = set()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        sources.update(_LOCAL_SOURCE.findall(text))
    return sources


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
            if not is_inside(target, root):
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
