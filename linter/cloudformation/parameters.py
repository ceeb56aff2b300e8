"""Template parameters: the values given from outside (command line, parameter files,
parent stacks, stack environments), checked against `AllowedValues` and typed as
CloudFormation types them, over the declared defaults.

`load_param_file` reads the two parameter-file formats kept in repositories: the AWS CLI's
list of `{ParameterKey, ParameterValue}` (or `UsePreviousValue`) and the template
configuration file `{"Parameters": {...}}` (CodePipeline), in JSON or YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from linter.cloudformation.rendering import quoted
from linter.cloudformation.values import Evaluated, text
from linter.model import Location, Step, Unknown
from linter.parsers.yamljson import key_line, line_of

SSM_TYPE_PREFIX = "AWS::SSM::Parameter::Value<"


class ParameterValueError(ValueError):
    """A given parameter value that the template's `AllowedValues` forbid (a usage error)."""

    def __init__(self, parameter: str, value: str, allowed: list[str], path: str, source: str = "") -> None:
        self.parameter, self.value, self.allowed, self.path = parameter, value, allowed, path
        where = f"{path}; given in {source}" if source else path
        super().__init__(f"parameter {parameter}: {value!r} is not one of its AllowedValues {allowed} ({where})")


@dataclass(frozen=True, slots=True)
class Given:
    """A parameter value handed in from outside the template (parent stack, stack
    environment), with its own provenance. Such values are not checked against
    AllowedValues here: CloudFormation checks them when it deploys."""

    value: object
    trail: tuple[Step, ...] = ()
    how: str = "given"


class AllGiven(Mapping[str, object]):
    """Every parameter given one value (a parent stack's `Parameters` unknown as a whole,
    such as an `Fn::If` on an unknown condition), except the `known` ones. Pseudo
    parameters are never given this way."""

    def __init__(self, value: Given, known: Mapping[str, object]) -> None:
        self.value, self.known = value, dict(known)

    def __getitem__(self, name: str) -> object:
        if name in self.known:
            return self.known[name]
        if name.startswith("AWS::"):
            raise KeyError(name)
        return self.value

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


class FileParameter(str):
    """A value read from a parameter file: a `str`, so it goes wherever given values go,
    that remembers where it is written. `previous` marks `UsePreviousValue: true`, whose
    value only the deployed stack knows."""

    location: Location
    note: str
    previous: bool

    def __new__(cls, value: str, location: Location, note: str, previous: bool = False) -> FileParameter:
        self = super().__new__(cls, value)
        self.location, self.note, self.previous = location, note, previous
        return self


class ParamFileError(ValueError):
    """A parameter file that cannot be read; `str()` is one line naming the file."""


# ------------------------------------------------------------------------------ resolution

class Parameters:
    """The parameters of one template: declarations, given values, resolved values."""

    def __init__(self, declarations: Mapping[str, Any], given: Mapping[str, object], path: str,
                 warn: Callable[[int, str], None]) -> None:
        self.declarations = declarations
        self.given = given
        self.path = path
        self._warn = warn
        self._cache: dict[str, Evaluated] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.declarations

    def check_given(self) -> None:
        """Raise ParameterValueError for a value given by the user outside AllowedValues."""
        for name, value in self.given.items():
            decl = self.declarations.get(name)
            if isinstance(value, Given) or not isinstance(decl, dict) or getattr(value, "previous", False):
                continue
            allowed = decl.get("AllowedValues")
            if not isinstance(allowed, list):
                continue
            texts = [text(a) for a in allowed]
            items = [i.strip() for i in str(value).split(",")] if is_list_type(decl.get("Type")) else [str(value)]
            if any(item not in texts for item in items):
                source = str(value.location) if isinstance(value, FileParameter) else ""
                raise ParameterValueError(name, str(value), [str(t) for t in texts], self.path, source)

    def resolve(self, name: str, line: int) -> Evaluated:
        if name not in self._cache:
            self._cache[name] = self._resolve(name, line)
        return self._cache[name]

    def pseudo(self, name: str, line: int) -> Evaluated | None:
        """A given pseudo parameter (`AWS::Region`...), or None when nobody gave it."""
        given = self.given.get(name)
        if given is None:
            return None
        g = as_given(name, given, Location(self.path, line))
        step = Step(Location(self.path, line), f"pseudo parameter {name} {g.how} {quoted(g.value)}")
        return Evaluated(g.value, (step, *g.trail))

    def _resolve(self, name: str, line: int) -> Evaluated:
        decl = self.declarations[name]
        loc = Location(self.path, key_line(self.declarations, name, line))
        decl = decl if isinstance(decl, dict) else {}
        ptype = decl.get("Type", "String")
        given = self.given.get(name)
        if given is not None:
            g = as_given(name, given, loc)
            raw, how, extra = g.value, g.how, g.trail
        elif "Default" in decl:
            raw, how, extra = decl["Default"], "default", ()
            self._check_default(name, decl, loc)
        else:
            reason = f"parameter {name} has no default and no value was given"
            return Evaluated(Unknown(reason, loc), (Step(loc, f"parameter {name}: no default, no value given"),))
        if isinstance(ptype, str) and ptype.startswith(SSM_TYPE_PREFIX) and not isinstance(raw, Unknown):
            value: object = Unknown(f"parameter {name} is read from SSM parameter {quoted(raw)} at deploy time", loc)
        else:
            value = typed(raw, ptype, name, loc)
        shown = ": unknown" if isinstance(raw, Unknown) else f" {quoted(raw)}"
        return Evaluated(value, (Step(loc, f"parameter {name} {how}{shown}"), *extra))

    def _check_default(self, name: str, decl: Mapping[str, Any], loc: Location) -> None:
        allowed = decl.get("AllowedValues")
        default = decl.get("Default")
        if isinstance(allowed, list) and not is_list_type(decl.get("Type")):
            if text(default) not in [text(a) for a in allowed]:
                self._warn(loc.line, f"parameter {name}: default {text(default)!r} is not one of its AllowedValues")


def as_given(name: str, value: object, where: Location) -> Given:
    """Any given value as a `Given`: parameter-file values keep their place in the file."""
    if isinstance(value, Given):
        return value
    if isinstance(value, FileParameter):
        source = f"from {Path(value.location.path).name}"
        if value.previous:
            reason = f"parameter {name} keeps its previous value (UsePreviousValue), known only to the deployed stack"
            return Given(Unknown(reason, value.location), (Step(value.location, value.note),), source)
        return Given(str(value), (Step(value.location, value.note),), source)
    return Given(value)


def is_list_type(ptype: Any) -> bool:
    return isinstance(ptype, str) and (ptype == "CommaDelimitedList" or ptype.startswith("List<"))


def typed(raw: Any, ptype: Any, name: str, loc: Location) -> object:
    """A parameter value as `Ref` yields it: a string, or a list for list types."""
    if isinstance(raw, Unknown):
        return raw
    if is_list_type(ptype):
        if isinstance(raw, list):
            return [text(item) for item in raw]
        value = text(raw)
        return [part.strip() for part in value.split(",")] if isinstance(value, str) else value
    value = text(raw)
    if isinstance(value, Unknown):
        return Unknown(f"parameter {name}: {value.reason}", loc)
    return value


# ------------------------------------------------------------------------------ parameter files

def load_param_file(path: Path) -> dict[str, str]:
    """Parameter name -> value from a parameter file, each value a `FileParameter`.

    Reads the AWS CLI's `[{"ParameterKey": k, "ParameterValue": v}, ...]` (an entry may
    have `"UsePreviousValue": true` instead of a value: its value is then unknown) and the
    template configuration file `{"Parameters": {k: v, ...}}`; JSON or YAML. Anything
    else raises `ParamFileError` with a one-line message.
    """
    from linter.parsers.yamljson import LoadError, load, load_json

    shown = path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        data = (load_json(text) if path.suffix == ".json" else load(text)).data
    except (OSError, UnicodeDecodeError) as error:
        raise ParamFileError(f"{shown}: cannot read the parameter file: {getattr(error, 'strerror', None) or error}") from None
    except LoadError as error:
        raise ParamFileError(f"{shown}: {error}") from None
    if isinstance(data, list):
        return _cli_entries(data, shown)
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        return _configuration(data["Parameters"], shown)
    raise ParamFileError(f"{shown}: expected a list of {{ParameterKey, ParameterValue}} entries "
                         'or a template configuration {"Parameters": {...}}')


def _cli_entries(entries: list[Any], shown: str) -> dict[str, str]:
    lines = getattr(entries, "lines", None) or [line_of(entry, line_of(entries, 1)) for entry in entries]
    values: dict[str, str] = {}
    for number, (entry, line) in enumerate(zip(entries, lines), 1):
        where = f"{shown}:{line}: entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str) or not entry["ParameterKey"]:
            raise ParamFileError(f"{where} has no ParameterKey")
        name = entry["ParameterKey"]
        if name in values:
            raise ParamFileError(f"{where}: parameter {name} is given twice")
        location = Location(shown, line)
        if entry.get("UsePreviousValue") is True and "ParameterValue" not in entry:
            values[name] = FileParameter("", location, f"{name}: UsePreviousValue", previous=True)
            continue
        value = _scalar(entry.get("ParameterValue"), f"{where} ({name})", "ParameterValue")
        values[name] = FileParameter(value, location, f"{name}: ParameterValue {quoted(value)}")
    return values


def _configuration(parameters: Mapping[Any, Any], shown: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, raw in parameters.items():
        line = key_line(parameters, name, 1)
        if not isinstance(name, str):
            raise ParamFileError(f"{shown}:{line}: parameter name {name!r} is not a string")
        value = _scalar(raw, f"{shown}:{line}: parameter {name}", "value")
        values[name] = FileParameter(value, Location(shown, line), f"{name}: {quoted(value)}")
    return values


def _scalar(raw: Any, where: str, what: str) -> str:
    """A value CloudFormation takes as a parameter string (numbers and booleans too)."""
    if isinstance(raw, (str, int, float)):
        return str(text(raw))
    if raw is None:
        raise ParamFileError(f"{where} has no {what}")
    kind = "mapping" if isinstance(raw, dict) else "list" if isinstance(raw, list) else type(raw).__name__
    raise ParamFileError(f"{where}: {what} must be a string, not a {kind}")
