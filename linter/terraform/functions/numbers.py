"""The numeric functions (`abs`, `ceil`, `log`, `parseint`, `sum`, ...). Results are
our numbers (see `linter.terraform.values`): sums go through `Decimal` so that
`sum([0.1, 0.2])` is 0.3 as in Terraform, while `pow` and `log` compute in float64 as
Terraform does."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Callable

from linter.terraform.functions.arguments import int_arg, not_null, number_arg, param_error, string_arg
from linter.terraform.values import EvalError, from_decimal, normalize_number, number_decimal, quote

# Digit values for `parseint` (and `%x` in `format`): Go's order, lower case first.
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _abs(num: object) -> object:
    return abs(number_arg(num))


def _ceil(num: object) -> object:
    value = number_arg(num)
    return value if isinstance(value, int) or value.is_integer() or math.isinf(value) else math.ceil(value)


def _floor(num: object) -> object:
    value = number_arg(num)
    return value if isinstance(value, int) or value.is_integer() or math.isinf(value) else math.floor(value)


def _signum(num: object) -> object:
    value = int_arg(num, "num")  # Terraform insists on a whole number here
    return (value > 0) - (value < 0)


def _pow(num: object, power: object) -> object:
    base, exponent = float(number_arg(num)), float(number_arg(power, "power"))
    try:
        result = math.pow(base, exponent)  # Terraform computes pow in float64 too
    except OverflowError:
        result = math.inf
    except ValueError:
        raise EvalError("the result of pow() is not a number") from None
    return normalize_number(result)


def _go_log(value: float) -> float:
    if value == 0:
        return -math.inf
    return math.nan if value < 0 else math.log(value)


def _log(num: object, base: object) -> object:
    top, bottom = _go_log(float(number_arg(num))), _go_log(float(number_arg(base, "base")))
    result = top / bottom if bottom else (math.copysign(math.inf, top) if top else math.nan)
    if math.isnan(result):
        raise EvalError("the result of log() is not a number")
    return normalize_number(result)


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parseint(number: object, base: object) -> object:
    text, radix = string_arg(number, "number"), int_arg(base, "base")
    if not 2 <= radix <= 62:
        raise param_error("base", "base must be a whole number between 2 and 62 inclusive")
    digits = text[1:] if text[:1] in "+-" else text
    folded = digits.lower() if radix <= 36 else digits
    if not digits or any(DIGITS.find(c) not in range(radix) for c in folded):
        raise param_error("number", f"cannot parse {quote(text)} as a base {radix} integer")
    value = 0
    for char in folded:
        value = value * radix + DIGITS.index(char)
    return -value if text.startswith("-") else value


def _min(*numbers: object) -> object:
    if not numbers:
        raise EvalError("must pass at least one number")
    return min(number_arg(n, "numbers") for n in numbers)


def _max(*numbers: object) -> object:
    if not numbers:
        raise EvalError("must pass at least one number")
    return max(number_arg(n, "numbers") for n in numbers)


def _sum(items: object) -> object:
    not_null(items, "list")
    if not isinstance(items, list):
        raise param_error("list", "cannot sum noniterable")
    if not items:
        raise param_error("list", "cannot sum an empty list")
    total = Decimal(0)
    for item in items:
        if item is None or isinstance(item, (bool, list, dict)):
            raise param_error("list", "argument must be list, set, or tuple of number values")
        total += number_decimal(number_arg(item, "list"))
    return from_decimal(total)


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "abs": _abs, "ceil": _ceil, "floor": _floor, "log": _log, "max": _max, "min": _min,
    "parseint": _parseint, "pow": _pow, "signum": _signum, "sum": _sum,
}
