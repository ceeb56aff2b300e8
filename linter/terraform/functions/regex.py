"""The regular expression functions `regex`, `regexall` and `replace` (whose `/.../`
form is a regular expression). Terraform's patterns are RE2; `_RegexTranslator`
rewrites them for Python's `re`, and syntax with no faithful equivalent makes the result
unknown rather than wrong."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from linter.model import Unknown
from linter.terraform.functions.arguments import param_error, string_arg
from linter.terraform.values import EvalError


_PERL_CLASSES = {"d": "[0-9]", "D": "[^0-9]", "s": "[\\t\\n\\f\\r ]", "S": "[^\\t\\n\\f\\r ]",
                 "w": "[0-9A-Za-z_]", "W": "[^0-9A-Za-z_]", "z": "\\Z"}
_PERL_IN_CLASS = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
_POSIX_CLASSES = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
                  "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
                  "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ",
                  "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f"}
_UNICODE_CLASSES = {"L": "[^\\W\\d_]", "N": "\\d", "Nd": "\\d"}


class _Untranslatable(Exception):
    """RE2 syntax with no faithful Python equivalent: the result is unknown, not wrong."""


@dataclass
class _RegexTranslator:
    """Rewrites an RE2 pattern for Python's `re`: ASCII `\\d\\s\\w`, POSIX classes, `$`
    as end of text, `\\z`, `\\Q...\\E`, `(?<name>`, mid-pattern flag groups."""

    pattern: str
    pos: int = 0
    in_class: bool = False

    def translate(self) -> str:
        out: list[str] = []
        closers = [0]  # per open group: scoped flag groups to close along with it
        multiline = re.search(r"\(\?[a-zA-Z]*m", self.pattern) is not None
        while self.pos < len(self.pattern):
            char = self.pattern[self.pos]
            if char == "\\":
                out.append(self._escape())
            elif self.in_class:
                out.append(self._class_char())
            elif char == "[":
                out.append(self._class_start())
            elif char == "(":
                out.append(self._group(closers))
            elif char == ")":
                out.append(")" * (closers.pop() + 1) if len(closers) > 1 else ")")
                self.pos += 1
            else:
                out.append("\\Z" if char == "$" and not multiline else char)
                self.pos += 1
        return "".join(out) + ")" * closers[0]

    def _escape(self) -> str:
        pattern, at = self.pattern, self.pos
        if at + 1 >= len(pattern):
            raise EvalError("error parsing regexp: trailing backslash at end of expression: ``")
        code = pattern[at + 1]
        self.pos += 2
        if code == "Q":
            end = pattern.find("\\E", self.pos)
            literal = pattern[self.pos:] if end < 0 else pattern[self.pos:end]
            self.pos = len(pattern) if end < 0 else end + 2
            return re.escape(literal)
        if code in "pP":
            return self._unicode_class(code == "P")
        if code == "x" and pattern[self.pos:self.pos + 1] == "{":
            end = pattern.index("}", self.pos)
            char = chr(int(pattern[self.pos + 1:end], 16))
            self.pos = end + 1
            return re.escape(char)
        if code.isdigit() and code != "0":
            raise EvalError(f"error parsing regexp: invalid escape sequence: `\\{code}`")
        table = _PERL_IN_CLASS if self.in_class else _PERL_CLASSES
        return table.get(code, "\\" + code)

    def _unicode_class(self, negated: bool) -> str:
        pattern = self.pattern
        if pattern[self.pos:self.pos + 1] == "{":
            end = pattern.index("}", self.pos)
            name, self.pos = pattern[self.pos + 1:end], end + 1
        else:
            name, self.pos = pattern[self.pos:self.pos + 1], self.pos + 1
        if name not in _UNICODE_CLASSES or self.in_class:
            raise _Untranslatable(name)
        if name == "L":
            return "[\\W\\d_]" if negated else "[^\\W\\d_]"
        return "\\D" if negated else "\\d"

    def _class_start(self) -> str:
        self.in_class = True
        self.pos += 1
        head = "["
        if self.pattern[self.pos:self.pos + 1] == "^":
            head, self.pos = "[^", self.pos + 1
        if self.pattern[self.pos:self.pos + 1] == "]":  # a leading ] is literal
            head, self.pos = head + "\\]", self.pos + 1
        return head

    def _class_char(self) -> str:
        pattern, char = self.pattern, self.pattern[self.pos]
        if pattern.startswith("[:", self.pos):
            end = pattern.find(":]", self.pos)
            name = pattern[self.pos + 2:end] if end > 0 else ""
            if name not in _POSIX_CLASSES:
                raise _Untranslatable(f"[:{name}:]")
            self.pos = end + 2
            return _POSIX_CLASSES[name]
        self.pos += 1
        if char == "]":
            self.in_class = False
            return "]"
        return "\\" + char if char in "[&~|" else char  # Python warns on these as set syntax

    def _group(self, closers: list[int]) -> str:
        pattern, at = self.pattern, self.pos
        flags = re.match(r"\(\?([imsU-]*)\)", pattern[at:])
        if flags:
            self.pos += flags.end()
            if "U" in flags.group(1):
                raise _Untranslatable("(?U)")
            if at == 0:
                return flags.group(0)
            closers[-1] += 1  # RE2 applies mid-pattern flags to the rest of the group
            return f"(?{flags.group(1)}:"
        for perl in ("(?=", "(?!", "(?<=", "(?<!"):
            if pattern.startswith(perl, at):
                raise EvalError(f"error parsing regexp: invalid or unsupported Perl syntax: `{perl}`")
        closers.append(0)
        if pattern.startswith("(?<", at):
            self.pos += 3
            return "(?P<"
        self.pos += 1
        return "("


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | Unknown:
    try:
        translated = _RegexTranslator(pattern).translate()
    except _Untranslatable as err:
        return Unknown(f"regular expression feature {err} is not supported by iaclint")
    except ValueError:
        raise EvalError(f"error parsing regexp: invalid pattern `{pattern}`") from None
    try:
        return re.compile(translated)
    except re.error as err:
        raise EvalError(f"error parsing regexp: {err}") from None


def _go_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches as Go finds them: an empty match right after a match is not one."""
    previous_end = -1
    for match in regex.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


def _pattern(pattern: object) -> re.Pattern[str] | Unknown:
    regex = _compile(string_arg(pattern, "pattern"))
    if isinstance(regex, re.Pattern) and regex.groupindex and len(regex.groupindex) != regex.groups:
        raise param_error("pattern", "invalid regexp pattern: cannot mix both named and unnamed "
                                      "capture groups")
    return regex


def _match_value(regex: re.Pattern[str], match: re.Match[str]) -> object:
    if regex.groupindex:
        return {name: match.group(name) for name in regex.groupindex}
    return list(match.groups()) if regex.groups else match.group(0)


def _regex(pattern: object, s: object) -> object:
    regex, text = _pattern(pattern), string_arg(s, "string")
    if isinstance(regex, Unknown):
        return regex
    match = next(_go_matches(regex, text), None)
    if match is None:
        raise EvalError("pattern did not match any part of the given string")
    return _match_value(regex, match)


def _regexall(pattern: object, s: object) -> object:
    regex, text = _pattern(pattern), string_arg(s, "string")
    if isinstance(regex, Unknown):
        return regex
    return [_match_value(regex, m) for m in _go_matches(regex, text)]


def _expand(template: str, match: re.Match[str]) -> str:
    """Go's regexp template expansion: `$1`, `$name`, `${name}`, `$$`; a reference to
    a group that does not exist expands to nothing (so `$1x` is group "1x")."""
    out, pos = [], 0
    while pos < len(template):
        char = template[pos]
        if char != "$" or pos + 1 >= len(template):
            out.append(char)
            pos += 1
            continue
        if template[pos + 1] == "$":
            out.append("$")
            pos += 2
            continue
        braced = re.match(r"\{(\w+)\}" if template[pos + 1] == "{" else r"(\w+)", template[pos + 1:])
        if braced is None:
            out.append("$")
            pos += 1
            continue
        out.append(_group_text(match, braced.group(1)))
        pos += 1 + braced.end()
    return "".join(out)


def _group_text(match: re.Match[str], name: str) -> str:
    if name.isdigit():
        index = int(name)
        return (match.group(index) or "") if index <= match.re.groups else ""
    return (match.group(name) or "") if name in match.re.groupindex else ""


def _replace(s: object, substr: object, replace: object) -> object:
    text, search, replacement = string_arg(s), string_arg(substr, "substr"), string_arg(replace, "replace")
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        regex = _compile(search[1:-1])
        if isinstance(regex, Unknown):
            return regex
        out, last = [], 0
        for match in _go_matches(regex, text):
            out += [text[last:match.start()], _expand(replacement, match)]
            last = match.end()
        return "".join(out) + text[last:]
    return text.replace(search, replacement)


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "regex": _regex, "regexall": _regexall, "replace": _replace,
}
