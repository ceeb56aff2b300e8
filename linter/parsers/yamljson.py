"""Position-keeping loaders for YAML and JSON documents.

Both loaders return plain data whose mappings are `LineDict`s (a dict that remembers the
1-based line of each key and its own first and last line) and whose YAML sequences are
`LineList`s (a list with the line of each element). CloudFormation short-form tags
(`!Ref`, `!GetAtt a.b`, `!Sub` ...) come back in their long form (`{"Fn::Sub": ...}`).
Duplicate keys keep the last value, as CloudFormation does, and are reported as warnings.
Every failure is one `LoadError` with a one-line message, a line and a column.

PyYAML (its C loader when built with libyaml) and cfn-flip are imported on first use, so
importing this module costs nothing on the start-up path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

_BOM = "\ufeff"


class LoadError(Exception):
    """A document that cannot be read; `str()` is one line of text."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.message = " ".join(message.split())
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line:
            return f"{self.message} (line {self.line}, column {self.column})"
        return self.message


@dataclass(frozen=True, slots=True)
class LoadWarning:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Loaded:
    data: Any
    warnings: tuple[LoadWarning, ...] = ()


class LineDict(dict):
    """A mapping that knows where it is: `line`/`end_line` and `key_lines[key]`.

    Keys brought in by a YAML merge key (`<<: *anchor`) have the line of the `<<` in
    `key_lines` and the line where they are written in `merged_from`.
    """

    __slots__ = ("line", "end_line", "key_lines", "merged_from")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.end_line = 0
        self.key_lines: dict[Any, int] = {}
        self.merged_from: dict[Any, int] | None = None

    def key_line(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows where it is: `line`/`end_line` and `lines[i]` per element."""

    __slots__ = ("line", "end_line", "lines")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 0
        self.end_line = 0
        self.lines: list[int] = []


def load(text: str) -> Loaded:
    """Load JSON when the text looks like JSON, YAML otherwise (as CloudFormation does).

    Text starting with `{` that is not valid JSON is retried as YAML (a YAML flow mapping
    is legal); if both fail the JSON error is the one reported.
    """
    text = text[1:] if text.startswith(_BOM) else text
    if not text.lstrip().startswith("{"):
        return load_yaml(text)
    try:
        return load_json(text)
    except LoadError as json_error:
        try:
            return load_yaml(text)
        except LoadError:
            raise json_error from None


# ---------------------------------------------------------------------------------- JSON

# Every string literal (a key when a colon follows) and every brace. Scanning them in order
# from the start never lands inside a string, because valid JSON has no quote outside one.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|[{}]', re.S)


def load_json(text: str) -> Loaded:
    """Parse JSON with the C decoder; key lines come from one regex pass done beforehand.

    `json` calls `object_pairs_hook` once per object, in the order the objects close, which
    is the order in which the pass sees their closing braces.
    """
    text = text[1:] if text.startswith(_BOM) else text
    shapes = iter(_object_shapes(text))
    warnings: list[LoadWarning] = []

    def build(pairs: list[tuple[str, Any]]) -> LineDict:
        start, end, key_lines = next(shapes, (0, 0, []))
        return _json_object(pairs, start, end, key_lines, warnings)

    try:
        data = json.loads(text, object_pairs_hook=build)
    except json.JSONDecodeError as error:
        raise LoadError(f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        raise LoadError("invalid JSON: nested too deeply") from None
    return Loaded(data, tuple(warnings))


def _object_shapes(text: str) -> list[tuple[int, int, list[int]]]:
    """(first line, last line, key lines) of every object, in closing-brace order."""
    open_objects: list[tuple[int, list[int]]] = []
    shapes: list[tuple[int, int, list[int]]] = []
    line, pos = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        line += text.count("\n", pos, start)
        pos = start
        char = text[start]
        if char == "{":
            open_objects.append((line, []))
        elif char == "}":
            if open_objects:
                first, keys = open_objects.pop()
                shapes.append((first, line, keys))
        elif match.group(1) is not None and open_objects:
            open_objects[-1][1].append(line)
    return shapes


def _json_object(
    pairs: list[tuple[str, Any]], start: int, end: int, key_lines: list[int],
    warnings: list[LoadWarning],
) -> LineDict:
    result = LineDict()
    result.line, result.end_line = start, end
    lines = key_lines if len(key_lines) == len(pairs) else [start] * len(pairs)
    for (key, value), line in zip(pairs, lines):
        if key in result:
            warnings.append(_duplicate(key, result.key_lines[key], line))
        result[key] = value
        result.key_lines[key] = line
    return result


def _duplicate(key: Any, first: int, last: int) -> LoadWarning:
    return LoadWarning(
        last, f"duplicate key {key!r} at lines {first} and {last}; the last one (line {last}) wins"
    )


# ---------------------------------------------------------------------------------- YAML

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_loader_class: type | None = None
# PyYAML shares one node (and one constructed object) between an anchor and its aliases, so
# a few lines can stand for billions of values ("billion laughs"), and whatever later walks
# the data (the intrinsic evaluator) runs for minutes in gigabytes. Merge keys and repeated
# blocks in real templates add hundreds of values, not a million.
MAX_ALIAS_VALUES = 1_000_000
# Both PyYAML loaders spell anchor and alias names with these characters only, so text that
# lacks either mark has no alias, and the check is skipped (`&&` in a script, `s3:*`, ...).
_ANCHOR = re.compile(r"&[0-9A-Za-z_-]")
_ALIAS = re.compile(r"\*[0-9A-Za-z_-]")


def load_yaml(text: str) -> Loaded:
    """Parse one YAML document with CloudFormation short-form tags.

    Resolution stays PyYAML's YAML 1.1 (`yes`/`no`/`on`/`off` are booleans, as in
    CloudFormation's own parser) except that timestamps are not resolved: an unquoted
    `2010-09-09` stays a string. Anchors, aliases and merge keys (`<<`) work, up to
    `MAX_ALIAS_VALUES` values brought in by aliases.
    """
    import yaml

    text = text[1:] if text.startswith(_BOM) else text
    loader = _yaml_loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is not None and _ANCHOR.search(text) and _ALIAS.search(text):
            _check_alias_expansion(node, text)
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error) from None
    except yaml.YAMLError as error:
        raise LoadError(f"invalid YAML: {error}") from None
    except RecursionError:
        raise LoadError("invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    return Loaded(data, tuple(loader.load_warnings))


def _check_alias_expansion(root: Any, text: str) -> None:
    if _alias_values(root) > MAX_ALIAS_VALUES:
        line, column = _first_alias(text)
        raise LoadError(f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)",
                        line, column)


def _alias_values(root: Any) -> int:
    """How many values the aliases add: the size of the node graph with every alias
    expanded, less its distinct nodes. Each node is sized once, so this is linear in the
    distinct nodes; iterative, because construction itself handles any nesting depth."""
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_sized = stack.pop()
        if children_sized:
            # a child still being sized contains this node (a recursive alias): count it once
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
        elif id(node) not in entered:
            entered.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return sizes[id(root)] - len(entered)


def _children(node: Any) -> list[Any]:
    if node.id == "scalar":
        return []
    if node.id == "mapping":  # (key, value) pairs
        return [child for pair in node.value for child in pair]
    return list(node.value)


def _first_alias(text: str) -> tuple[int, int]:
    """Line and column of the first alias: composed nodes do not record where aliases are,
    so the (rare) error path parses the text again, stopping at the first alias event."""
    import yaml

    for event in yaml.parse(text, Loader=_yaml_loader_class()):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return event.start_mark.line + 1, event.start_mark.column + 1
    return 0, 0


def _yaml_error(error: Any) -> LoadError:
    parts = [p for p in (error.context, error.problem) if p]
    message = "; ".join(parts) or "invalid YAML"
    if "expected a single document" in message:
        message = "more than one YAML document in the file (a template is one document)"
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return LoadError(f"invalid YAML: {message}", line, column)


def _yaml_loader_class() -> type:
    global _loader_class
    if _loader_class is None:
        _loader_class = _build_yaml_loader()
    return _loader_class


def _build_yaml_loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        first: [(tag, rx) for tag, rx in pairs if tag != _TIMESTAMP]
        for first, pairs in base.yaml_implicit_resolvers.items()
    }

    def __init__(self: Any, stream: str) -> None:
        base.__init__(self, stream)
        self.load_warnings = []

    loader: Any = type("CfnYamlLoader", (base,), {"__init__": __init__, "yaml_implicit_resolvers": resolvers})
    loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
    loader.add_multi_constructor("!", _construct_tagged)
    return loader


def _construct_map(loader: Any, node: Any) -> Iterator[LineDict]:
    data = _placed(LineDict(), node)
    yield data  # filled afterwards, so recursive aliases work as in PyYAML
    _fill_mapping(loader, node, data, deep=False)


def _construct_seq(loader: Any, node: Any) -> Iterator[LineList]:
    data = _placed(LineList(), node)
    yield data
    _fill_sequence(loader, node, data, deep=False)


def _fill_mapping(loader: Any, node: Any, data: LineDict, deep: bool) -> None:
    import yaml

    own = {id(key) for key, _ in node.value if key.tag != _MERGE}
    merge_line = next((k.start_mark.line + 1 for k, _ in node.value if k.tag == _MERGE), 0)
    loader.flatten_mapping(node)  # merge keys (`<<`) become leading pairs
    written_by_own: set[Any] = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            duplicate = key in written_by_own
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "found an unhashable key", key_node.start_mark) from None
        data[key] = loader.construct_object(value_node, deep=deep)
        if id(key_node) in own:
            if duplicate:
                loader.load_warnings.append(_duplicate(key, data.key_lines[key], line))
            written_by_own.add(key)
            data.key_lines[key] = line
            if data.merged_from:
                data.merged_from.pop(key, None)
        else:
            data.key_lines[key] = merge_line
            data.merged_from = data.merged_from or {}
            data.merged_from[key] = line


def _fill_sequence(loader: Any, node: Any, data: LineList, deep: bool) -> None:
    for child in node.value:
        data.append(loader.construct_object(child, deep=deep))
        data.lines.append(child.start_mark.line + 1)


def _construct_tagged(loader: Any, suffix: str, node: Any) -> LineDict:
    """`!Name arg` -> `{"Fn::Name": arg}` (`{"Ref": arg}`, `{"Condition": arg}`), any node kind.

    Which tags keep their name and how `!GetAtt a.b` splits is cfn-flip's knowledge.
    """
    import yaml
    from cfn_tools.yaml_loader import FN_PREFIX, UNCONVERTED_SUFFIXES, construct_getatt

    # `!Rain::Module x` and other namespaced pre-processor tags keep their own name, as in JSON.
    name = suffix if suffix in UNCONVERTED_SUFFIXES or "::" in suffix else FN_PREFIX + suffix
    value: Any
    if isinstance(node, yaml.ScalarNode):
        if name == "Fn::GetAtt":  # "Resource.Attribute" -> [Resource, "Attribute"]
            value = _placed(LineList(construct_getatt(node)), node)
            value.lines = [value.line] * len(value)
        else:
            value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = _placed(LineList(), node)
        _fill_sequence(loader, node, value, deep=True)
    else:
        value = _placed(LineDict(), node)
        _fill_mapping(loader, node, value, deep=True)
    result = _placed(LineDict(), node)
    result[name] = value
    result.key_lines[name] = result.line
    return result


def _placed(data: Any, node: Any) -> Any:
    data.line = node.start_mark.line + 1
    data.end_line = max(data.line, _last_line(node))
    return data


def _last_line(node: Any, depth: int = 0) -> int:
    """The last line holding content of `node` (block collections end where the next
    token starts, so their end mark can sit lines below their last value)."""
    import yaml

    if depth > 100:  # only an alias of a node inside itself gets here
        return node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        key, value = node.value[-1]
        return max(key.start_mark.line + 1, _last_line(value, depth + 1))
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return max(node.start_mark.line + 1, _last_line(node.value[-1], depth + 1))
    if isinstance(node, yaml.ScalarNode) and node.style == "|" and node.value.strip("\n"):
        # a literal block's end mark sits after any trailing blank lines; count its lines
        return node.start_mark.line + 1 + node.value.rstrip("\n").count("\n") + 1
    end = node.end_mark
    if end.column == 0 and end.line > node.start_mark.line:
        return end.line  # a block scalar ends at the start of the following line
    return end.line + 1


def key_line(data: Any, key: Any, default: int = 0) -> int:
    """The line of `key` in `data` when `data` is a `LineDict`, else `default`."""
    if isinstance(data, LineDict):
        return data.key_lines.get(key, data.line or default)
    return default


def line_of(data: Any, default: int = 0) -> int:
    return getattr(data, "line", 0) or default


def end_line_of(data: Any, default: int = 0) -> int:
    return getattr(data, "end_line", 0) or default

