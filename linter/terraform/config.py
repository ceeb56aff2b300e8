"""A Terraform module's configuration: its files parsed once and sorted into variables,
locals, outputs, resources and module calls, with override files merged.

Both syntaxes end up as the same HCL syntax tree: native files through the HCL parser,
`.tf.json` files through a conversion where every JSON string is read as a template, as
Terraform reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from linter.cache import SyntaxCache
from linter.model import Diagnostic, Location
from linter.parsers import hcl
from linter.parsers import hcl_ast as ast
from linter.parsers.tfjson import JsonBodyError, json_body
from linter.sources import DisplayPath, SourceError, read_text

if TYPE_CHECKING:
    from linter.terraform.evaluator import Positioned

MODULE_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")


@dataclass
class SourceFile:
    path: Path
    display: str
    lines: list[str]

    def note(self, line: int, column: int = 1) -> str:
        """The source line from `column` on, without its trailing comment, trimmed, for
        provenance notes. Only the part near the column is read: a minified JSON file is
        one long line, and notes must not cost a pass over all of it each."""
        if not 1 <= line <= len(self.lines):
            return ""
        text = self.lines[line - 1]
        if len(text) > 200:
            text = text[max(column - 1, 0): max(column - 1, 0) + 200]
        text = " ".join(_without_comment(text).split())
        return text if len(text) <= 100 else text[:97] + "..."

    def location(self, node: ast.Node, end_line: int = 0) -> Location:
        positioned = cast("Positioned", node)  # every concrete node sets line and col
        return Location(self.display, positioned.line, positioned.col, end_line or positioned.line)


_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|(#|//|/\*)')


def _without_comment(line: str) -> str:
    """The line up to a `#`, `//` or `/*` comment that is not inside a quoted string."""
    for match in _COMMENT.finditer(line):
        if match.group(1):
            return line[: match.start()]
    return line


@dataclass
class Variable:
    name: str
    default: ast.Attribute | None
    type: ast.Node | None
    nullable: bool
    block: ast.Block
    file: SourceFile


@dataclass
class Named:
    """A local value or an output: an expression with a name and a home."""

    name: str
    attribute: ast.Attribute
    file: SourceFile


@dataclass
class ResourceBlock:
    mode: str  # "managed" or "data"
    type: str
    name: str
    block: ast.Block
    file: SourceFile
    construct_path: str | None = None

    @property
    def attributes(self) -> dict[str, ast.Attribute]:
        return {a.name: a for a in self.block.body.attributes}

    def references(self) -> tuple[str, ...]:
        """The other resources, data sources and module calls this block's expressions
        refer to (`aws_kms_key.a`, `data.aws_iam_policy_document.p`, `module.keys`): the
        graph's edges, in order of first appearance."""
        found: dict[str, None] = {}
        for attribute in self.block.body.attributes:
            if attribute.name not in ("provider", "providers"):  # provider configurations are not resources
                _collect_references(attribute.expr, found)
        _collect_references(self.block.body.blocks, found)
        return tuple(found)


_NOT_RESOURCES = frozenset({"var", "local", "each", "count", "path", "terraform", "self"})


def _collect_references(node: object, found: dict[str, None]) -> None:
    if isinstance(node, ast.GetAttr):
        parts = _traversal_names(node)
        if parts and parts[0] not in _NOT_RESOURCES:
            if parts[0] == "data" and len(parts) >= 3:
                found.setdefault(".".join(parts[:3]), None)
                return
            if parts[0] != "data" and len(parts) >= 2:
                found.setdefault(".".join(parts[:2]), None)
                return
    if isinstance(node, ast.Node):
        for name in node._fields():
            _collect_references(getattr(node, name, None), found)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _collect_references(item, found)


def _traversal_names(node: ast.Node) -> list[str]:
    """`a.b.c` as ["a", "b", "c"] (indexes end the names), or [] when not rooted at a name."""
    names: list[str] = []
    while isinstance(node, (ast.GetAttr, ast.Index)):
        names = [node.name] + names if isinstance(node, ast.GetAttr) else []
        node = node.obj
    return [node.name] + names if isinstance(node, ast.Variable) else []


@dataclass
class ModuleCall:
    name: str
    block: ast.Block
    file: SourceFile

    @property
    def arguments(self) -> dict[str, ast.Attribute]:
        return {a.name: a for a in self.block.body.attributes}

    @property
    def source(self) -> str | None:
        attribute = self.arguments.get("source")
        if attribute is not None and isinstance(attribute.expr, ast.Literal) and isinstance(attribute.expr.value, str):
            return attribute.expr.value
        return None


@dataclass
class ModuleConfig:
    directory: Path
    display_dir: str
    files: list[SourceFile] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, Named] = field(default_factory=dict)
    outputs: dict[str, Named] = field(default_factory=dict)
    resources: dict[str, ResourceBlock] = field(default_factory=dict)
    module_calls: dict[str, ModuleCall] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    # Attributes an override file put into a block of another file, by id: their file.
    override_files: dict[int, SourceFile] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)


def is_override(name: str) -> bool:
    stem = name
    for suffix in MODULE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    return stem == "override" or stem.endswith("_override")


def module_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.name.endswith(MODULE_SUFFIXES) and p.is_file())
    except OSError:
        return []


def parse_file(
    path: Path, display: str, cache: SyntaxCache | None = None
) -> tuple[ast.Body | None, SourceFile | None, Diagnostic | None]:
    """Parse one configuration file; a failure is a Diagnostic with its line."""
    try:
        text = read_text(path)
    except SourceError as exc:
        return None, None, Diagnostic(display, exc.line, exc.message, exc.column)
    source = SourceFile(path, display, text.splitlines())
    try:
        kind, parse = ("tf.json", json_body) if path.name.endswith(".json") else ("hcl", hcl.parse)
        body = cache.get_or_parse(kind, text, parse) if cache is not None else parse(text)
    except ast.HclSyntaxError as exc:
        return None, source, Diagnostic(display, exc.line, exc.message, exc.col)
    except JsonBodyError as exc:
        return None, source, Diagnostic(display, exc.line, exc.message, exc.column)
    return body, source, None


def load_module(directory: Path, display_dir: str, display: "DisplayPath", cache: SyntaxCache | None = None) -> ModuleConfig:
    config = ModuleConfig(directory, display_dir)
    overrides: list[tuple[ast.Body, SourceFile]] = []
    for path in module_files(directory):
        body, source, error = parse_file(path, display(path), cache)
        if error is not None:
            config.errors.append(error)
        if body is None or source is None:
            continue
        config.files.append(source)
        if is_override(path.name):
            overrides.append((body, source))
        else:
            _collect(body, source, config)
    for body, source in overrides:
        _merge_override(body, source, config)
    return config


def _collect(body: ast.Body, source: SourceFile, config: ModuleConfig) -> None:
    for block in body.blocks:
        kind, labels = block.type, block.labels
        if kind == "variable" and len(labels) == 1:
            config.variables[labels[0]] = _variable(block, source)
        elif kind == "locals":
            for attribute in block.body.attributes:
                config.locals[attribute.name] = Named(attribute.name, attribute, source)
        elif kind == "output" and len(labels) == 1:
            value = _attr(block, "value")
            if value is not None:
                config.outputs[labels[0]] = Named(labels[0], value, source)
        elif kind in ("resource", "data") and len(labels) == 2:
            mode = "managed" if kind == "resource" else "data"
            key = _resource_key(mode, labels[0], labels[1])
            config.resources[key] = ResourceBlock(mode, labels[0], labels[1], block, source, _construct_path(block))
        elif kind == "module" and len(labels) == 1:
            config.module_calls[labels[0]] = ModuleCall(labels[0], block, source)
        # terraform, provider, moved, import, check, removed, ephemeral blocks: no values
        # a policy reads; they parse and are ignored.


def _resource_key(mode: str, type_: str, name: str) -> str:
    return f"{type_}.{name}" if mode == "managed" else f"data.{type_}.{name}"


def _attr(block: ast.Block, name: str) -> ast.Attribute | None:
    for attribute in block.body.attributes:
        if attribute.name == name:
            return attribute
    return None


def _variable(block: ast.Block, source: SourceFile) -> Variable:
    nullable_attr = _attr(block, "nullable")
    nullable = True
    if nullable_attr is not None and isinstance(nullable_attr.expr, ast.Literal):
        nullable = nullable_attr.expr.value is not False
    type_attr = _attr(block, "type")
    return Variable(
        block.labels[0], _attr(block, "default"), type_attr.expr if type_attr else None, nullable, block, source
    )


def _construct_path(block: ast.Block) -> str | None:
    """CDK for Terraform writes the construct path in a `"//"` metadata object."""
    meta = _attr(block, "//")
    if meta is None or not isinstance(meta.expr, ast.ObjectExpr):
        return None
    for key, value in meta.expr.items:
        if isinstance(key, ast.Literal) and key.value == "metadata" and isinstance(value, ast.ObjectExpr):
            for inner_key, inner_value in value.items:
                if isinstance(inner_key, ast.Literal) and inner_key.value == "path" and isinstance(inner_value, ast.Literal):
                    return str(inner_value.value)
    return None


def _merge_override(body: ast.Body, source: SourceFile, config: ModuleConfig) -> None:
    """Terraform's override merge: attributes of a matching block replace the original's;
    locals and outputs replace by name."""
    for block in body.blocks:
        kind, labels = block.type, block.labels
        target: ast.Block | None = None
        if kind in ("resource", "data") and len(labels) == 2:
            original = config.resources.get(_resource_key("managed" if kind == "resource" else "data", *labels))
            target = original.block if original else None
        elif kind == "module" and len(labels) == 1 and labels[0] in config.module_calls:
            target = config.module_calls[labels[0]].block
        elif kind == "variable" and len(labels) == 1 and labels[0] in config.variables:
            target = config.variables[labels[0]].block
        elif kind in ("locals", "output"):
            _collect(ast.Body([], [block]), source, config)
            continue
        if target is None:
            config.warnings.append(
                Diagnostic(source.display, block.line, f"override {kind} {' '.join(labels)} matches no original block")
            )
            continue
        _replace_attributes(target, block)
        for attribute in block.body.attributes:
            config.override_files[id(attribute)] = source
        if kind == "variable":
            config.variables[labels[0]] = _variable(target, config.variables[labels[0]].file)


def _replace_attributes(target: ast.Block, override: ast.Block) -> None:
    replaced = {a.name: a for a in override.body.attributes}
    kept = [a for a in target.body.attributes if a.name not in replaced]
    target.body.attributes = kept + list(replaced.values())
