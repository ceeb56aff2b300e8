"""Which files to read, and as what: Terraform modules, templates, plans, CDK assemblies.

Discovery only looks at names and, for ambiguous JSON/YAML, at a cheap sniff of the text
(never a full parse: that is the parsers' job, done once). Hidden directories,
`node_modules` and `.terraform` are skipped, and every directory and file is visited once,
so there are no loops. A symbolic link is followed when it leads inside the scanned tree;
one leading outside it, or nowhere (a loop, a missing target), is a warning. Terraform
configuration and tfvars files are the exception: a module is its directory's files,
links included wherever they point, as Terraform reads it. A directory that cannot be
read is an error, and the rest is still scanned.

Files named on the command line (a pre-commit run passes the changed ones) select what they
belong to: a Terraform file or a tfvars file its directory's module, and that module the
modules of its repository (the nearest directory above the file with `.git`) that call it
through local `source`s, at any depth, so that a changed default or tfvars value is
evaluated where it is used. A file outside any repository selects its own module only. A
named --var-file or --param-file input selects its whole repository, since every root
module or template reads it.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
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
    """Everything found under the targets, each path absolute and resolved (a Terraform
    file reached through a link keeps the link's own path: its directory is its module)."""

    terraform_dirs: dict[Path, list[Path]] = field(default_factory=dict)
    templates: list[Path] = field(default_factory=list)  # YAML/JSON to sniff and parse
    assemblies: list[Path] = field(default_factory=list)  # cdk.out manifest.json files
    named_files: set[Path] = field(default_factory=set)  # files given on the command line
    missing: list[str] = field(default_factory=list)  # targets that do not exist
    errors: list[tuple[Path, str]] = field(default_factory=list)  # what could not be read
    warnings: list[tuple[Path, str]] = field(default_factory=list)  # links not followed
    seen: set[Path] = field(default_factory=set)  # files classified, so each is read once

    @property
    def file_count(self) -> int:
        return sum(len(v) for v in self.terraform_dirs.values()) + len(self.templates) + len(self.assemblies)


def is_terraform_file(name: str) -> bool:
    return name.endswith(TERRAFORM_SUFFIXES)


def is_missing(target: str) -> bool:
    """Whether a path named on the command line does not exist. One that cannot be looked
    at (a directory on the way is unreadable) exists as far as this goes: the scan reports
    it as an input it could not read."""
    try:
        os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


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
    excludes of named files are matched from; `inputs` (resolved) are the --var-file and
    --param-file inputs, which every root module or template reads."""
    found = Discovered()
    visited: set[Path] = set()
    for target in targets:
        try:
            is_dir = stat.S_ISDIR(os.stat(target).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            found.missing.append(target)
            continue
        except OSError as exc:
            found.errors.append((Path(os.path.abspath(target)), f"cannot read: {exc.strerror or exc}"))
            continue
        resolved = Path(os.path.realpath(target))
        if is_dir:
            _walk(resolved, resolved, found, visited, excludes)
        else:
            found.named_files.add(resolved)
    if found.named_files:
        _select_for_named_files(found, (cwd or Path.cwd()).resolve(), excludes, inputs)
    return found


def _select_for_named_files(found: Discovered, cwd: Path, excludes: tuple[str, ...], inputs: Collection[Path]) -> None:
    """What the named files belong to: their module (a tfvars file's too) and the modules of
    their repository that call those; everything in the repository when an input is named."""
    found.named_files = {p for p in found.named_files if not _excluded(p, cwd, excludes)}
    for path in sorted(found.named_files):
        _classify_file(path, found)
        if path.name.endswith(TFVARS_SUFFIXES):
            _add_module(path.parent, found)
    named_inputs = found.named_files & set(inputs)
    selecting = [p for p in found.named_files
                 if p in named_inputs or is_terraform_file(p.name) or p.name.endswith(TFVARS_SUFFIXES)]
    roots = {root for root in map(repository_root, selecting) if root is not None}
    for root in sorted(roots):
        repository = Discovered()
        _walk(root, root, repository, set(), excludes)
        _add_notes(found, repository)
        if any(is_inside(p, root) for p in named_inputs):
            _add_everything(found, repository)
        _add_callers(found, repository)


def repository_root(path: Path) -> Path | None:
    """The nearest directory above `path` (a file) with a `.git`, or None."""
    return next((d for d in path.parents if os.path.lexists(d / ".git")), None)


def _add_notes(found: Discovered, repository: Discovered) -> None:
    """The repository is searched for callers, not scanned: what could not be read there
    may hide a caller, a warning. The targets' own walk may have met it already."""
    unread = {path for path, _ in found.errors}
    for note in [*repository.errors, *repository.warnings]:
        if note[0] not in unread and note not in found.warnings:
            found.warnings.append(note)


def _add_everything(found: Discovered, repository: Discovered) -> None:
    for directory, files in repository.terraform_dirs.items():
        found.terraform_dirs.setdefault(directory, files)
    found.templates += [t for t in repository.templates if t not in found.templates]
    found.assemblies += [a for a in repository.assemblies if a not in found.assemblies]


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
            callers.setdefault(Path(os.path.realpath(directory / source)), set()).add(directory)
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
    except OSError as exc:
        found.errors.append((directory, f"cannot read directory: {exc.strerror or exc}"))
        return
    names = {e.name for e in entries}
    if is_assembly_dir(directory, names):
        found.assemblies.append(directory / "manifest.json")
        return
    for entry in entries:
        path = Path(entry.path)
        if _excluded(path, root, excludes):
            continue
        target = _follow(path, root, found) if _is_link(entry) else path
        if target is not None:
            _visit(target, entry.name, root, found, visited, excludes)


def _visit(path: Path, name: str, root: Path, found: Discovered, visited: set[Path], excludes: tuple[str, ...]) -> None:
    try:
        is_dir = path.is_dir()
    except OSError as exc:  # a directory that can be listed but not searched
        found.errors.append((path, f"cannot read: {exc.strerror or exc}"))
        return
    if not is_dir:
        _classify_file(path, found)
    elif not _skipped_dir(name):
        _walk(path, root, found, visited, excludes)


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False  # then reading it says why


def _skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in SKIP_DIRS


def _follow(link: Path, root: Path, found: Discovered) -> Path | None:
    """Where a symbolic link met in the walk leads, or None when it is not followed (a
    warning, unless it could not lead to anything scanned: an editor's `.#main.tf` lock)."""
    try:
        is_dir = stat.S_ISDIR(os.stat(link).st_mode)
    except OSError as exc:
        if _may_be_read(link.name):
            found.warnings.append((link, _dead_link(exc)))
        return None
    if is_dir and _skipped_dir(link.name):
        return None
    if not is_dir and (is_terraform_file(link.name) or link.name.endswith(TFVARS_SUFFIXES)):
        return link  # a module's file, read where its directory lists it, as Terraform does
    target = Path(os.path.realpath(link))
    if not is_inside(target, root):
        if is_dir or _may_be_read(link.name) or _may_be_read(target.name):
            found.warnings.append((link, f"symbolic link to {target.as_posix()}, outside the scanned tree: not followed"))
        return None
    return target


def _may_be_read(name: str) -> bool:
    """Whether a link so named could lead to something scanned: a directory (a name without
    a suffix, not hidden) or a file of a format read here."""
    if _skipped_dir(name):
        return False
    return "." not in name or name.endswith((*TERRAFORM_SUFFIXES, *TFVARS_SUFFIXES, *TEMPLATE_SUFFIXES))


def _dead_link(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: not followed"
    if exc.errno == errno.ENOENT:
        return "symbolic link to a missing file: not followed"
    return f"symbolic link not followed: {exc.strerror or exc}"


def _classify_file(path: Path, found: Discovered) -> None:
    if path in found.seen:
        return  # reached again through a link
    found.seen.add(path)
    name = path.name
    if is_terraform_file(name):
        found.terraform_dirs.setdefault(path.parent, []).append(path)
    elif name.endswith(TFVARS_SUFFIXES):
        return  # read by the module it belongs to
    elif name == "manifest.json" and _is_named_assembly(path):
        found.assemblies.append(path)
    elif name.endswith(TEMPLATE_SUFFIXES):
        found.templates.append(path)


def _is_named_assembly(manifest: Path) -> bool:
    try:
        names = {p.name for p in manifest.parent.iterdir()}
    except OSError:
        names = {manifest.name}
    return is_assembly_dir(manifest.parent, names)
