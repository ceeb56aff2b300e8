"""`format` and `formatlist`: Go's `fmt` verbs as Terraform applies them (flags, width,
precision, `[n]` argument indexes), with big.Int/big.Float number formatting and
padding counted in grapheme clusters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, cast

from linter.terraform.functions.arguments import param_error, string_arg
from linter.terraform.functions.numbers import DIGITS
from linter.terraform.functions.strings import graphemes
from linter.terraform.values import (
    EvalError,
    Number,
    format_number,
    from_decimal,
    is_number,
    json_encode,
    number_decimal,
    parse_number,
    quote,
    to_bool,
    to_string,
)


_VERBS = frozenset("vtbdoxXeEfgGsq")


@dataclass(frozen=True)
class _Verb:
    """One `%` directive of a format string, as written and where."""

    text: str
    offset: int
    flags: str
    width: int | None
    precision: int | None
    argument: int | None  # an explicit 1-based `[n]` index
    verb: str


def _digits(text: str, pos: int) -> tuple[int | None, int]:
    end = pos
    while end < len(text) and text[end].isdigit():
        end += 1
    return (int(text[pos:end]) if end > pos else None), end


def _parse_format(fmt: str) -> list[str | _Verb]:
    pieces: list[str | _Verb] = []
    pos = 0
    while pos < len(fmt):
        if fmt[pos] != "%":
            pieces.append(fmt[pos])
            pos += 1
        elif fmt.startswith("%%", pos):
            pieces.append("%")
            pos += 2
        else:
            verb, pos = _parse_verb(fmt, pos)
            pieces.append(verb)
    return pieces


def _parse_verb(fmt: str, start: int) -> tuple[_Verb, int]:
    pos = start + 1
    while pos < len(fmt) and fmt[pos] in "+- #0":
        pos += 1
    flags = fmt[start + 1:pos]
    width, pos = _digits(fmt, pos)
    precision = None
    if fmt.startswith(".", pos):  # a bare "." is precision 0
        precision, pos = _digits(fmt, pos + 1)
        precision = precision or 0
    argument = None
    if fmt.startswith("[", pos):  # an explicit argument index, "[n]"
        argument, end = _digits(fmt, pos + 1)
        bad = pos + 1 if argument == 0 else end if argument is None or fmt[end:end + 1] != "]" else None
        if bad is not None and bad < len(fmt):
            raise EvalError(f"unrecognized format character {fmt[bad]!r} at offset {bad}")
        pos = end + 1
    if pos >= len(fmt):
        raise EvalError(f"invalid format string starting at offset {len(fmt)}")
    verb = fmt[pos]
    if verb not in _VERBS:
        if verb.isalpha():
            written = quote(fmt[start:pos + 1])
            raise EvalError(f"unsupported format verb {verb!r} in {written} at offset {start}")
        raise EvalError(f"unrecognized format character {verb!r} at offset {pos}")
    return _Verb(fmt[start:pos + 1], start, flags, width, precision, argument, verb), pos + 1


def _format(format: object, *args: object) -> object:
    pieces = _parse_format(string_arg(format, "format"))
    out: list[str] = []
    next_argument, used, verbs = 0, 0, 0
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        verbs += 1
        index = piece.argument - 1 if piece.argument else next_argument
        if index >= len(args):
            raise EvalError(f"not enough arguments for {quote(piece.text)} at {piece.offset}: "
                            f"need index {index + 1} but have {len(args)} total")
        out.append(_format_verb(piece, args[index]))
        next_argument, used = index + 1, max(used, index + 1)
    if args and not verbs:
        raise param_error("args", "too many arguments; no verbs in format string")
    if used < len(args):
        raise param_error("args", f"too many arguments; only {used} used by format string")
    return "".join(out)


def _format_verb(verb: _Verb, value: object) -> str:
    def unsupported(message: str) -> EvalError:
        return EvalError(f"unsupported value for {quote(verb.text)} at {verb.offset}: {message}")

    if value is None:
        # Terraform returns unknown for an untyped null literal; a typed null (the usual
        # case, from a variable) is this error.
        raise unsupported("null value cannot be formatted")
    if verb.verb == "v":
        if "#" in verb.flags or isinstance(value, (list, dict)):
            return _pad_text(json_encode(value), verb)
        text = _go_shortest_g(cast(Number, value)) if is_number(value) else cast(str, to_string(value))
        return _pad_text(text, verb)
    if verb.verb in "sq":
        if isinstance(value, (list, dict)):
            raise unsupported("string required")
        text = cast(str, to_string(value))
        if verb.precision:  # Terraform ignores a zero precision for strings
            text = "".join(graphemes(text)[:verb.precision])
        return _pad_text(quote(text) if verb.verb == "q" else text, verb)
    if verb.verb == "t":
        if isinstance(value, str) and value in ("true", "false", "1", "0"):
            return "true" if to_bool(value) else "false"
        if not isinstance(value, bool):
            raise unsupported("a bool is required" if isinstance(value, str) else "bool required")
        return "true" if value else "false"
    if isinstance(value, (bool, list, dict)):
        raise unsupported("number required")
    number = parse_number(value) if isinstance(value, str) else value
    if number is None:
        raise unsupported("a number is required")
    if verb.verb in "bdoxX":
        if isinstance(number, float) and not number.is_integer():
            raise unsupported("an integer is required")
        return _format_integer(int(number_decimal(number)), verb)  # type: ignore[arg-type]
    return _format_float(number, verb)  # type: ignore[arg-type]


def _pad_text(text: str, verb: _Verb) -> str:
    """Go's string padding, counted in grapheme clusters as Terraform counts: "0" pads
    with zeros, on the right too when with "-"."""
    length = len(graphemes(text))
    if verb.width is None or length >= verb.width:
        return text
    fill = ("0" if "0" in verb.flags else " ") * (verb.width - length)
    return text + fill if "-" in verb.flags else fill + text


def _pad_float(text: str, verb: _Verb) -> str:
    """big.Float's padding: "0" wins over "-" and pads after the sign."""
    if verb.width is None or len(text) >= verb.width:
        return text
    fill = verb.width - len(text)
    if "0" in verb.flags:
        sign = text[0] if text[:1] in "+- " else ""
        return sign + "0" * fill + text[len(sign):]
    return text + " " * fill if "-" in verb.flags else " " * fill + text


def _sign(negative: bool, flags: str) -> str:
    return "-" if negative else "+" if "+" in flags else " " if " " in flags else ""


def _format_integer(number: int, verb: _Verb) -> str:
    """%d %b %o %x %X as big.Int formats them: "-" wins over "0", zero padding goes
    between the sign/prefix and the digits, and `%.0d` of zero prints nothing at all."""
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb.verb]
    if verb.precision == 0 and number == 0:
        return ""
    text, rest = "", abs(number)
    while rest or not text:
        text, rest = DIGITS[rest % base] + text, rest // base
    text = text.upper() if verb.verb == "X" else text
    if verb.precision is not None:
        text = text.rjust(verb.precision, "0")
    head = _sign(number < 0, verb.flags)
    if "#" in verb.flags:
        head += {"x": "0x", "X": "0X", "o": "0", "b": "0b"}.get(verb.verb, "")
    fill = max((verb.width or 0) - len(head) - len(text), 0)
    if "-" in verb.flags:
        return head + text + " " * fill
    if "0" in verb.flags and verb.precision is None:
        return head + "0" * fill + text
    return " " * fill + head + text


def _format_float(number: Number, verb: _Verb) -> str:
    """%e %f %g as big.Float formats them: "#" has no effect, %g without a precision
    is the shortest form."""
    if verb.verb in "gG" and verb.precision is None:
        text = _go_shortest_g(number)
        text = text.upper() if verb.verb == "G" else text
    elif verb.verb == "f":  # exact decimal rounding, and no float overflow for big integers
        text = format(number_decimal(number), f".{6 if verb.precision is None else verb.precision}f")
    else:
        text = f"%.{6 if verb.precision is None else verb.precision}{verb.verb}" % float(number)
    text = _sign(text.startswith("-"), verb.flags) + text.lstrip("-")
    return _pad_float(text, verb)


def _go_shortest_g(number: Number) -> str:
    """A number as Go's `%v` prints a big float: shortest digits, with an exponent when
    it is below -4 or at least 6 (`1e+06`, `1.5`, `100000`)."""
    if isinstance(number, float) and math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    value = number_decimal(number)
    if value == 0:
        return "0"
    sign, digit_tuple, exponent = value.normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent) - 1
    prefix = "-" if sign else ""
    if point < -4 or point >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if point < 0 else '+'}{abs(point):02d}"
    return prefix + format_number(abs(from_decimal(value)))


def _formatlist(format: object, *args: object) -> object:
    length, first = None, 0
    for position, arg in enumerate(args):
        if not isinstance(arg, list):
            continue
        if length is None:
            length, first = len(arg), position
        elif len(arg) != length:
            raise param_error("args", f"argument {position + 1} has length {len(arg)}, which is "
                                       f"inconsistent with argument {first + 1} of length {length}")
    results = []
    for iteration in range(1 if length is None else length):
        row = [a[iteration] if isinstance(a, list) else a for a in args]
        try:
            results.append(_format(format, *row))
        except EvalError as err:
            raise EvalError(f"error on format iteration {iteration}: {err}") from None
    return results


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "format": _format, "formatlist": _formatlist,
}
