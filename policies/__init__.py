"""Every policy iaclint knows, listed once, explicitly (no discovery by import side effect)."""

from __future__ import annotations

from policies import kms001_multi_region_key
from policies.base import Policy

POLICIES: tuple[Policy, ...] = (kms001_multi_region_key.POLICY,)


def by_code(code: str) -> Policy | None:
    code = code.upper()
    for policy in POLICIES:
        if policy.meta.code == code or policy.meta.slug == code.lower():
            return policy
    return None
