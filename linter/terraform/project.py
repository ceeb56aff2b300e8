"""Which Terraform modules are roots, and the resource instances they produce.

A directory of configuration files is a module. Modules that another scanned module
calls (by a local source) are evaluated through their callers, with the inputs given
there; the others are roots, evaluated with their tfvars and the command-line inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from linter.model import Diagnostic, Resource
from linter.terraform.modules import ModuleInstance, Workspace


def root_directories(directories: list[Path], workspace: Workspace) -> list[Path]:
    called: set[Path] = set()
    for directory in directories:
        config = workspace.config(directory)
        for call in config.module_calls.values():
            source = call.source
            if source and (source.startswith(("./", "../")) or source in (".", "..")):
                called.add((directory / source).resolve())
    roots = [d for d in directories if d not in called]
    # A set of modules that only call each other still gets evaluated.
    return roots or list(directories)


def terraform_resources(
    directories: list[Path], workspace: Workspace, types: frozenset[str] | None = None
) -> Iterator[Resource]:
    for directory in root_directories(sorted(directories), workspace):
        root = ModuleInstance(workspace, workspace.config(directory), "", (), None, directory)
        try:
            found = list(root.resources(types))
        except Exception as exc:  # noqa: BLE001 - one module's defect must not end the scan
            where = workspace.display(directory) or "."
            workspace.errors.append(Diagnostic(where, 0, f"internal error while evaluating this module: {type(exc).__name__}: {exc}"))
            continue
        yield from found
