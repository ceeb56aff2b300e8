"""Parse HCL2 native syntax (Terraform `.tf`, `.tofu`, `.tfvars`) into `hcl_ast` nodes.

A hand-written lexer and recursive-descent parser that follows hashicorp/hcl's
`hclsyntax` package closely enough to accept and reject the same files (checked against
`terraform fmt`), more than ten times faster than the lark grammar of python-hcl2. Three
things shape the design:

* Lexing is lazy and driven by the parser: the tokens inside a string depend on whether
  the parser is in a template or in an interpolation, so the parser asks for one token at
  a time with one compiled regex, and scans template text itself with `match`/`find`.
* Newlines end attributes and object items but mean nothing inside `(...)`, `[...]`,
  `${...}` and `for` expressions. The parser keeps a stack of that mode; the lexer skips
  newlines and comments entirely when they are insignificant.
* Templates are scanned into a flat list of literal pieces and sequence markers first and
  nested afterwards, because strip markers (`~`) and `<<-` indentation removal are defined
  by hclsyntax on those flat pieces (heredoc literals are cut at every line end).

Only `parse`, `parse_expression` and `parse_template` are public; every failure is an
`HclSyntaxError` with a 1-based line and column. The module is longer than the style
guide's ~400 lines on purpose: lexer, expression parser and template scanner share one
cursor and recurse into each other (a string in an interpolation in a string), and
splitting them would spread one state machine over several files.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Callable, NamedTuple, TypeVar, Union, cast

from linter.parsers.hcl_ast import (
    Attribute, Binary, Block, Body, Conditional, Expr, ForDirective, ForExpr, FunctionCall,
    GetAttr, HclSyntaxError, IfDirective, Index, Interp, Literal, ObjectExpr, Parens, Splat,
    SplatItem, Template, TemplatePart, TupleExpr, Unary, Variable,
)

__all__ = ["parse", "parse_expression", "parse_template"]

# Token kinds that are not punctuation (punctuation tokens are their own text).
NL, ID, NUM, HEREDOC, EOF = "\n", "id", "num", "<<", ""
_BAD_COMMENT, _BAD_CHAR = "/*", "?char"

_SKIP_SIGNIFICANT = r"(?:[ \t\r\ufeff]+|/\*(?s:.*?)\*/)*"
_SKIP_ALL = r"(?:[ \t\r\n\ufeff]+|/\*(?s:.*?)\*/|#[^\n]*|//[^\n]*)*"
# One newline token stands for a run of line ends, comments and blank lines. A number is
# greedy over digits, dots and exponents like hclsyntax's scanner, so that `10.0.0.1` is
# one (invalid) number and `a.0.1` is rejected, but it never ends in a dot (`a.0.b`).
_LINE_END = r"(?:(?:#|//)[^\n]*(?:\n|\Z)|\n)"
_TOKENS = (
    r"(?:(" + _LINE_END + r"(?:[ \t\r]+|/\*(?s:.*?)\*/|" + _LINE_END + r")*)"
    r"|([^\W\d][\w-]*)"
    r"|([0-9](?:[0-9]|[eE][+-]?[0-9]|\.+(?=[0-9]|[eE][+-]?[0-9]))*)"
    r"|(<<-?[^\W\d][\w-]*\r?\n)"
    r"|(/\*)"
    r"|(==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|~}|[-+*/%!<>?:=.,()\[\]{}\"])"
    r"|(\Z)"
    r"|((?s:.)))"
)
_KINDS = ("", NL, ID, NUM, HEREDOC, _BAD_COMMENT, "punctuation", EOF, _BAD_CHAR)
_PUNCT = 6
# These patterns match at every position (the last alternatives are `\Z` and any
# character, or `*` runs), so their `match` never returns None.
_Matcher = Callable[[str, int], "re.Match[str]"]
_MATCH_SIGNIFICANT = cast(_Matcher, re.compile(_SKIP_SIGNIFICANT + _TOKENS).match)
_MATCH_ALL = cast(_Matcher, re.compile(_SKIP_ALL + _TOKENS).match)
_QUOTED_RUN = cast(_Matcher, re.compile(r'[^"\\$%\n]*').match)
_RAW_RUN = cast(_Matcher, re.compile(r"[^$%\n]*").match)

_SIMPLE_STRING = re.compile(r'([^"\\$%\n]*)"').match
_HEX = re.compile(r"[0-9A-Fa-f]+")
_INT = re.compile(r"[0-9]+")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_KEYWORDS: dict[str, object] = {"true": True, "false": False, "null": None}
_KEYWORD_NAMES = {value: name for name, value in _KEYWORDS.items()}
_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_OPENERS = {")": "(", "]": "[", "}": "{"}


class _Marker(NamedTuple):
    """A template directive before nesting: `%{ if expr }`, `%{ for key_var, value_var
    in expr }`, `%{ else }`, `%{ endif }` or `%{ endfor }` at `pos`."""

    keyword: str
    pos: int
    expr: Expr | None = None
    key_var: str | None = None
    value_var: str = ""


# A template is first a flat list of literal pieces, interpolations and markers.
_Item = Union[str, Interp, _Marker]
_QUOTED, _HEREDOC, _RAW = 0, 1, 2
_T = TypeVar("_T")


def parse(text: str, path: str = "<string>") -> Body:
    """Parse a whole file. `path` names the file for the caller's messages only: an
    `HclSyntaxError` carries the line and column, and the caller adds the path."""
    del path
    parser = _Parser(text[1:] if text.startswith("\ufeff") else text)
    return parser.run(parser.file)


def parse_expression(text: str, line: int = 1, col: int = 1) -> Expr:
    """Parse one expression (a `-var` value, a string of Terraform JSON syntax)."""
    parser = _Parser(text, line, col)
    parser.match = _MATCH_ALL
    return parser.run(parser.whole_expression)


def parse_template(text: str, line: int = 1, col: int = 1) -> Expr:
    """Parse already-decoded string contents as a template, as Terraform reads every
    string of JSON syntax: no backslash escapes, only `${`, `%{`, `$${` and `%%{`."""
    parser = _Parser(text, line, col)
    return parser.run(parser.whole_template)


class _Parser:
    """One parse of one text; the current token is `tok` (its kind), `val`, `start`."""

    __slots__ = ("text", "line_starts", "line0", "col0", "pos", "start", "prev_end", "tok", "val",
                 "match", "modes")

    def __init__(self, text: str, line: int = 1, col: int = 1):
        self.text = text
        self.line_starts = list(accumulate((len(s) + 1 for s in text.split("\n")), initial=0))
        self.line0, self.col0 = line - 1, col - 1
        self.pos = self.start = self.prev_end = 0
        self.tok, self.val = EOF, ""
        # The lexer of the current mode: newlines are significant at body and object
        # level, and skipped like spaces inside brackets, interpolations and `for`.
        self.match = _MATCH_SIGNIFICANT
        self.modes: list[_Matcher] = []

    # ------------------------------------------------------------------ infrastructure

    def run(self, entry: Callable[[], _T]) -> _T:
        try:
            return entry()
        except RecursionError:
            raise self.error("the text is nested too deeply to parse", self.start) from None

    def lc(self, pos: int) -> tuple[int, int]:
        index = bisect_right(self.line_starts, pos)
        col = pos - self.line_starts[index - 1] + 1
        return index + self.line0, col + self.col0 if index == 1 else col

    def error(self, message: str, pos: int) -> HclSyntaxError:
        return HclSyntaxError(message, *self.lc(pos))

    def advance(self) -> None:
        """Scan the next token. The hottest function: keep it lean."""
        self.prev_end = self.pos
        m = self.match(self.text, self.pos)
        index: int = m.lastindex  # type: ignore[assignment]  # one group always matches
        self.val = val = m.group(index)
        self.pos = end = m.end()
        self.start = end - len(val)
        if index == _PUNCT:
            self.tok = val
            return
        kind = _KINDS[index]
        if kind == _BAD_CHAR or kind == _BAD_COMMENT:
            raise self.error(_bad_token_message(kind, val), self.start)
        self.tok = kind

    def push(self, significant_newlines: bool) -> None:
        self.modes.append(self.match)
        self.match = _MATCH_SIGNIFICANT if significant_newlines else _MATCH_ALL

    def close(self, closer: str, open_pos: int, context: str = "") -> None:
        """Consume `closer`, which ends the bracket opened at `open_pos`."""
        if self.tok != closer:
            raise self.unclosed(closer, open_pos, context)
        self.match = self.modes.pop()
        self.advance()

    def unclosed(self, closer: str, open_pos: int, context: str = "") -> HclSyntaxError:
        if self.tok == EOF:
            line = self.lc(open_pos)[0]
            return self.error(f'unclosed "{_OPENERS[closer]}" opened at line {line}', open_pos)
        return self.error(f'expected {context}"{closer}", found {self.found()}', self.start)

    def found(self) -> str:
        tok = self.tok
        if tok == NL:
            return "a newline" if self.val.strip() == "" else "a comment"
        if tok == EOF:
            return "the end of the file"
        if tok == NUM:
            return f"the number {self.val}"
        if tok == HEREDOC:
            return "a heredoc"
        if tok == '"':
            return "a string"
        return f'"{self.val}"'

    def name(self, what: str) -> str:
        if self.tok != ID:
            raise self.error(f"expected {what}, found {self.found()}", self.start)
        val = self.val
        self.advance()
        return val

    # ------------------------------------------------------------------ bodies

    def file(self) -> Body:
        self.advance()
        attrs, blocks = self.body(None, 0)
        return Body(attrs, blocks, *self.lc(0))

    def body(self, block: str | None, open_pos: int) -> tuple[list[Attribute], list[Block]]:
        """Items up to the end of file (top level) or the `}` of `block` (left current)."""
        attrs: list[Attribute] = []
        blocks: list[Block] = []
        seen: dict[str, Attribute] = {}
        while True:
            tok = self.tok
            if tok == NL:
                self.advance()
            elif tok == ID:
                self.item(attrs, blocks, seen)
            elif tok == "}" and block is not None:
                return attrs, blocks
            elif tok == EOF:
                if block is None:
                    return attrs, blocks
                line = self.lc(open_pos)[0]
                raise self.error(f'unclosed block "{block}" opened at line {line}', open_pos)
            else:
                raise self.error(f"expected an attribute or a block, found {self.found()}", self.start)

    def item(self, attrs: list[Attribute], blocks: list[Block], seen: dict[str, Attribute]) -> None:
        name, start = self.val, self.start
        self.advance()
        tok = self.tok
        if tok == "=":
            attr = self.attribute(name, start)
            if self.tok != NL and self.tok != EOF:
                raise self.error(f'expected a newline after the value of "{name}", found {self.found()}', self.start)
            first = seen.get(name)
            if first is not None:
                raise self.error(f'attribute "{name}" redefined at line {attr.line}'
                                 f' (first set at line {first.line})', start)
            seen[name] = attr
            attrs.append(attr)
        elif tok == ID or tok == '"' or tok == "{":
            blocks.append(self.block(name, start))
        else:
            raise self.error(f'expected "=" or a block after "{name}", found {self.found()}', self.start)

    def attribute(self, name: str, start: int) -> Attribute:
        self.advance()  # the "="
        expr = self.expr()
        return Attribute(name, expr, *self.lc(start), self.lc(self.prev_end - 1)[0])

    def block(self, kind: str, start: int) -> Block:
        labels: list[str] = []
        while self.tok != "{":
            if self.tok == ID:
                labels.append(self.val)
                self.advance()
            elif self.tok == '"':
                labels.append(self.label())
            elif self.tok == NL:
                raise self.error(f'the "{{" of block "{kind}" must be on the same line as its header', self.start)
            else:
                raise self.error(f'expected a label or "{{" in the header of block "{kind}", found {self.found()}',
                                 self.start)
        brace = self.start
        self.advance()
        if self.tok == NL:
            attrs, blocks = self.body(kind, brace)
        else:
            attrs, blocks = self.one_line_body(kind, brace), []
        end_line = self.lc(self.start)[0]
        self.advance()  # the "}"
        if self.tok != NL and self.tok != EOF:
            raise self.error(f'expected a newline after the "}}" of block "{kind}", found {self.found()}', self.start)
        return Block(kind, tuple(labels), Body(attrs, blocks, *self.lc(brace)), *self.lc(start), end_line)

    def one_line_body(self, kind: str, brace: int) -> list[Attribute]:
        """`kind { name = value }` or `kind {}`: Terraform allows one attribute at most."""
        if self.tok == "}":
            return []
        if self.tok == EOF:
            self.body(kind, brace)  # raises the "unclosed block" error
        if self.tok != ID:
            raise self.error(f'expected an attribute or a newline after the "{{" of block "{kind}",'
                             f" found {self.found()}", self.start)
        name, start = self.val, self.start
        self.advance()
        if self.tok != "=":
            raise self.error(f'a single-line block "{kind}" can hold only one attribute;'
                             " put nested blocks on their own lines", start)
        attr = self.attribute(name, start)
        if self.tok != "}":
            raise self.error(f'a single-line block "{kind}" must end with "}}" right after its attribute,'
                             f" found {self.found()}", self.start)
        return [attr]

    def label(self) -> str:
        start = self.start
        node = self.quoted()
        if not isinstance(node, Literal):
            raise self.error("a block label cannot contain interpolations or directives", start)
        return str(node.value)

    # ------------------------------------------------------------------ expressions

    def whole_expression(self) -> Expr:
        self.advance()
        expr = self.expr()
        if self.tok != EOF:
            raise self.error(f"unexpected {self.found()} after the expression", self.start)
        return expr

    def expr(self) -> Expr:
        cond = self.unary()
        if self.tok in _BINARY:
            cond = self.binary(cond, 1)
        if self.tok != "?":
            return cond
        self.advance()
        true_expr = self.expr()
        if self.tok != ":":
            raise self.error(f'expected ":" in a conditional expression, found {self.found()}', self.start)
        self.advance()
        return Conditional(cond, true_expr, self.expr(), cond.line, cond.col)

    def binary(self, left: Expr, min_prec: int) -> Expr:
        """Precedence climbing over the operators after `left`; all are left-associative."""
        while True:
            op = self.tok
            prec = _BINARY.get(op)
            if prec is None or prec < min_prec:
                return left
            self.advance()
            right = self.unary()
            tighter = _BINARY.get(self.tok)
            if tighter is not None and tighter > prec:
                right = self.binary(right, prec + 1)
            left = Binary(op, left, right, left.line, left.col)

    def unary(self) -> Expr:
        op = self.tok
        if op != "-" and op != "!":
            node = self.term()
            if self.tok == "." or self.tok == "[":
                return self.traversals(node)
            return node
        start = self.start
        self.advance()
        operand = self.unary()
        line, col = self.lc(start)
        if op == "-" and isinstance(operand, Literal) and type(operand.value) in (int, float):
            return Literal(-operand.value, line, col)  # type: ignore[operator]
        return Unary(op, operand, line, col)

    def term(self) -> Expr:
        tok, start = self.tok, self.start
        if tok == ID:
            name = self.val
            self.advance()
            if self.tok == "(" or self.tok == "::":
                return self.call(name, start)
            if name in _KEYWORDS:
                return Literal(_KEYWORDS[name], *self.lc(start))
            return Variable(name, *self.lc(start))
        if tok == '"':
            return self.quoted()
        if tok == NUM:
            return self.number()
        if tok == "[":
            return self.tuple_expr()
        if tok == "{":
            return self.object_expr()
        if tok == "(":
            self.push(False)
            self.advance()
            inner = self.expr()
            self.close(")", start)
            return Parens(inner, *self.lc(start))
        if tok == HEREDOC:
            return self.heredoc()
        if tok == "<" and self.text.startswith("<", self.pos):
            raise self.error("a heredoc opener must be <<ID or <<-ID directly followed by a newline", start)
        raise self.error(f"expected an expression, found {self.found()}", start)

    def number(self) -> Literal:
        text, pos = self.val, self.start
        self.advance()
        if _INT.fullmatch(text):
            return Literal(int(text), *self.lc(pos))
        try:
            return Literal(float(text), *self.lc(pos))
        except ValueError:
            raise self.error(f'invalid number "{text}"', pos) from None

    def traversals(self, node: Expr) -> Expr:
        """Postfix `.name`, `.0`, `[key]`, `[*]` and `.*` steps after `node`."""
        while True:
            tok = self.tok
            if tok == ".":
                self.advance()
                if self.tok == "*":
                    node = self.attr_splat(node)
                else:
                    node = self.dot_step(node, node)
            elif tok == "[":
                open_pos = self.start
                self.push(False)
                self.advance()
                if self.tok == "*":
                    self.advance()
                    self.close("]", open_pos, "the splat operator [*] to end with ")
                    item = SplatItem(*self.lc(open_pos))
                    node = Splat(node, self.traversals(item), node.line, node.col)
                else:
                    key = self.expr()
                    self.close("]", open_pos)
                    node = Index(node, key, node.line, node.col)
            else:
                return node

    def dot_step(self, node: Expr, root: Expr) -> Expr:
        """The step after a "." (already consumed): an attribute or a legacy `.0` index."""
        if self.tok == ID:
            node = GetAttr(node, self.val, root.line, root.col)
        elif self.tok == NUM and _INT.fullmatch(self.val):
            node = Index(node, Literal(int(self.val), *self.lc(self.start)), root.line, root.col)
        elif self.tok == NUM:
            raise self.error(f'invalid legacy index ".{self.val}": chain indexes with brackets, like [0][1]',
                             self.start)
        else:
            raise self.error(f'expected an attribute name after ".", found {self.found()}', self.start)
        self.advance()
        return node

    def attr_splat(self, source: Expr) -> Expr:
        """`source.*.a.b`: only the following `.name`/`.N` steps apply to each element."""
        item = SplatItem(*self.lc(self.start - 1))
        self.advance()  # the "*"
        each: Expr = item
        while self.tok == ".":
            self.advance()
            each = self.dot_step(each, item)
        return Splat(source, each, source.line, source.col)

    def call(self, name: str, start: int) -> FunctionCall:
        while self.tok == "::":
            self.advance()
            name += "::" + self.name('a name after "::"')
        if self.tok != "(":
            raise self.error(f'expected "(" after the function name "{name}", found {self.found()}', self.start)
        open_pos = self.start
        self.push(False)
        self.advance()
        args: list[Expr] = []
        expand = False
        while self.tok != ")":
            args.append(self.expr())
            if self.tok == ",":
                self.advance()
            elif self.tok == "...":
                expand = True
                self.advance()
                break
            elif self.tok != ")":
                raise self.unclosed(")", open_pos, '"," or ')
        self.close(")", open_pos)
        return FunctionCall(name, args, expand, *self.lc(start))

    def tuple_expr(self) -> Expr:
        start = self.start
        self.push(False)
        self.advance()
        if self.tok == ID and self.val == "for":
            return self.for_expr(start, "]")
        items: list[Expr] = []
        while self.tok != "]":
            items.append(self.expr())
            if self.tok == ",":
                self.advance()
            elif self.tok != "]":
                raise self.unclosed("]", start, '"," or ')
        self.close("]", start)
        return TupleExpr(items, *self.lc(start))

    def object_expr(self) -> Expr:
        start = self.start
        self.push(True)
        self.advance()
        while self.tok == NL:
            self.advance()
        if self.tok == ID and self.val == "for":
            self.match = _MATCH_ALL
            return self.for_expr(start, "}")
        items: list[tuple[Expr, Expr]] = []
        while self.tok != "}":
            items.append(self.object_item(start))
            if self.tok == "," or self.tok == NL:
                self.advance()
                while self.tok == NL:
                    self.advance()
            elif self.tok != "}":
                raise self.unclosed("}", start, 'a newline, "," or ')
        self.close("}", start)
        return ObjectExpr(items, *self.lc(start))

    def object_item(self, open_pos: int) -> tuple[Expr, Expr]:
        if self.tok == EOF:
            raise self.unclosed("}", open_pos)
        key = self.expr()
        # A bare name is the key itself, not a reference; so are `true`, `false`, `null`.
        if isinstance(key, Variable):
            key = Literal(key.name, key.line, key.col)
        elif isinstance(key, Literal) and (key.value is None or type(key.value) is bool):
            key = Literal(_KEYWORD_NAMES[key.value], key.line, key.col)
        if self.tok != "=" and self.tok != ":":
            raise self.error(f'expected "=" or ":" after an object key, found {self.found()}', self.start)
        self.advance()
        return key, self.expr()

    def for_expr(self, start: int, closer: str) -> ForExpr:
        self.advance()  # the "for"
        key_var, value_var = None, self.name('a variable name after "for"')
        if self.tok == ",":
            self.advance()
            key_var, value_var = value_var, self.name('a second variable name after ","')
        if self.tok != ID or self.val != "in":
            raise self.error(f'expected "in" in a "for" expression, found {self.found()}', self.start)
        self.advance()
        collection = self.expr()
        if self.tok != ":":
            raise self.error(f'expected ":" after the collection of a "for" expression, found {self.found()}',
                             self.start)
        self.advance()
        key_expr, value_expr, group = None, self.expr(), False
        if closer == "}":
            if self.tok != "=>":
                raise self.error(f'expected "=>" in an object "for" expression, found {self.found()}', self.start)
            self.advance()
            key_expr, value_expr = value_expr, self.expr()
            if self.tok == "...":
                group = True
                self.advance()
        cond = None
        if self.tok == ID and self.val == "if":
            self.advance()
            cond = self.expr()
        self.close(closer, start)
        return ForExpr(key_var, value_var, collection, key_expr, value_expr, cond, group, *self.lc(start))

    # ------------------------------------------------------------------ templates

    def quoted(self) -> Expr:
        """A quoted string; the current token is its opening quote."""
        start = self.start
        simple = _SIMPLE_STRING(self.text, self.pos)
        if simple:
            node: Expr = Literal(simple.group(1), *self.lc(start))
            self.pos = simple.end()
        else:
            items, self.pos = self.template_items(self.pos, _QUOTED, start, "")
            node = self.build(items, start)
        self.advance()
        return node

    def heredoc(self) -> Expr:
        start, opener = self.start, self.val
        flush = opener[2] == "-"
        marker = opener[3 if flush else 2:].rstrip("\r\n")
        items, marker_end = self.template_items(self.pos, _HEREDOC, start, marker)
        if flush:
            _flush(items)
        node = self.build(items, start)
        self.pos = marker_end  # the newline after the marker ends the attribute
        self.advance()
        return node

    def whole_template(self) -> Expr:
        items, _ = self.template_items(0, _RAW, 0, "")
        return self.build(items, 0)

    def template_items(self, pos: int, mode: int, open_pos: int, marker: str) -> tuple[list[_Item], int]:
        """Scan template text from `pos` to its end: the closing quote (quoted), the
        marker line (heredoc: returns the position of its line end) or the end of text."""
        text = self.text
        run = _QUOTED_RUN if mode == _QUOTED else _RAW_RUN
        items: list[_Item] = []
        buf: list[str] = []
        trim_next = False  # a "~}" strips the leading whitespace of the next literal
        line_start = mode == _HEREDOC
        while True:
            if line_start:
                line_end = text.find("\n", pos)
                if line_end >= 0 and text[pos:line_end].strip() == marker:
                    return items, line_end
                line_start = False
            m = run(text, pos)
            pos = m.end()
            if pos > m.start():
                buf.append(m.group())
            char = text[pos:pos + 1]
            if char == "$" or char == "%":
                if text.startswith("{", pos + 1):
                    if buf:
                        trim_next = _emit(items, buf, trim_next)
                    item, pos, trim_next = self.sequence(pos, items)
                    items.append(item)
                    continue
                if text.startswith(char + "{", pos + 1):
                    buf.append(char + "{")
                    pos += 3
                else:
                    buf.append(char)
                    pos += 1
            elif char == "\n" and mode != _QUOTED:
                buf.append("\n")
                pos += 1
                trim_next = _emit(items, buf, trim_next)
                line_start = mode == _HEREDOC
            elif char == "\\":
                pos = self.escape(pos, buf)
            elif char == '"':
                if buf:
                    _emit(items, buf, trim_next)
                return items, pos + 1
            elif mode == _RAW and not char:
                if buf:
                    _emit(items, buf, trim_next)
                return items, pos
            else:
                raise self.unterminated(mode, open_pos, marker)

    def unterminated(self, mode: int, open_pos: int, marker: str) -> HclSyntaxError:
        if mode == _HEREDOC:
            line = self.lc(open_pos)[0]
            return self.error(f"unterminated heredoc <<{marker} opened at line {line}", open_pos)
        return self.error("unterminated string", open_pos)

    def escape(self, pos: int, buf: list[str]) -> int:
        text = self.text
        selector = text[pos + 1:pos + 2]
        if selector in _ESCAPES and selector:
            buf.append(_ESCAPES[selector])
            return pos + 2
        width = 4 if selector == "u" else 8 if selector == "U" else 0
        digits = text[pos + 2:pos + 2 + width]
        if width and len(digits) == width and _HEX.fullmatch(digits) and int(digits, 16) <= 0x10FFFF:
            buf.append(chr(int(digits, 16)))
            return pos + 2 + width
        if selector in ("", "\n", "\r"):
            raise self.error("unterminated string: a backslash cannot end a line", pos)
        if width:
            raise self.error(f'the escape "\\{selector}" must be followed by {width} hexadecimal digits', pos)
        raise self.error(f'invalid escape sequence "\\{selector}"', pos)

    def sequence(self, pos: int, items: list[_Item]) -> tuple[_Item, int, bool]:
        """`${ expr }` or `%{ directive }` at `pos`; returns the item, the position after
        it, and whether it ends with the "~}" strip marker."""
        text = self.text
        strip_left = text.startswith("~", pos + 2)
        if strip_left and items and isinstance(items[-1], str):
            items[-1] = items[-1].rstrip()
        self.pos = pos + (3 if strip_left else 2)
        self.push(False)
        self.advance()
        if text[pos] == "$":
            item: _Item = Interp(self.expr(), *self.lc(pos))
        else:
            item = self.directive(pos)
        if self.tok != "}" and self.tok != "~}":
            what = "interpolation" if text[pos] == "$" else "directive"
            raise self.error(f'expected "}}" to end the {what} opened at line {self.lc(pos)[0]},'
                             f" found {self.found()}", self.start)
        self.match = self.modes.pop()
        return item, self.pos, self.tok == "~}"

    def directive(self, pos: int) -> _Marker:
        keyword = self.name('"if", "for", "else", "endif" or "endfor" after "%{"')
        if keyword == "if":
            return _Marker("if", pos, self.expr())
        if keyword == "for":
            key_var, value_var = None, self.name('a variable name after "for"')
            if self.tok == ",":
                self.advance()
                key_var, value_var = value_var, self.name('a second variable name after ","')
            if self.tok != ID or self.val != "in":
                raise self.error(f'expected "in" in a "for" directive, found {self.found()}', self.start)
            self.advance()
            return _Marker("for", pos, self.expr(), key_var, value_var)
        if keyword in ("else", "endif", "endfor"):
            return _Marker(keyword, pos)
        raise self.error(f'"{keyword}" is not a template directive (if, else, endif, for, endfor)', pos)

    def build(self, items: list[_Item], start: int) -> Expr:
        """Nest the flat items into `Template` parts; text alone becomes a `Literal`."""
        root: list[TemplatePart] = []
        parts = root
        stack: list[tuple[IfDirective | ForDirective, str, list[TemplatePart]]] = []
        for item in items:
            if isinstance(item, str):
                last = parts[-1] if parts else None
                if item and isinstance(last, str):
                    parts[-1] = last + item
                elif item:
                    parts.append(item)
            elif isinstance(item, Interp):
                parts.append(item)
            else:
                parts = self.nest(item, parts, stack)
        if stack:
            node, keyword, _ = stack[-1]
            end = "endfor" if keyword == "for" else "endif"
            raise self.error(f"missing %{{ {end} }} for the %{{ {keyword} }} at line {node.line}", start)
        if all(isinstance(part, str) for part in root):
            return Literal(root[0] if root else "", *self.lc(start))
        return Template(root, *self.lc(start))

    def nest(self, item: _Marker, parts: list[TemplatePart],
             stack: list[tuple[IfDirective | ForDirective, str, list[TemplatePart]]]) -> list[TemplatePart]:
        """Apply one directive marker; return the part list that collects what follows."""
        keyword, pos = item.keyword, item.pos
        if item.expr is not None:  # an opening "if" or "for"
            node: IfDirective | ForDirective
            if keyword == "if":
                node = IfDirective(item.expr, [], [], *self.lc(pos))
                inner = node.then_parts
            else:
                node = ForDirective(item.key_var, item.value_var, item.expr, [], *self.lc(pos))
                inner = node.body
            parts.append(node)
            stack.append((node, keyword, parts))
            return inner
        opener = "for" if keyword == "endfor" else "if"
        allowed = ("if", "else") if keyword == "endif" else (opener,)
        if not stack or stack[-1][1] not in allowed:
            raise self.error(f"%{{ {keyword} }} without a matching %{{ {opener} }}", pos)
        node, _, outer = stack.pop()
        if keyword == "else":
            assert isinstance(node, IfDirective)
            stack.append((node, "else", outer))
            return node.else_parts
        return outer


def _emit(items: list[_Item], buf: list[str], trim: bool) -> bool:
    """Append the pending literal piece (left-stripped after a "~}"); clear the trim flag."""
    piece = "".join(buf)
    buf.clear()
    items.append(piece.lstrip() if trim else piece)
    return False


def _flush(items: list[_Item]) -> None:
    """Remove the common leading whitespace of a `<<-` heredoc, as hclsyntax does: over
    the literal pieces that start a line, ignoring blank lines; a line that starts with
    an interpolation or directive has no indentation, so nothing is removed."""
    least = None
    starts: list[tuple[int, str]] = []
    line_start = True
    for index, item in enumerate(items):
        if line_start:
            line_start = False
            if not isinstance(item, str):
                least = 0
            elif item.strip() or not item.endswith("\n"):
                starts.append((index, item))
                width = len(item) - len(item.lstrip())
                least = width if least is None else min(least, width)
        if isinstance(item, str) and item.endswith("\n"):
            line_start = True
    if least:
        for index, text in starts:
            items[index] = text[least:]


def _bad_token_message(kind: str, val: str) -> str:
    if kind == _BAD_COMMENT:
        return 'unterminated comment "/*"'
    if val == "$":
        return 'unexpected "$": an interpolation "${" is only valid inside a string'
    return f"unexpected character {val!r}"
