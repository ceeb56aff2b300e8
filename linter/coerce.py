"""How each deploying engine reads a boolean argument from an evaluated value.

Terraform converts only the strings "true", "false", "1" and "0" (checked with terraform
1.11: `tobool("1")` is true, `tobool("True")` is an error); CloudFormation accepts booleans
and the strings "true"/"false" in any case. Policies call `as_bool` so they never need to
know which format a resource came from.
"""

from __future__ import annotations

from linter.model import SourceFormat, Unknown

_TERRAFORM_STRINGS = {"true": True, "false": False, "1": True, "0": False}
_CFN_FORMATS = (SourceFormat.CLOUDFORMATION, SourceFormat.CDK)


class NotABool(ValueError):
    """The value is known but the engine would reject it as a boolean."""


def as_bool(value: object, source_format: SourceFormat) -> bool | None | Unknown:
    """True/False, None when unset (null), the Unknown itself, or raise NotABool."""
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str):
        if source_format in _CFN_FORMATS:
            folded = value.strip().lower()
            if folded in ("true", "false"):
                return folded == "true"
        elif value in _TERRAFORM_STRINGS:
            return _TERRAFORM_STRINGS[value]
        raise NotABool(f"{value!r} is not a boolean")
    raise NotABool(f"{type(value).__name__} {value!r} is not a boolean")
