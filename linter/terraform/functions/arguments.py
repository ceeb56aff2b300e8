"""Argument checks shared by the built-in functions: each takes an evaluated argument
and the parameter's name, and returns it as the Python type the function works with or
raises `EvalError` worded as Terraform words it (`Invalid value for "str" parameter: ...`).
"""

from __future__ import annotations

from linter.terraform.values import ANY, EvalError, Number, convert, normalize_number, parse_number, to_string

_WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"


def param_error(param: str, message: str) -> EvalError:
    return EvalError(f'Invalid value for "{param}" parameter: {message}')


def not_null(value: object, param: str) -> object:
    if value is None:
        raise param_error(param, "argument must not be null")
    return value


def string_arg(value: object, param: str = "str") -> str:
    if isinstance(not_null(value, param), (list, dict)):
        raise param_error(param, "string required")
    return to_string(value)  # type: ignore[return-value]


def number_arg(value: object, param: str = "num") -> Number:
    if isinstance(not_null(value, param), (bool, list, dict)):
        raise param_error(param, "number required")
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed is None:
            raise param_error(param, "a number is required")
        return parsed
    return normalize_number(value)  # type: ignore[arg-type]


def int_arg(value: object, param: str) -> int:
    number = number_arg(value, param)
    if isinstance(number, float) and not number.is_integer():
        raise EvalError(_WHOLE)
    if not -(2**63) <= number < 2**63:
        raise EvalError(_WHOLE)
    return int(number)


def list_arg(value: object, param: str, message: str) -> list[object]:
    if not isinstance(not_null(value, param), list):
        raise param_error(param, message)
    return value  # type: ignore[return-value]


def single_type_list(value: object, param: str) -> list[object]:
    """A `list(any)` parameter: a tuple converts to a list of one unified type."""
    items = list_arg(value, param, "list of any single type required")
    try:
        return convert(items, ("list", ANY))  # type: ignore[return-value]
    except EvalError as err:
        raise param_error(param, str(err)) from None


def string_elements(value: object, param: str, null_message: str) -> list[str]:
    items = list_arg(value, param, "list of string required")
    strings = []
    for index, item in enumerate(items):
        if item is None:
            raise param_error(param, null_message.format(index=index))
        if isinstance(item, (list, dict)):
            raise param_error(param, f"element {index}: string required")
        strings.append(to_string(item))
    return strings  # type: ignore[return-value]



def map_arg(value: object, param: str, message: str) -> dict[str, object]:
    if not isinstance(not_null(value, param), dict):
        raise param_error(param, message)
    return value  # type: ignore[return-value]
