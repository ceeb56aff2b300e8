"""The hash and identifier functions (`md5`, `sha256`, `base64sha512`, `uuidv5`), and
those Terraform knows only at apply or plan time (`uuid`, `timestamp`, `plantimestamp`,
`bcrypt`), whose result is an `Unknown` with the reason."""

from __future__ import annotations

import base64
import hashlib
import uuid as uuidlib
from typing import Callable

from linter.model import Unknown
from linter.terraform.functions.arguments import string_arg
from linter.terraform.values import EvalError


def _digest(name: str) -> Callable[[object], object]:
    def hexdigest(s: object) -> object:
        return hashlib.new(name, string_arg(s).encode()).hexdigest()
    return hexdigest


def _base64digest(name: str) -> Callable[[object], object]:
    def b64digest(s: object) -> object:
        return base64.b64encode(hashlib.new(name, string_arg(s).encode()).digest()).decode()
    return b64digest


def _after_apply(reason: str) -> Callable[..., object]:
    def unknown(*_args: object) -> object:
        return Unknown(reason)
    return unknown


_UUID_NAMESPACES = {"dns": uuidlib.NAMESPACE_DNS, "url": uuidlib.NAMESPACE_URL,
                    "oid": uuidlib.NAMESPACE_OID, "x500": uuidlib.NAMESPACE_X500}


def _uuidv5(namespace: object, name: object) -> object:
    space, text = string_arg(namespace, "namespace"), string_arg(name, "name")
    try:
        parsed = _UUID_NAMESPACES.get(space) or uuidlib.UUID(space)
    except ValueError:
        raise EvalError(f"uuidv5() doesn't support namespace {space} (invalid UUID)") from None
    return str(uuidlib.uuid5(parsed, text))


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "md5": _digest("md5"), "sha1": _digest("sha1"), "sha256": _digest("sha256"),
    "sha512": _digest("sha512"), "base64sha256": _base64digest("sha256"),
    "base64sha512": _base64digest("sha512"), "uuidv5": _uuidv5,
    "uuid": _after_apply("uuid() is only known after apply"),
    "timestamp": _after_apply("timestamp() is only known after apply"),
    "plantimestamp": _after_apply("plantimestamp() is only known when planning"),
    "bcrypt": _after_apply("bcrypt() uses a random salt, so is only known after apply"),
}
