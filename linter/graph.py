"""The resource graph: every parser's resources in one list, with the diagnostics and the
count of files read. Each file is parsed once, by the parser its format calls for."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter.discovery import Discovered
from linter.model import Diagnostic, Resource
from linter.sources import DisplayPath

if TYPE_CHECKING:
    from linter.cloudformation.intrinsics import ParameterValueError
    from linter.engine import ScanOptions


@dataclass
class Graph:
    resources: list[Resource] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    files_scanned: int = 0


def build_graph(discovered: Discovered, options: ScanOptions, types: frozenset[str]) -> Graph:
    graph = Graph()
    display = DisplayPath(options.cwd.resolve())
    graph.errors.extend(Diagnostic(display(path), 0, message) for path, message in discovered.errors)
    graph.warnings.extend(Diagnostic(display(path), 0, message) for path, message in discovered.warnings)
    consumed: set[Path] = set()
    for manifest in discovered.assemblies:
        consumed |= _add_assembly(graph, manifest, display, options)
    if discovered.terraform_dirs:
        _add_terraform(graph, discovered, display, options, types)
    templates = []
    for path in discovered.templates:
        if path not in consumed:
            result = _read_template_or_plan(graph, path, display, options)
            if result is not None:
                templates.append((path, result))
    # A template that another one nests is checked through its parent, with the
    # parameters the parent passes, not a second time on its own.
    nested = {source for _, result in templates for source in result.sources[1:]}
    for path, result in templates:
        if path.resolve() not in nested:
            _add_result(graph, result, len(result.files) or 1)
    return graph


def _add_result(graph: Graph, result, files: int) -> None:  # type: ignore[no-untyped-def]
    graph.files_scanned += files
    graph.resources.extend(result.resources)
    graph.errors.extend(result.errors)
    graph.warnings.extend(result.warnings)


def _add_terraform(graph: Graph, discovered: Discovered, display: DisplayPath, options: ScanOptions, types: frozenset[str]) -> None:
    from linter.embedded import STACK_TYPES, templates_in_terraform
    from linter.terraform.modules import Workspace
    from linter.terraform.project import terraform_resources

    roots = tuple({display.cwd, *(_root_of(Path(t)) for t in options.targets)})
    # The workspace reports into the graph's own lists: attributes are evaluated lazily,
    # while policies read them, so a warning can arise after this function returns.
    from linter.cache import SyntaxCache

    cache = SyntaxCache(options.cache_dir) if options.cache_dir is not None else None
    workspace = Workspace(display, options.var_inputs, options.env, roots, errors=graph.errors,
                          warnings=graph.warnings, cache=cache)
    resources = list(terraform_resources(list(discovered.terraform_dirs), workspace, types | STACK_TYPES))
    graph.resources.extend(resources)
    graph.files_scanned += sum(len(c.files) + len(c.errors) for c in workspace.configs.values())
    lines = {f.display: f.lines for c in workspace.configs.values() for f in c.files}
    embedded = templates_in_terraform(resources, lines)
    graph.resources.extend(embedded.resources)
    graph.errors.extend(embedded.errors)
    graph.warnings.extend(embedded.warnings)


def _root_of(target: Path) -> Path:
    resolved = Path(os.path.realpath(target))
    return resolved if os.path.isdir(resolved) else resolved.parent


def _add_assembly(graph: Graph, manifest: Path, display: DisplayPath, options: ScanOptions) -> set[Path]:
    from linter.cloudformation.intrinsics import ParameterValueError
    from linter.parsers import cdk

    try:
        result = cdk.parse_assembly(manifest, display(manifest), options.params)
    except ParameterValueError as exc:  # the assembly's stacks are not checked
        graph.errors.append(_parameter_error(exc, display.cwd))
        graph.files_scanned += 1
        return set()
    graph.resources.extend(result.resources)
    graph.errors.extend(result.errors)
    graph.warnings.extend(result.warnings)
    graph.files_scanned += 1 + len(result.consumed)
    return set(result.consumed)


def _read_template_or_plan(graph: Graph, path: Path, display: DisplayPath, options: ScanOptions):  # type: ignore[no-untyped-def]
    """Plans are added at once; a CloudFormation template's result is returned, so that
    nested templates can be told apart from top-level ones."""
    shown = display(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        graph.errors.append(Diagnostic(shown, 0, f"cannot read file: {exc.strerror or exc}"))
        return None
    if path.suffix == ".json" and _sniff_plan(raw):
        _add_plan(graph, raw, shown)
        return None
    if b"Resources" not in raw and b"resources" not in raw:
        return None  # not a template, not worth a parse
    from linter.cloudformation.intrinsics import ParameterValueError
    from linter.parsers import cloudformation as cfn

    try:  # read once: the bytes sniffed above, as Path.read_text would give them
        text: str | None = io.StringIO(raw.decode("utf-8"), newline=None).read()
    except UnicodeDecodeError:
        text = None  # the template reader reports what cannot be decoded
    try:
        return cfn.parse_template_tree(path, shown, options.params, text=text)
    except ParameterValueError as exc:
        graph.errors.append(_parameter_error(exc, display.cwd))
        graph.files_scanned += 1
        return None
    except Exception as exc:  # noqa: BLE001 - one file's defect must not end the scan
        graph.errors.append(Diagnostic(shown, 0, f"internal error while reading this template: {type(exc).__name__}: {exc}"))
        return None


def _parameter_error(exc: ParameterValueError, cwd: Path) -> Diagnostic:
    """A --param or --param-file value the template's AllowedValues forbid: an error at
    the parameter's declaration; the other templates are still checked."""
    message = str(exc).removesuffix(f" ({exc.path})")
    return Diagnostic(exc.path, _parameter_line(cwd / exc.path, exc.parameter), message)


def _parameter_line(template: Path, name: str) -> int:
    """The line declaring parameter `name`, read again (only on this error path)."""
    from linter.parsers.yamljson import LoadError, key_line, load
    from linter.sources import SourceError, read_text

    try:
        parameters = load(read_text(template)).data.get("Parameters")
    except (SourceError, LoadError, AttributeError):
        return 0
    return key_line(parameters, name)


def _sniff_plan(raw: bytes) -> bool:
    """Whether a `.json` file is a `terraform show -json` plan. Plans in UTF-16 or UTF-32,
    with or without a byte-order mark, are looked at decoded."""
    from linter.parsers.plan import sniff_encoding as plan_encoding  # the plan reader's own test

    encoding, skip = plan_encoding(raw[:4])
    if encoding == "utf-8":
        return b'"format_version"' in raw[:4096] or (b'"planned_values"' in raw and b'"resource_changes"' in raw)
    head = raw[skip:skip + 65536].decode(encoding, errors="ignore")
    return '"format_version"' in head or ('"planned_values"' in head and '"resource_changes"' in head)


def _add_plan(graph: Graph, raw: bytes, shown: str) -> None:
    from linter.parsers import plan

    try:
        result = plan.parse_plan(plan.decode(raw), shown)
    except plan.PlanError as exc:
        graph.errors.append(Diagnostic(shown, exc.line, exc.message, exc.column))
        graph.files_scanned += 1
        return
    if result is not None:
        _add_result(graph, result, 1)
