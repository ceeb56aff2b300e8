"""Terraform's built-in functions in pure Python, with Terraform 1.11's semantics.

`FUNCTIONS` maps a function name to a callable taking already-evaluated positional
arguments (the representation is described in `values`). A Terraform error (wrong type,
wrong argument count, out of range) raises `EvalError`. When an argument holds an unknown
anywhere the result is that unknown, except for the functions in `_UNKNOWN_AWARE`, which
know more (`length([unknown])` is 1). Functions whose result Terraform only knows at apply
time (`uuid`, `timestamp`) return an `Unknown` with the reason.

This module owns the table and the calling convention (argument counts, unknowns); each
theme's implementations live in their own module and are listed here explicitly:
`conversion`, `collections`, `numbers`, `strings`, `regex`, `formatting`, `encodings`
(JSON, CSV, base64, URL, YAML), `hashes`, `networks` and `paths`, with the argument checks
they share in `arguments`.

Not here: the file functions (`file`, `templatefile`, `fileexists`, `fileset`) and `try`
and `can`, whose arguments the evaluator evaluates lazily.

Known approximations: string lengths count grapheme clusters approximately (a base
character with its combining marks, ZWJ sequences, flag pairs); numbers are Python
int/float, not 512-bit floats (see `values.number_decimal`); regular expressions are RE2
translated to Python's `re` (unsupported syntax yields an unknown, not a wrong answer).
"""

from __future__ import annotations

import inspect
from typing import Callable, Mapping

from linter.model import contains_unknown
from linter.terraform.functions import (
    collections,
    conversion,
    encodings,
    formatting,
    hashes,
    networks,
    numbers,
    paths,
    regex,
    strings,
)
from linter.terraform.values import EvalError

Implementations = Mapping[str, Callable[..., object]]


def _merge(*tables: Implementations) -> dict[str, Callable[..., object]]:
    """The union of the per-theme tables; a name defined twice is a programming error."""
    merged: dict[str, Callable[..., object]] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise ValueError(f"built-in functions defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


_IMPLEMENTATIONS = _merge(
    conversion.IMPLEMENTATIONS,
    collections.IMPLEMENTATIONS,
    numbers.IMPLEMENTATIONS,
    strings.IMPLEMENTATIONS,
    regex.IMPLEMENTATIONS,
    formatting.IMPLEMENTATIONS,
    encodings.IMPLEMENTATIONS,
    hashes.IMPLEMENTATIONS,
    networks.IMPLEMENTATIONS,
    paths.IMPLEMENTATIONS,
)

# Functions that handle unknown arguments themselves, because the result can still be
# (partly) known: `length([unknown])` is 1, `concat([unknown], [1])` has two elements.
_UNKNOWN_AWARE = frozenset({
    "alltrue", "anytrue", "coalesce", "coalescelist", "concat", "contains", "element", "keys", "length",
    "lookup", "merge", "nonsensitive", "reverse", "sensitive", "slice", "tolist", "tomap",
    "toset", "values", "zipmap",
})

# Arities of the implementations whose signature does not tell (they ignore their arguments).
_ARITIES = {"uuid": (0, 0), "timestamp": (0, 0), "plantimestamp": (0, 0), "bcrypt": (1, 2)}


def _arity(name: str, impl: Callable[..., object]) -> tuple[int, int | None]:
    if name in _ARITIES:
        return _ARITIES[name]
    params = list(inspect.signature(impl).parameters.values())
    required = sum(1 for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty)
    variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
    return required, None if variadic else len(params)


def _terraform_function(name: str, impl: Callable[..., object]) -> Callable[..., object]:
    """Wraps an implementation with Terraform's argument-count check and the default
    unknown handling (any unknown argument makes the result that unknown)."""
    required, maximum = _arity(name, impl)
    unknown_aware = name in _UNKNOWN_AWARE

    def call(*args: object) -> object:
        if len(args) < required:
            raise EvalError(f'Not enough function arguments: function "{name}" expects at least '
                            f"{required} argument(s).")
        if maximum is not None and len(args) > maximum:
            raise EvalError(f'Too many function arguments: function "{name}" expects only '
                            f"{maximum} argument(s).")
        if not unknown_aware:
            unknown = contains_unknown(list(args))
            if unknown is not None:
                return unknown
        return impl(*args)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = impl.__doc__
    return call


FUNCTIONS: dict[str, Callable[..., object]] = {
    name: _terraform_function(name, impl) for name, impl in sorted(_IMPLEMENTATIONS.items())
}
