"""The string functions (case, trimming, `split`/`join`, `substr`, `indent`, ...), and
`graphemes`, how Terraform counts characters, which `length` and `format` use too.
Case mapping and white space follow Go's rules, not Python's."""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from linter.terraform.functions.arguments import int_arg, string_arg, string_elements
from linter.terraform.values import EvalError


def graphemes(text: str) -> list[str]:
    """Grapheme clusters, approximately: a character with its combining marks and
    variation selectors, ZWJ sequences, regional-indicator pairs, CR LF. Terraform
    normalises strings to NFC, so we do too."""
    clusters: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if clusters and _extends(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _extends(cluster: str, char: str) -> bool:
    code = ord(char)
    if cluster == "\r" and char == "\n":
        return True
    if unicodedata.category(char) in ("Mn", "Me", "Mc") or char == "\u200d" or cluster[-1] == "\u200d":
        return True
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    regional = 0x1F1E6 <= code <= 0x1F1FF
    return regional and len(cluster) == 1 and 0x1F1E6 <= ord(cluster) <= 0x1F1FF


def _simple_case(char: str, mapped: str) -> str:
    """Go maps case rune by rune: a character whose mapping is longer stays as it is."""
    return mapped if len(mapped) == 1 else char


def _upper(s: object) -> object:
    return "".join(_simple_case(c, c.upper()) for c in string_arg(s))


def _lower(s: object) -> object:
    # Python's full mapping of U+0130 adds a combining dot; Go's simple mapping does not.
    return "".join(_simple_case(c, "i" if c == "\u0130" else c.lower()) for c in string_arg(s))


def _is_word_separator(char: str) -> bool:
    """Go's strings.Title: which characters start a new word after them."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    category = unicodedata.category(char)
    if category.startswith("L") or category == "Nd":
        return False
    return char.isspace()


def _title(s: object) -> object:
    out, previous = [], " "
    for char in string_arg(s):
        out.append(_simple_case(char, char.title()) if _is_word_separator(previous) else char)
        previous = char
    return "".join(out)


# Go's unicode.IsSpace, which Python's str.isspace exceeds (it also strips \x1c-\x1f).
_GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
             "\u200a\u2028\u2029\u202f\u205f\u3000")


def _trimspace(s: object) -> object:
    return string_arg(s).strip(_GO_SPACE)


def _trim(s: object, cutset: object) -> object:
    return string_arg(s).strip(string_arg(cutset, "cutset"))


def _trimprefix(s: object, prefix: object) -> object:
    return string_arg(s).removeprefix(string_arg(prefix, "prefix"))


def _trimsuffix(s: object, suffix: object) -> object:
    return string_arg(s).removesuffix(string_arg(suffix, "suffix"))


def _startswith(s: object, prefix: object) -> object:
    return string_arg(s).startswith(string_arg(prefix, "prefix"))


def _endswith(s: object, suffix: object) -> object:
    return string_arg(s).endswith(string_arg(suffix, "suffix"))


def _strcontains(s: object, substr: object) -> object:
    return string_arg(substr, "substr") in string_arg(s)


def _chomp(s: object) -> object:
    return re.sub(r"(?:\r\n|\r|\n)+\Z", "", string_arg(s))


def _indent(spaces: object, s: object) -> object:
    count, text = int_arg(spaces, "spaces"), string_arg(s)
    if count < 0:
        raise EvalError("strings: negative Repeat count")
    return text.replace("\n", "\n" + " " * count)


def _join(separator: object, *lists: object) -> object:
    sep = string_arg(separator, "separator")
    if not lists:
        raise EvalError("at least one list is required")
    parts: list[str] = []
    for given in lists:
        null_message = "element {index} is null; cannot concatenate null values"
        for text in string_elements(given, "lists", null_message):
            parts.append(text)
    return sep.join(parts)


def _split(separator: object, s: object) -> object:
    sep, text = string_arg(separator, "separator"), string_arg(s)
    return list(text) if sep == "" else text.split(sep)


def _strrev(s: object) -> object:
    return "".join(reversed(graphemes(string_arg(s))))


def _substr(s: object, offset: object, length: object) -> object:
    clusters = graphemes(string_arg(s))
    start, count = int_arg(offset, "offset"), int_arg(length, "length")
    if start < 0:
        # Terraform quirk: from a negative offset, a zero length takes the rest.
        start, count = max(start + len(clusters), 0), count or -1
    if start >= len(clusters) or count == 0:
        return ""
    return "".join(clusters[start:] if count < 0 else clusters[start:start + count])


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "chomp": _chomp, "endswith": _endswith, "indent": _indent, "join": _join, "lower": _lower,
    "split": _split, "startswith": _startswith, "strcontains": _strcontains, "strrev": _strrev,
    "substr": _substr, "title": _title, "trim": _trim, "trimprefix": _trimprefix,
    "trimspace": _trimspace, "trimsuffix": _trimsuffix, "upper": _upper,
}
