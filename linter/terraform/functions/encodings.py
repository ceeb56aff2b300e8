"""The encoding functions: base64, URL, CSV, JSON (whose text lives in
`linter.terraform.values`, which needs it for sets), and YAML: `yamlencode` through an
emitter that writes what libyaml writes for go-cty-yaml, `yamldecode` through PyYAML's
composer with go-cty-yaml's YAML 1.1 scalar resolution. PyYAML is imported only when a
configuration calls `yamldecode`."""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import functools
import io
import math
import re
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from linter.terraform.functions.arguments import map_arg, string_arg
from linter.terraform.values import (
    EvalError,
    from_decimal,
    is_number,
    json_decode,
    json_encode,
    quote,
    to_string,
)


def _jsonencode(value: object) -> object:
    return json_encode(value)


def _jsondecode(s: object) -> object:
    return json_decode(string_arg(s))


def _base64encode(s: object) -> object:
    return base64.b64encode(string_arg(s).encode()).decode()


def _base64decode(s: object) -> object:
    text = string_arg(s)
    cleaned = text.replace("\r", "").replace("\n", "")  # Go skips line breaks, nothing else
    try:
        if len(cleaned) % 4:  # Go wants exact padding; Python tolerates extra "="
            raise binascii.Error
        raw = base64.b64decode(cleaned, validate=True)
    except binascii.Error:
        raise EvalError(f"failed to decode base64 data {quote(text)}") from None
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise EvalError("the result of decoding the provided string is not valid UTF-8") from None


def _urlencode(s: object) -> object:
    return urllib.parse.quote_plus(string_arg(s), safe="")


def _csv_bare_quote(text: str) -> int | None:
    """The line of a quote inside an unquoted field, which Go's reader rejects."""
    line, quoted, field_start = 1, False, True
    for position, char in enumerate(text):
        if quoted:
            quoted = char != '"' or text[position + 1:position + 2] == '"'
        elif char == '"':
            if not field_start:
                return line
            quoted = True
        field_start = char in ",\n"
        line += char == "\n"
    return None


def _csvdecode(s: object) -> object:
    bare = _csv_bare_quote(string_arg(s))
    if bare is not None:
        raise EvalError(f'CSV parse error on line {bare}: bare " in non-quoted-field')
    reader = csv.reader(io.StringIO(string_arg(s), newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if row:  # Go's reader skips empty lines
                rows.append((reader.line_num, row))
    except csv.Error as err:
        raise EvalError(f"CSV parse error on line {reader.line_num}: {err}") from None
    if not rows:
        raise EvalError("missing header line")
    header = rows[0][1]
    for position, name in enumerate(header):
        if name in header[:position]:
            raise EvalError(f"duplicate column name {quote(name)}")
    records = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise EvalError(f"CSV parse error on line {line}: wrong number of fields")
        records.append(dict(zip(header, row)))
    return records


# --- YAML ------------------------------------------------------------------------------

_YAML_BREAKS = "\n\r\x85\u2028\u2029"
_YAML_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f",
                 "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L",
                 "\u2029": "P"}


def _yaml_printable(char: str) -> bool:
    code = ord(char)  # libyaml's test, which leaves out everything beyond the BMP
    return (code == 0x0A or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF))


def _yaml_escape(char: str) -> str:
    code = ord(char)
    if char in _YAML_ESCAPES:
        return "\\" + _YAML_ESCAPES[char]
    if code <= 0xFF:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


@dataclass
class _YamlEmitter:
    """The block style Terraform's `yamlencode` writes (libyaml's emitter, as used by
    go-cty-yaml): double-quoted strings folded past column 80, literal blocks for
    multi-line strings, flow `[]`/`{}` for empty collections, `...` after a root plain
    scalar. The state (column, indent, whitespace, indention) mirrors libyaml's."""

    out: list[str]
    column: int = 0
    indent: int = -1
    whitespace: bool = True
    indention: bool = True

    def document(self, value: object) -> str:
        self.node(value, mapping_value=False)
        plain_root = value is None or isinstance(value, bool) or is_number(value)
        self.write_indent()
        if plain_root:
            self.put("...")
            self.put_break()
        return "".join(self.out)

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        self.put(" " * (indent - self.column))
        self.whitespace = self.indention = True

    def indicator(self, text: str, need_space: bool, is_whitespace: bool, is_indention: bool) -> None:
        if need_space and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    def increase_indent(self, flow: bool, indentless: bool) -> int:
        saved = self.indent
        if self.indent < 0:
            self.indent = 2 if flow else 0
        elif not indentless:
            self.indent += 2
        return saved

    def node(self, value: object, mapping_value: bool) -> None:
        if isinstance(value, (list, dict)) and not value:
            self.indicator("[]" if isinstance(value, list) else "{}", True, False, False)
        elif isinstance(value, list):
            saved = self.increase_indent(False, mapping_value and not self.indention)
            for item in value:
                self.write_indent()
                self.indicator("-", True, False, True)
                self.node(item, mapping_value=False)
            self.indent = saved
        elif isinstance(value, dict):
            saved = self.increase_indent(False, False)
            for key in sorted(value):
                self.mapping_entry(key, value[key])
            self.indent = saved
        else:
            self.scalar(value, simple_key=False)

    def mapping_entry(self, key: str, value: object) -> None:
        self.write_indent()
        if any(c in _YAML_BREAKS for c in key) or len(key.encode()) > 128:  # libyaml: "? key"
            self.indicator("?", True, False, True)
            self.scalar(key, simple_key=False)
            self.write_indent()
            self.indicator(":", True, False, True)
        else:
            self.scalar(key, simple_key=True)
            self.indicator(":", False, False, False)
        self.node(value, mapping_value=True)

    def scalar(self, value: object, simple_key: bool) -> None:
        saved = self.increase_indent(True, False)
        if isinstance(value, str):
            if "\n" in value and not simple_key and _yaml_block_allowed(value):
                self.literal(value)
            else:
                self.double_quoted(value, allow_breaks=not simple_key)
        else:
            text = "null" if value is None else to_string(value)
            self.indicator(text, True, False, False)  # type: ignore[arg-type]
        self.indent = saved

    def literal(self, text: str) -> None:
        self.indicator("|", True, False, False)
        if text[0] in " \n":
            self.put("2")  # an indentation indicator, as the content starts with a blank
        if not text.endswith("\n"):
            self.put("-")
        elif len(text) == 1 or text.endswith("\n\n"):
            self.put("+")
        self.put_break()
        self.indention = self.whitespace = True
        breaks = True
        for char in text:
            if char == "\n":
                self.put_break()
                self.indention = breaks = True
                continue
            if breaks:
                self.write_indent()
                breaks = False
            self.put(char)
            self.indention = False

    def double_quoted(self, text: str, allow_breaks: bool) -> None:
        self.indicator('"', True, False, False)
        spaces = False
        for position, char in enumerate(text):
            if not _yaml_printable(char) or char in _YAML_BREAKS or char in '"\\':
                self.put(_yaml_escape(char))
                spaces = False
            elif char == " ":
                last = position == len(text) - 1
                if allow_breaks and not spaces and self.column > 80 and position and not last:
                    self.write_indent()
                    if text[position + 1] == " ":
                        self.put("\\")
                else:
                    self.put(" ")
                spaces = True
            else:
                self.put(char)
                spaces = False
        self.indicator('"', False, False, False)


def _yaml_block_allowed(text: str) -> bool:
    """libyaml's analysis: a literal block cannot hold special characters, a space
    before a line break, a trailing space, or line breaks other than LF."""
    if any(not _yaml_printable(c) or c in "\r\x85\u2028\u2029" for c in text):
        return False
    return " \n" not in text and not text.endswith(" ")


def _yamlencode(value: object) -> object:
    return _YamlEmitter([]).document(value)


_YAML_BOOLS = {**dict.fromkeys("y Y yes Yes YES on On ON true True TRUE".split(), True),
               **dict.fromkeys("n N no No NO off Off OFF false False FALSE".split(), False)}
_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_YAML_TIMESTAMP = re.compile(r"(\d{4})-(\d\d?)-(\d\d?)(?:(?:([Tt])|( ))(\d\d?):(\d\d?):(\d\d?)"
                             r"(?:\.\d{1,9})?(Z|[+-]\d\d:\d\d)?)?\Z")


def _yaml_plain(text: str) -> object:
    """A plain scalar resolved as go-cty-yaml does: YAML 1.1 booleans (yes, on, y),
    decimal/0x/0o integers, floats, timestamps as RFC 3339 strings; NaN is an error."""
    if text in _YAML_NULLS:
        return None
    if text in _YAML_BOOLS:
        return _YAML_BOOLS[text]
    if re.fullmatch(r"0x[0-9a-fA-F]+|0o[0-7]+", text):
        return int(text[2:], 16 if text[1] == "x" else 8)
    if _YAML_FLOAT.match(text):
        return from_decimal(Decimal(text))
    if text.lower().lstrip("+-") == ".inf" and text[-3:] in ("inf", "Inf", "INF"):
        return -math.inf if text.startswith("-") else math.inf
    if text in (".nan", ".NaN", ".NAN"):
        raise EvalError("floating point NaN is not supported")
    return _yaml_timestamp(text) or text


def _yaml_timestamp(text: str) -> str | None:
    match = _YAML_TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, t_sep, space_sep, hour, minute, second, zone = match.groups()
    if (t_sep and not zone) or (space_sep and zone):
        return None
    try:
        stamp = datetime.datetime(int(year), int(month), int(day), int(hour or 0),
                                  int(minute or 0), int(second or 0))
    except ValueError:
        return None
    suffix = "Z" if zone in (None, "Z", "+00:00", "-00:00") else zone
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def _yaml_value(node: object, depth: int = 0) -> object:
    if depth > 1000:
        raise EvalError("YAML nesting too deep (a recursive alias?)")
    kind, value, tag = node.id, node.value, node.tag  # type: ignore[attr-defined]
    if kind == "sequence":
        return [_yaml_value(item, depth + 1) for item in value]
    if kind == "mapping":
        return _yaml_mapping(value, depth)
    if tag == "!plain" or (node.style is None and tag.rsplit(":", 1)[-1] in  # type: ignore[attr-defined]
                           ("int", "float", "bool", "null", "timestamp")):
        return _yaml_plain(value)
    return value


def _yaml_mapping(pairs: list[tuple[object, object]], depth: int) -> dict[str, object]:
    merged: dict[str, object] = {}
    explicit: dict[str, object] = {}
    for key_node, value_node in pairs:
        key_tag, key_text = key_node.tag, key_node.value  # type: ignore[attr-defined]
        if key_tag in ("!plain", "tag:yaml.org,2002:merge") and key_text == "<<":
            sequence = value_node.id == "sequence"  # type: ignore[attr-defined]
            sources = value_node.value if sequence else [value_node]  # type: ignore[attr-defined]
            for source in sources:
                merged.update(map_arg(_yaml_value(source, depth + 1), "src", "merge of a non-mapping"))
            continue
        key = _yaml_value(key_node, depth + 1)
        if key is None:
            raise EvalError("mapping key cannot be null")
        if isinstance(key, (list, dict)):
            raise EvalError("only strings are allowed as mapping keys")
        explicit[to_string(key)] = _yaml_value(value_node, depth + 1)  # type: ignore[index]
    return {**merged, **explicit}


@functools.lru_cache(maxsize=1)
def _yaml_loader() -> type:
    import yaml  # heavy; only loaded once a configuration calls yamldecode

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        """Leaves plain scalars untagged, so go-cty-yaml's resolution can be applied."""

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode and implicit[0]:
                return "!plain"
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]

    return Loader


def _yamldecode(src: object) -> object:
    import yaml

    text = string_arg(src, "src")
    if re.match(r"%YAML\s+(?!1\.1\s)", text):
        raise EvalError("found incompatible YAML document")  # go-yaml reads YAML 1.1 only
    try:
        node = yaml.compose(text, Loader=_yaml_loader())
    except yaml.YAMLError as err:
        raise EvalError(str(err).replace("\n", " ")) from None
    if node is None:
        raise EvalError("on line 1, column 1: missing start of document")
    return _yaml_value(node)


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "base64decode": _base64decode, "base64encode": _base64encode, "csvdecode": _csvdecode,
    "jsondecode": _jsondecode, "jsonencode": _jsonencode, "urlencode": _urlencode,
    "yamldecode": _yamldecode, "yamlencode": _yamlencode,
}
