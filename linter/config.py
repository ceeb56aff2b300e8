"""Configuration: `[tool.iaclint]` in pyproject.toml, or a `.iaclint.toml` whose top level is
the table, found upward from the working directory; validated, frozen, and merged with the
command line by one function (`merge`: command line over file over defaults).

The nearest directory holding either file wins; within one directory `.iaclint.toml` comes
first, and a pyproject.toml without `[tool.iaclint]` is passed over. Paths written in a file
are relative to that file's directory. Every problem (bad TOML, an unknown key, a wrong
type, an unknown policy or format) is a `ConfigError` naming the file and the key; the CLI
reports it as a usage error. Nothing here reads the environment.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Collection, Mapping

from linter.model import Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib; pyproject requires tomli there
    import tomli as tomllib

CONFIG_FILES = (".iaclint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration or option problem, as one line naming where it is."""


@dataclass(frozen=True)
class PolicyException:
    """`[[tool.iaclint.exceptions]]`: findings of policy `id` on resources whose address
    matches `address` (and whose file matches `path`, when given) are suppressed. `reason`
    and `until` are checked by the suppression linter, not here, so that a missing reason
    is a warning like any other suppression's."""

    id: str
    address: str
    reason: str = ""
    until: str = ""
    path: str = ""
    location: Location = Location("<configuration>", 0)


@dataclass(frozen=True)
class Output:
    """One report: a format, written to `path` (None: standard output)."""

    format: str
    path: str | None = None


@dataclass(frozen=True)
class Settings:
    """The merged configuration. `var_inputs` keeps Terraform's order (later wins):
    `("var-file", PATH)` and `("var", "NAME=VALUE")` entries, the file's before the
    command line's."""

    select: tuple[str, ...] = ()  # policy codes; empty: every policy
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    var_inputs: tuple[tuple[str, str], ...] = ()
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    param_files: tuple[str, ...] = ()
    strict: bool = False
    format: tuple[str, ...] = ("text",)  # FORMAT or FORMAT=FILE
    exceptions: tuple[PolicyException, ...] = ()
    source: str | None = None  # the configuration file read, as shown; None: none found


# How the command line combines with the file, per key: combined keys take the file's
# entries then the command line's; merged tables take the command line's value per name;
# every other key given on the command line replaces the file's.
_COMBINED = frozenset({"ignore", "exclude", "var_inputs", "param_files"})
_MERGED = frozenset({"params"})


def merge(file: Mapping[str, Any], cli: Mapping[str, Any], source: str | None = None) -> Settings:
    """The one merge: command line over file over defaults. Both layers hold only the
    keys that were given, already validated."""
    values: dict[str, Any] = {}
    for key in file.keys() | cli.keys():
        if key in _COMBINED:
            values[key] = tuple(file.get(key, ())) + tuple(cli.get(key, ()))
        elif key in _MERGED:
            values[key] = MappingProxyType({**file.get(key, {}), **cli.get(key, {})})
        else:
            values[key] = cli[key] if key in cli else file[key]
    return Settings(**values, source=source)


# --- finding and reading the file -------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest `.iaclint.toml`, or pyproject.toml with a `[tool.iaclint]` table, in
    `start` or above it."""
    for directory in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_iaclint_table(candidate)):
                return candidate
    return None


def _has_iaclint_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "iaclint" not in text:
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return True  # it mentions iaclint: `load` says what is wrong with it
    return isinstance(tool, dict) and "iaclint" in tool


def load(path: Path, cwd: Path) -> dict[str, Any]:
    """The file's layer: the keys it gives, validated, paths made relative to `cwd`."""
    shown = _shown(path, cwd)
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not valid UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table, where = document.get("tool", {}).get("iaclint", {}), f"{shown} [tool.iaclint]"
    else:
        table, where = document, shown
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    reader = _Reader(where, path.parent, cwd, shown, text)
    return reader.layer(table)


def _shown(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


class _Reader:
    """Validates one file's table, key by key; every error names the file and the key."""

    def __init__(self, where: str, base: Path, cwd: Path, shown: str, text: str):
        self.where, self.base, self.cwd, self.shown, self.text = where, base, cwd, shown, text

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {problem}")

    def layer(self, table: Mapping[str, Any]) -> dict[str, Any]:
        readers: dict[str, Callable[[str, Any], Any]] = {
            "select": self.policies, "ignore": self.policies, "exclude": self.strings,
            "var_files": self.paths, "vars": self.vars, "params": self.params,
            "param_files": self.paths, "strict": self.boolean, "format": self.formats,
            "exceptions": self.exceptions,
        }
        layer: dict[str, Any] = {}
        for key, value in table.items():
            if key not in readers:
                raise self.fail(key, f"unknown key (known: {', '.join(sorted(readers))})")
            layer[key] = readers[key](key, value)
        var_inputs = [("var-file", p) for p in layer.pop("var_files", ())]
        var_inputs += [("var", f"{name}={value}") for name, value in layer.pop("vars", {}).items()]
        if var_inputs:
            layer["var_inputs"] = tuple(var_inputs)
        return layer

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected an array of strings, got {_describe(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.fail(key, f"expected an array of strings, got an array holding {_describe(item)}")
        return tuple(value)

    def paths(self, key: str, value: Any) -> tuple[str, ...]:
        """Input files, which must exist."""
        for item in self.strings(key, value):
            if not (self.base / item).is_file():
                raise self.fail(key, f"{item}: no such file")
        return tuple(self.path(item) for item in value)

    def path(self, written: str) -> str:
        return relative_path(self.base / written, self.cwd)

    def policies(self, key: str, value: Any) -> tuple[str, ...]:
        names = self.strings(key, value)
        try:
            return policy_codes(names)
        except ConfigError as exc:
            raise self.fail(key, str(exc)) from None

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_describe(value)}")
        return value

    def formats(self, key: str, value: Any) -> tuple[str, ...]:
        specs = (value,) if isinstance(value, str) else self.strings(key, value)
        checked = []
        for spec in specs:
            try:
                output = parse_output(spec)
            except ConfigError as exc:
                raise self.fail(key, str(exc)) from None
            checked.append(output.format if output.path is None else f"{output.format}={self.path(output.path)}")
        return tuple(checked)

    def vars(self, key: str, value: Any) -> dict[str, str]:
        """Terraform variables: a string as it is; other values as the HCL expression
        `--var` would take (JSON is HCL for numbers, booleans, lists and objects)."""
        out = {}
        for name, item in self.table(key, value).items():
            try:
                out[name] = item if isinstance(item, str) else json.dumps(item)
            except TypeError:  # a date somewhere inside
                raise self.fail(f"{key}.{name}", "dates and times are not Terraform values") from None
        return out

    def params(self, key: str, value: Any) -> dict[str, str]:
        out = {}
        for name, item in self.table(key, value).items():
            try:
                out[name] = parameter_text(item)
            except ConfigError as exc:
                raise self.fail(f"{key}.{name}", str(exc)) from None
        return out

    def table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_describe(value)}")
        for name, item in value.items():
            if isinstance(item, (datetime.date, datetime.time)):
                raise self.fail(f"{key}.{name}", f"expected a string, number or boolean, got {_describe(item)}")
        return value

    def exceptions(self, key: str, value: Any) -> tuple[PolicyException, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected an array of tables, got {_describe(value)}")
        start = self.text.find("tool.iaclint") if self.where.endswith("[tool.iaclint]") else 0
        lines = _address_lines(self.text, max(start, 0))
        return tuple(self.exception(f"{key}[{i}]", item, lines[i] if i < len(lines) else 0) for i, item in enumerate(value))

    def exception(self, key: str, item: Any, line: int) -> PolicyException:
        if not isinstance(item, dict):
            raise self.fail(key, f"expected a table, got {_describe(item)}")
        allowed = ("id", "address", "reason", "until", "path")
        for name, value in item.items():
            if name not in allowed:
                raise self.fail(f"{key}.{name}", f"unknown key (known: {', '.join(allowed)})")
            if name == "until" and isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                continue
            if not isinstance(value, str):
                raise self.fail(f"{key}.{name}", f"expected a string, got {_describe(value)}")
        for name in ("id", "address"):
            if name not in item:
                raise self.fail(key, f"missing {name}")
        until = item.get("until", "")
        return PolicyException(
            id=item["id"], address=item["address"], reason=item.get("reason", ""),
            until=until.isoformat() if isinstance(until, datetime.date) else until,
            path=item.get("path", ""), location=Location(self.shown, line),
        )


def _address_lines(text: str, start: int) -> list[int]:
    """The 1-based line of each `address = ...` key from `start` on: where each exception
    is written, for the warnings about it (tomllib keeps no positions)."""
    pattern = re.compile(r"(?:^|[{,])[ \t]*address[ \t]*=", re.MULTILINE)
    return [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text, start)]


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string {json.dumps(value)}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, datetime.datetime):
        return "a date-time"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, datetime.time):
        return "a time"
    return "an array" if isinstance(value, list) else "a table"


# --- values shared with the command line -------------------------------------------------


def policy_codes(written: Collection[str]) -> tuple[str, ...]:
    """Policy codes (or slugs, or comma-separated lists of them), as canonical codes."""
    from policies import by_code

    codes: list[str] = []
    for item in written:
        for name in filter(None, (part.strip() for part in item.split(","))):
            policy = by_code(name)
            if policy is None:
                raise ConfigError(f"unknown policy {name!r} (`iaclint policies` lists them)")
            if policy.meta.code not in codes:
                codes.append(policy.meta.code)
    return tuple(codes)


def parse_output(spec: str) -> Output:
    """`FORMAT` or `FORMAT=FILE`."""
    from linter.reporters import RENDERERS

    name, sep, path = spec.partition("=")
    if name not in RENDERERS:
        raise ConfigError(f"unknown format {name!r} (known: {', '.join(RENDERERS)})")
    if sep and not path:
        raise ConfigError(f"{spec!r}: no file after '='")
    return Output(name, path or None)


def parameter_text(value: Any) -> str:
    """A CloudFormation parameter value as the string CloudFormation receives: numbers as
    written, booleans as true/false, a list as CommaDelimitedList text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)
    raise ConfigError(f"expected a string, number, boolean or list of them, got {_describe(value)}")


def relative_path(path: Path, cwd: Path) -> str:
    """`path` as the command line would name it from `cwd` (relative when inside it)."""
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, cwd)).as_posix() if path.is_absolute() == cwd.is_absolute() else path.as_posix()


# --- --show-config -----------------------------------------------------------------------


def render_toml(settings: Settings, policies: Collection[str]) -> str:
    """The merged configuration as TOML a `.iaclint.toml` could hold, with comments
    saying where it came from and which policies run."""
    layers = ["defaults", f"{settings.source}" if settings.source else None, "the command line"]
    vars_ = {}
    for kind, value in settings.var_inputs:
        if kind == "var":
            name, _, text = value.partition("=")
            vars_[name] = text
    lines = [
        f"# iaclint check configuration: {', then '.join(layer for layer in layers if layer)}",
        f"# policies checked: {', '.join(policies) or 'none'}",
        f"select = {_toml(list(settings.select))}",
        f"ignore = {_toml(list(settings.ignore))}",
        f"exclude = {_toml(list(settings.exclude))}",
        f"var_files = {_toml([v for k, v in settings.var_inputs if k == 'var-file'])}",
        f"vars = {_toml(vars_)}",
        f"params = {_toml(dict(settings.params))}",
        f"param_files = {_toml(list(settings.param_files))}",
        f"strict = {_toml(settings.strict)}",
        f"format = {_toml(list(settings.format))}",
    ]
    if settings.exceptions:
        lines.append("exceptions = [")
        lines += [f"  {_toml(_exception_table(e))}," for e in settings.exceptions]
        lines.append("]")
    else:
        lines.append("exceptions = []")
    return "\n".join(lines) + "\n"


def _exception_table(exception: PolicyException) -> dict[str, str]:
    table = {"id": exception.id, "address": exception.address}
    table.update({k: v for k, v in (("path", exception.path), ("reason", exception.reason), ("until", exception.until)) if v})
    return table


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)
