"""The IP network functions `cidrhost`, `cidrnetmask`, `cidrsubnet` and
`cidrsubnets`, on addresses held as integers, IPv4 and IPv6 alike."""

from __future__ import annotations

import ipaddress
from typing import Callable

from linter.terraform.functions.arguments import int_arg, param_error, string_arg
from linter.terraform.values import EvalError


def _parse_cidr(text: str) -> tuple[int, int, int]:
    """(network address, prefix length, address bits) of a CIDR; like Terraform, IPv4
    octets may have leading zeros (read as decimal) and host bits are cleared."""
    failure = EvalError(f"invalid CIDR expression: invalid CIDR address: {text}")
    address, _, length = text.partition("/")
    if not (length.isascii() and length.isdigit()):
        raise failure
    if ":" in address:
        try:
            value, bits = int(ipaddress.IPv6Address(address)), 128
        except ValueError:
            raise failure from None
    else:
        octets = address.split(".")
        valid = all(o.isascii() and o.isdigit() and len(o) <= 3 and int(o) < 256 for o in octets)
        if len(octets) != 4 or not valid:
            raise failure
        value, bits = int.from_bytes(bytes(int(o) for o in octets), "big"), 32
    prefix = int(length)
    if prefix > bits:
        raise failure
    return value & ~((1 << (bits - prefix)) - 1), prefix, bits


def _address(value: int, bits: int) -> str:
    if bits == 32:
        return str(ipaddress.IPv4Address(value % 2**32))
    return ipaddress.IPv6Address(value % 2**128).compressed


def _cidrsubnet(prefix: object, newbits: object, netnum: object) -> object:
    network, length, bits = _parse_cidr(string_arg(prefix, "prefix"))
    extra, number = int_arg(newbits, "newbits"), int_arg(netnum, "netnum")
    if length + extra > bits or extra < 0:
        raise EvalError(f"insufficient address space to extend prefix of {length} by {extra}")
    if not 0 <= number < 2**extra:
        raise EvalError(f"prefix extension of {extra} does not accommodate a subnet numbered {number}")
    new_length = length + extra
    return f"{_address(network | number << (bits - new_length), bits)}/{new_length}"


def _cidrhost(prefix: object, hostnum: object) -> object:
    network, length, bits = _parse_cidr(string_arg(prefix, "prefix"))
    host, size = int_arg(hostnum, "hostnum"), 2 ** (bits - length)
    if host < 0:
        host += size  # counts back from the end of the range
    if not 0 <= host < size:
        raise EvalError(f"prefix of {length} does not accommodate a host numbered {host}")
    return _address(network + host, bits)


def _cidrnetmask(prefix: object) -> object:
    text = string_arg(prefix, "prefix")
    _, length, bits = _parse_cidr(text)
    if bits == 128:
        raise EvalError(f"IPv6 addresses cannot have a netmask: {text}")
    return _address(((1 << length) - 1) << (32 - length), 32)


def _cidrsubnets(prefix: object, *newbits: object) -> object:
    network, start, bits = _parse_cidr(string_arg(prefix, "prefix"))
    current, current_length = _mask(network - 1, start, bits), start  # the subnet just before
    subnets = []
    for position, extra in enumerate(newbits):
        added = int_arg(extra, "newbits")
        if added < 1:
            raise param_error("newbits", "must extend prefix by at least one bit")
        if added > 32:
            raise param_error("newbits", "may not extend prefix by more than 32 bits")
        length = start + added
        if length > bits:
            raise param_error("newbits", f"would extend prefix to {length} bits, which is too long "
                                          f"for an IPv{4 if bits == 32 else 6} address")
        last = _mask(current | _host_mask(current_length, bits), length, bits) | _host_mask(length, bits)
        following = (last + 1) % 2**bits
        if following == 0 or _mask(following, start, bits) != network:
            after = f"{_address(current, bits)}/{current_length}"
            raise param_error("newbits", f"not enough remaining address space for a subnet with a "
                                          f"prefix of {length} bits after {after}")
        current, current_length = following, length
        subnets.append(f"{_address(current, bits)}/{length}")
    return subnets


def _host_mask(length: int, bits: int) -> int:
    return (1 << (bits - length)) - 1


def _mask(value: int, length: int, bits: int) -> int:
    return value % 2**bits & ~_host_mask(length, bits)


IMPLEMENTATIONS: dict[str, Callable[..., object]] = {
    "cidrhost": _cidrhost, "cidrnetmask": _cidrnetmask, "cidrsubnet": _cidrsubnet,
    "cidrsubnets": _cidrsubnets,
}
