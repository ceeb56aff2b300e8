"""Module instances: variables, locals, outputs, module calls and resource instances,
evaluated as Terraform would plan them.

A `ModuleInstance` is one instance of a module (the root, or `module.k["dr"]`). It is the
evaluator's scope: it resolves `var.*`, `local.*`, `module.*`, resource references and
`path.*`, remembering each value's provenance. `Workspace` holds what a whole scan
shares: configurations loaded once per directory, the variable inputs from the command
line, and the diagnostics.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, TypeAlias, cast

from linter.cache import SyntaxCache
from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Step, Unknown, contains_unknown
from linter.parsers import hcl
from linter.parsers import hcl_ast as ast
from linter.sources import SourceError, is_inside, read_text
from linter.terraform import values as tv
from linter.terraform.config import (
    DisplayPath, ModuleCall, ModuleConfig, ResourceBlock, SourceFile, Variable, load_module, parse_file,
)
from linter.terraform.evaluator import NO_STEPS, ChildScope, Result, evaluate, evaluate_safely, where as location_in
from linter.terraform.types import type_spec

MAX_MODULE_DEPTH = 32
MAX_INSTANCES = 10_000  # a count beyond this is a mistake or a stress test, not a plan
COMPUTED = "is known only after apply"

# The instances of a module call: one, a list (count) or a dict (for_each), or an Unknown.
Children: TypeAlias = "ModuleInstance | list[ModuleInstance] | dict[str, ModuleInstance] | Unknown"
# ("single", None), ("count", range) or ("for_each", [(key, value)]), or an Unknown.
Repetition: TypeAlias = "tuple[str, Any] | Unknown"


@dataclass(frozen=True)
class VarInput:
    """One `--var NAME=VALUE` or `--var-file FILE`, in command-line order."""

    kind: str  # "var" or "var-file"
    value: str


@dataclass
class Workspace:
    display: DisplayPath
    inputs: tuple[VarInput, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    allowed_roots: tuple[Path, ...] = ()
    configs: dict[Path, ModuleConfig] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    cache: SyntaxCache | None = None
    _warned: set[tuple[str, int, str]] = field(default_factory=set)

    def config(self, directory: Path) -> ModuleConfig:
        config = self.configs.get(directory)
        if config is None:
            config = load_module(directory, self.display(directory) or ".", self.display, self.cache)
            self.configs[directory] = config
            self.errors.extend(config.errors)
            self.warnings.extend(config.warnings)
        return config

    def error(self, path: str, line: int, message: str) -> None:
        key = (path, line, message)
        if key not in self._warned:
            self._warned.add(key)
            self.errors.append(Diagnostic(path, line, message))

    def warn(self, path: str, line: int, message: str, kind: str = "input") -> None:
        key = (path, line, message)
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(Diagnostic(path, line, message, kind=kind))


class FileScope:
    """The evaluator's scope for expressions of one file of a module instance, with
    optional `count`/`each` bindings."""

    def __init__(self, instance: ModuleInstance, file: SourceFile, bindings: Mapping[str, Result] | None = None):
        self.instance, self.file, self.path = instance, file, file.display
        self.bindings: Mapping[str, Result] = bindings or {}

    def lookup(self, name: str, node: ast.Node) -> Result:
        if name in self.bindings:
            return self.bindings[name]
        return self.instance.lookup(name, node, self.file)

    def call_file_function(self, name: str, args: list[object], node: ast.Node) -> object:
        return self.instance.call_file_function(name, args, node, self.file)


class ModuleInstance:
    def __init__(
        self,
        workspace: Workspace,
        config: ModuleConfig,
        address: str,
        context: tuple[Step, ...],
        inputs: dict[str, Result] | None,
        root_dir: Path,
        depth: int = 0,
        callers: tuple[Path, ...] = (),
    ):
        self.workspace, self.config, self.address = workspace, config, address
        self.context, self.root_dir, self.depth = context, root_dir, depth
        self.chain = callers + (config.directory,)  # this module's directory and its callers' directories
        self.is_root = inputs is None
        self._inputs = inputs or {}
        self._variables: dict[str, Result] = {}
        self._locals: dict[str, Result] = {}
        self._in_progress: set[str] = set()
        self._children: dict[str, Result] = {}
        self._instances: dict[str, Children] = {}
        self._root_values: dict[str, Result] | None = None
        self.existence: Unknown | None = None  # set when the module call's count/for_each is unknown

    # ------------------------------------------------------------------ name lookup

    def lookup(self, name: str, node: ast.Node, file: SourceFile) -> Result:
        root, _, rest = name.partition(".")
        if root == "var" and rest:
            return self.variable(rest, node, file)
        if root == "local" and rest:
            return self.local(rest, node, file)
        if root == "module" and rest:
            return self.module_value(rest, node, file)
        if root == "path" and rest:
            return self._path(rest), NO_STEPS
        if root == "terraform" and rest == "workspace":
            return Unknown("terraform.workspace depends on the selected workspace", file.location(node)), NO_STEPS
        if root in ("count", "each", "self") and rest:
            return Unknown(f"{name} is not available here", file.location(node)), NO_STEPS
        if root == "data" and rest:
            return _AnyAttribute(f"data source data.{rest}.* is read at plan time", file.location(node)), NO_STEPS
        if rest and "." not in rest:
            return self.resource_value(root, rest, node, file)
        raise KeyError(name)

    def _path(self, what: str) -> object:
        if what == "module":
            return self.config.display_dir
        if what in ("root", "cwd"):
            return self.workspace.display(self.root_dir) or "."
        return Unknown(f"path.{what} is not a Terraform path value")

    # ------------------------------------------------------------------ variables

    def variable(self, name: str, node: ast.Node, file: SourceFile) -> Result:
        if name not in self._variables:
            declared = self.config.variables.get(name)
            if declared is None:
                return Unknown(f"var.{name} is not declared in {self.config.display_dir}", file.location(node)), NO_STEPS
            self._variables[name] = self._variable_value(declared)
        return self._variables[name]

    def _variable_value(self, declared: Variable) -> Result:
        value, steps = self._given_value(declared)
        if value is None and not declared.nullable:
            value, steps = self._default(declared)
        if declared.type is not None and contains_unknown(value) is None:
            try:
                spec = type_spec(declared.type)
                value = tv.convert(value, spec)
            except tv.EvalError as exc:
                location = steps[-1].location if steps else declared.file.location(declared.block)
                if location.path in ("<command line>", "<environment>"):
                    # terraform plan stops on such a value: an input error, not a finding
                    self.workspace.errors.append(Diagnostic(location.path, 0, f"{steps[-1].note}: {exc}"))
                return Unknown(f"var.{declared.name} is rejected by Terraform: {exc}", location), steps
        if isinstance(value, Unknown) and value.location is not None and value.location.path in ("<command line>", "<environment>"):
            self.workspace.errors.append(Diagnostic(value.location.path, 0, value.reason))
        return value, steps

    def _given_value(self, declared: Variable) -> Result:
        name = declared.name
        if not self.is_root:
            if name in self._inputs:
                return self._inputs[name]
            return self._default(declared)
        given = self._root_variable_values().get(name)
        return given if given is not None else self._default(declared)

    def _default(self, declared: Variable) -> Result:
        if declared.default is None:
            where = declared.file.location(declared.block)
            reason = f"var.{declared.name} has no value: no default, no tfvars entry and no --var"
            return Unknown(reason, where), (Step(where, f"variable \"{declared.name}\" has no default"),)
        attribute = declared.default
        value, steps = evaluate_safely(attribute.expr, FileScope(self, declared.file))
        step = Step(declared.file.location(attribute), f"variable {declared.name} default: {declared.file.note(attribute.line, attribute.col)}")
        return value, (step,) + steps

    def _root_variable_values(self) -> dict[str, Result]:
        """Root module inputs in Terraform's precedence: TF_VAR_ environment, then
        terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in lexical order,
        then --var-file and --var in command-line order. Later wins."""
        if self._root_values is not None:
            return self._root_values
        values: dict[str, Result] = {}
        for key, text in sorted(self.workspace.env.items()):
            if key.startswith("TF_VAR_"):
                name = key[len("TF_VAR_"):]
                values[name] = self._string_input(name, text, Location("<environment>", 0), f"environment {key}")
        for path in _auto_var_files(self.config.directory):
            values.update(self._var_file(path))
        for given in self.workspace.inputs:
            if given.kind == "var-file":
                values.update(self._var_file(Path(given.value).resolve()))
            else:
                name, _, text = given.value.partition("=")
                values[name] = self._string_input(name, text, Location("<command line>", 0), f"--var {given.value}")
        self._root_values = values
        return values

    def _string_input(self, name: str, text: str, where: Location, note: str) -> Result:
        """A value from the environment or --var, as Terraform reads it: taken literally
        (then converted) for an untyped variable or one of a primitive type, an HCL
        expression for collection and structural types."""
        declared = self.config.variables.get(name)
        value: object = text
        if declared is not None and declared.type is not None and not _is_primitive_type(declared.type):
            try:
                value, _ = evaluate(hcl.parse_expression(text), _ConstantScope(where.path))
            except (ast.HclSyntaxError, tv.EvalError) as exc:
                value = Unknown(f"var.{name} from {note} is not a valid expression: {exc}", where)
        return value, (Step(where, f"{note}"),)

    def _var_file(self, path: Path) -> dict[str, Result]:
        display = self.workspace.display(path)
        if path.name.endswith(".json"):
            return self._json_var_file(path, display)
        body, source, error = parse_file(path, display, self.workspace.cache)
        if error is not None:
            self.workspace.errors.append(error)
        if body is None or source is None:
            return {}
        scope = _ConstantScope(display)
        out: dict[str, Result] = {}
        for attribute in body.attributes:
            value, _ = evaluate_safely(attribute.expr, scope)
            out[attribute.name] = (value, (Step(source.location(attribute), f"{source.note(attribute.line, attribute.col)} ({path.name})"),))
        return out

    def _json_var_file(self, path: Path, display: str) -> dict[str, Result]:
        try:
            data = json.loads(read_text(path))
        except (SourceError, ValueError) as exc:
            self.workspace.errors.append(Diagnostic(display, getattr(exc, "lineno", 1) or 1, f"cannot read variables file: {exc}"))
            return {}
        if not isinstance(data, dict):
            self.workspace.errors.append(Diagnostic(display, 1, "a .tfvars.json file must hold one object"))
            return {}
        where = Location(display, 1)
        return {k: (v, (Step(where, f"{k} = {json.dumps(v)} ({path.name})"),)) for k, v in data.items()}

    # ------------------------------------------------------------------ locals, outputs

    def local(self, name: str, node: ast.Node, file: SourceFile) -> Result:
        if name in self._locals:
            return self._locals[name]
        named = self.config.locals.get(name)
        if named is None:
            return Unknown(f"local.{name} is not declared in {self.config.display_dir}", file.location(node)), NO_STEPS
        if name in self._in_progress:
            where = named.file.location(named.attribute)
            self.workspace.error(where.path, where.line, f"local.{name} refers to itself through a reference cycle; Terraform rejects the configuration")
            return Unknown(f"local.{name} is part of a reference cycle", where), NO_STEPS
        self._in_progress.add(name)
        try:
            value, steps = evaluate_safely(named.attribute.expr, FileScope(self, named.file))
        finally:
            self._in_progress.discard(name)
        step = Step(named.file.location(named.attribute), f"local {named.file.note(named.attribute.line, named.attribute.col)}")
        self._locals[name] = (value, (step,) + steps)
        return self._locals[name]

    def output(self, name: str) -> Result:
        named = self.config.outputs.get(name)
        if named is None:
            return Unknown(f"module {self.address or 'root'} has no output {name}"), NO_STEPS
        key = "\0output." + name
        if key in self._in_progress:
            return Unknown(f"output {name} is part of a reference cycle"), NO_STEPS
        self._in_progress.add(key)
        try:
            value, steps = evaluate_safely(named.attribute.expr, FileScope(self, named.file))
        finally:
            self._in_progress.discard(key)
        step = Step(named.file.location(named.attribute), f"output {name}: {named.file.note(named.attribute.line, named.attribute.col)}")
        return value, (step,) + steps

    # ------------------------------------------------------------------ module calls

    def module_value(self, name: str, node: ast.Node, file: SourceFile) -> Result:
        if name not in self._children:
            call = self.config.module_calls.get(name)
            if call is None:
                return Unknown(f"module.{name} is not declared", file.location(node)), NO_STEPS
            self._children[name] = self._module_outputs(call)
        return self._children[name]

    def _module_outputs(self, call: ModuleCall) -> Result:
        instances = self.child_instances(call)
        if isinstance(instances, Unknown):
            return instances, NO_STEPS
        def outputs(child: ModuleInstance) -> dict[str, object]:
            return _OutputObject(child)
        if isinstance(instances, list):
            return [outputs(c) for c in instances], NO_STEPS
        if isinstance(instances, dict):
            return {k: outputs(c) for k, c in instances.items()}, NO_STEPS
        return outputs(instances), NO_STEPS

    def child_instances(self, call: ModuleCall) -> Children:
        """The instances of a module call: one, a list (count) or a dict (for_each); an
        Unknown when the source or the repetition cannot be resolved."""
        if call.name not in self._instances:
            self._instances[call.name] = self._make_children(call)
        return self._instances[call.name]

    def _make_children(self, call: ModuleCall) -> Children:
        config = self._child_config(call)
        if isinstance(config, Unknown):
            return config
        repeat = _repetition(call.arguments, FileScope(self, call.file))
        if isinstance(repeat, Unknown):
            return repeat
        kind, keys = repeat
        if kind == "single":
            return self._child(call, config, "", {})
        if kind == "count":
            return [self._child(call, config, f"[{i}]", {"count.index": (i, NO_STEPS)}) for i in keys]
        return {k: self._child(call, config, _instance_suffix(k), {"each.key": (k, NO_STEPS), "each.value": (v, NO_STEPS)})
                for k, v in keys}

    def _child_config(self, call: ModuleCall) -> ModuleConfig | Unknown:
        directory = self._resolve_source(call)
        if isinstance(directory, Unknown):
            return directory
        where = call.file.location(call.block)
        if directory in self.chain:
            message = f"module.{call.name} calls {call.source}, which is already being evaluated: a module cycle"
            self.workspace.error(where.path, where.line, message)
            return Unknown(message, where)
        if self.depth >= MAX_MODULE_DEPTH:
            message = f"module.{call.name}: modules nested deeper than {MAX_MODULE_DEPTH} levels are not evaluated"
            self.workspace.warn(where.path, where.line, message, kind="unresolved-module")
            return Unknown(message, where)
        return self.workspace.config(directory)

    def _child(self, call: ModuleCall, config: ModuleConfig, suffix: str, bindings: Mapping[str, Result],
               existence: Unknown | None = None) -> ModuleInstance:
        scope = FileScope(self, call.file, bindings)
        inputs: dict[str, Result] = {}
        for arg_name, attribute in call.arguments.items():
            if arg_name in _META_ARGUMENTS:
                continue
            value, steps = evaluate_safely(attribute.expr, scope)
            step = Step(call.file.location(attribute), f"module input {call.file.note(attribute.line, attribute.col)}")
            inputs[arg_name] = (value, (step,) + steps)
        where = call.file.location(call.block)
        context = self.context + (Step(where, f"module.{call.name}{suffix} (source {call.source or '?'})"),)
        child = ModuleInstance(self.workspace, config, f"{self.address}module.{call.name}{suffix}.", context, inputs,
                               self.root_dir, self.depth + 1, self.chain)
        child.existence = existence if existence is not None else self.existence
        return child

    def _child_despite_unknown_repetition(self, call: ModuleCall, repeat: Unknown) -> ModuleInstance | None:
        """When a module call's count or for_each cannot be known, its resources are still
        checked once, without an instance key, and marked as of unknown existence."""
        config = self._child_config(call)
        if isinstance(config, Unknown) or not ("count" in call.arguments or "for_each" in call.arguments):
            return None
        unknown_bindings = {n: (repeat, NO_STEPS) for n in ("count.index", "each.key", "each.value")}
        return self._child(call, config, "", unknown_bindings, existence=repeat)

    def _resolve_source(self, call: ModuleCall) -> Path | Unknown:
        source = call.source
        where = call.file.location(call.block)
        if source is None:
            return Unknown(f"module.{call.name} has no literal source", where)
        if source.startswith(("./", "../")) or source in (".", ".."):
            directory = (self.config.directory / source).resolve()
            if directory.is_dir():
                return directory
            self.workspace.warn(where.path, where.line, f"module.{call.name}: source {source} is not a directory")
            return Unknown(f"module.{call.name}: source {source} does not exist", where)
        downloaded = _downloaded_module(self.root_dir, self.address, call.name)
        if downloaded is not None:
            return downloaded
        self.workspace.warn(
            where.path, where.line,
            f"module.{call.name}: source {source} is not resolved (no .terraform/modules after terraform init); "
            "values from it are unknown",
            kind="unresolved-module",
        )
        return Unknown(f"module.{call.name} comes from {source}, which is not resolved", where)

    # ------------------------------------------------------------------ resources

    def resource_value(self, type_: str, name: str, node: ast.Node, file: SourceFile) -> Result:
        block = self.config.resources.get(f"{type_}.{name}")
        where = file.location(node)
        if block is None:
            return Unknown(f"{type_}.{name} is not declared in this module", where), NO_STEPS
        repeat = _repetition(block.attributes, FileScope(self, block.file))
        if isinstance(repeat, Unknown):
            return repeat, NO_STEPS
        kind, keys = repeat
        if kind == "single":
            return _ResourceObject(self, block, {}), NO_STEPS
        if kind == "count":
            return [_ResourceObject(self, block, {"count.index": (i, NO_STEPS)}) for i in keys], NO_STEPS
        return {k: _ResourceObject(self, block, {"each.key": (k, NO_STEPS), "each.value": (v, NO_STEPS)}) for k, v in keys}, NO_STEPS

    def resources(self, types: frozenset[str] | None = None) -> Iterator[Resource]:
        """Every managed resource instance of this module instance and its children."""
        for block in self.config.resources.values():
            if block.mode != "managed" or (types is not None and block.type not in types):
                continue
            yield from self._expand(block)
        for call in self.config.module_calls.values():
            children = self.child_instances(call)
            if isinstance(children, Unknown):
                despite = self._child_despite_unknown_repetition(call, children)
                if despite is None:
                    continue
                children = despite
            if isinstance(children, ModuleInstance):
                children = [children]
            elif isinstance(children, dict):
                children = list(children.values())
            for child in children:
                yield from child.resources(types)

    def _expand(self, block: ResourceBlock) -> Iterator[Resource]:
        scope = FileScope(self, block.file)
        repeat = _repetition(block.attributes, scope)
        base = f"{self.address}{block.type}.{block.name}"
        if isinstance(repeat, Unknown):
            unknown_bindings = {n: (repeat, NO_STEPS) for n in ("count.index", "each.key", "each.value")}
            yield self._resource(block, base, unknown_bindings, repeat)
            return
        kind, keys = repeat
        if kind == "single":
            yield self._resource(block, base, {}, None)
        elif kind == "count":
            for i in keys:
                yield self._resource(block, f"{base}[{i}]", {"count.index": (i, NO_STEPS)}, None)
        else:
            for k, v in keys:
                yield self._resource(block, base + _instance_suffix(k), {"each.key": (k, NO_STEPS), "each.value": (v, NO_STEPS)}, None)

    def _resource(self, block: ResourceBlock, address: str, bindings: Mapping[str, Result], existence: Unknown | None) -> Resource:
        source = block.file
        location = source.location(block.block, block.block.end_line)
        attributes = LazyAttributes(self, block, bindings)
        fmt = SourceFormat.CDKTF if block.construct_path else SourceFormat.TERRAFORM
        existence = existence if existence is not None else self.existence
        context = self.context
        if existence is not None and existence.location is not None:
            context += (Step(existence.location, f"how many instances cannot be known: {existence.reason}"),)
        return Resource(address, block.type, fmt, location, attributes, block.construct_path, context,
                        references=block.references(), existence=existence)

    # ------------------------------------------------------------------ files

    def call_file_function(self, name: str, args: list[object], node: ast.Node, file: SourceFile) -> object:
        where = file.location(node)
        if name not in ("file", "fileexists", "templatefile") or not args or not isinstance(args[0], str):
            return Unknown(f"{name}() is not evaluated by iaclint", where)
        path = Path(args[0])
        if not path.is_absolute():
            path = self.workspace.display.cwd / path
        path = path.resolve()
        if not any(is_inside(path, root) for root in self.workspace.allowed_roots):
            return Unknown(f"{name}() reads {args[0]}, outside the scanned tree", where)
        if name == "fileexists":
            return path.is_file()
        try:
            text = read_text(path)
        except SourceError as exc:
            raise tv.EvalError(f"cannot read {args[0]}: {exc.message}") from None
        if name == "file":
            return text
        variables = args[1] if len(args) > 1 else {}
        if not isinstance(variables, dict):
            raise tv.EvalError("templatefile() needs an object of variables")
        try:
            template = hcl.parse_template(text)
        except ast.HclSyntaxError as exc:
            raise tv.EvalError(f"template {args[0]} is invalid: {exc}") from None
        scope = ChildScope(_ConstantScope(self.workspace.display(path)), {k: (v, NO_STEPS) for k, v in variables.items()})
        value, _ = evaluate(template, scope)
        return value if isinstance(value, Unknown) else tv.to_string(value)


_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def _is_primitive_type(expr: ast.Node) -> bool:
    return isinstance(expr, ast.Variable) and expr.name in ("string", "number", "bool")


def _instance_suffix(key: object) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return "[" + json.dumps(str(key)) + "]"


def _repetition(arguments: Mapping[str, ast.Attribute], scope: FileScope) -> Repetition:
    """("single", None), ("count", range) or ("for_each", [(key, value)]), or an Unknown
    saying why the instances cannot be known."""
    count = arguments.get("count")
    if count is not None:
        value, _ = evaluate_safely(count.expr, scope)
        if isinstance(value, Unknown):
            return value
        try:
            number = cast("tv.Number | None", tv.to_number(value))  # value is not Unknown here
        except tv.EvalError as exc:
            return Unknown(f"count is rejected by Terraform: {exc}", scope.file.location(count))
        # is_integer(), not int(number) != number: int() raises on an infinite or NaN count (1/0)
        if number is None or number < 0 or (isinstance(number, float) and not number.is_integer()):
            return Unknown(f"count must be a non-negative whole number, not {value!r}", scope.file.location(count))
        if number > MAX_INSTANCES:
            return Unknown(f"count {number:g} is more instances than iaclint expands ({MAX_INSTANCES})", scope.file.location(count))
        return "count", range(int(number))
    for_each = arguments.get("for_each")
    if for_each is not None:
        value, _ = evaluate_safely(for_each.expr, scope)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, dict):
            keys = list(value.items())
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            keys = [(v, v) for v in sorted(set(value))]
        else:
            return Unknown("for_each must be a map or a set of strings", scope.file.location(for_each))
        for key, _ in keys:
            if isinstance(key, Unknown):
                return key
        return "for_each", keys
    return "single", None


def _auto_var_files(directory: Path) -> list[Path]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    first = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    auto = [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    return [directory / n for n in first + auto]


def _downloaded_module(root_dir: Path, address: str, name: str) -> Path | None:
    """The copy `terraform init` downloaded, from .terraform/modules/modules.json."""
    manifest = root_dir / ".terraform" / "modules" / "modules.json"
    if not manifest.is_file():
        return None
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
    except (OSError, ValueError, AttributeError):
        return None
    parts = [p.split("[", 1)[0] for p in address.split("module.") if p]
    key = ".".join([p.rstrip(".") for p in parts] + [name])
    for entry in entries:
        if isinstance(entry, dict) and entry.get("Key") == key and entry.get("Dir"):
            directory = (root_dir / entry["Dir"]).resolve()
            return directory if directory.is_dir() else None
    return None


class _ConstantScope:
    """A scope with no names: tfvars values and command-line expressions are constants."""

    def __init__(self, path: str):
        self.path = path

    def lookup(self, name: str, node: ast.Node) -> Result:
        return Unknown(f"{name} cannot be used here: only constant values are allowed", location_in(self, node)), NO_STEPS

    def call_file_function(self, name: str, args: list[object], node: ast.Node) -> object:
        return Unknown(f"{name}() is not evaluated here", location_in(self, node))


class _AnyAttribute(dict[str, object]):
    """`data.TYPE` as an expression sees it: `data.TYPE.NAME` is an object whose every
    attribute is unknown until plan time."""

    def __init__(self, reason: str, location: Location, depth: int = 1):
        super().__init__()
        self.reason, self.location, self.depth = reason, location, depth

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> object:
        if self.depth <= 0:
            return Unknown(self.reason, self.location)
        return _AnyAttribute(self.reason, self.location, self.depth - 1)


class _ResourceObject(dict[str, object]):
    """Another resource as an expression sees it: configured arguments have their
    configured value; anything else is computed by the provider, so unknown."""

    def __init__(self, instance: ModuleInstance, block: ResourceBlock, bindings: Mapping[str, Result]):
        super().__init__()
        self.instance, self.block, self.bindings = instance, block, bindings

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> object:
        return self.attribute_result(key)[0]

    def attribute_result(self, key: str) -> Result:
        attribute = self.block.attributes.get(key)
        file = self.block.file if attribute is None else self.instance.config.override_files.get(id(attribute), self.block.file)
        if attribute is None or key in _META_ARGUMENTS:
            where = file.location(self.block.block)
            return Unknown(f"{self.block.type}.{self.block.name}.{key} {COMPUTED}", where), NO_STEPS
        value, steps = evaluate_safely(attribute.expr, FileScope(self.instance, file, self.bindings))
        step = Step(file.location(attribute), f"{self.block.type}.{self.block.name}: {file.note(attribute.line, attribute.col)}")
        return value, (step,) + steps


class _OutputObject(dict[str, object]):
    """A module instance's outputs, evaluated when read."""

    def __init__(self, instance: ModuleInstance):
        super().__init__()
        self.instance = instance

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> object:
        return self.instance.output(key)[0]

    def attribute_result(self, key: str) -> Result:
        return self.instance.output(key)


class LazyAttributes(Mapping[str, Attribute]):
    """A resource's arguments, each evaluated the first time a policy reads it."""

    def __init__(self, instance: ModuleInstance, block: ResourceBlock, bindings: Mapping[str, Result]):
        self.instance, self.block, self.bindings = instance, block, bindings
        self._syntax = {n: a for n, a in block.attributes.items() if n not in _META_ARGUMENTS and n != "//"}
        self._cache: dict[str, Attribute] = {}

    def __getitem__(self, name: str) -> Attribute:
        if name not in self._cache:
            syntax = self._syntax[name]
            file = self.instance.config.override_files.get(id(syntax), self.block.file)
            value, steps = evaluate_safely(syntax.expr, FileScope(self.instance, file, self.bindings))
            step = Step(file.location(syntax, syntax.end_line), file.note(syntax.line, syntax.col))
            self._cache[name] = Attribute(name, value, file.location(syntax, syntax.end_line), (step,) + steps)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._syntax)

    def __len__(self) -> int:
        return len(self._syntax)
