"""Keeping secrets out of what a user sees: which request values are secret, and masking them.

A value is secret when the header or query parameter that carries it is named
like a credential (``Authorization``, ``x-api-key``, ``access_token``...). Error
messages and their details pass through :func:`redact` before they reach a trait.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MASK", "redact", "secrets_in"]

#: What a secret is replaced with.
MASK = "***"

_SECRET_HINTS = ("auth", "key", "token", "secret", "password", "cookie")
_TOKEN_SCHEMES = ("bearer", "basic", "token")
_SHORTEST_SECRET = 4


def _looks_secret(name: object) -> bool:
    lowered = str(name).lower()
    return any(hint in lowered for hint in _SECRET_HINTS)


def secrets_in(headers: Mapping[str, str] | None, params: Any = None) -> list[str]:
    """The secret values among ``headers`` and ``params``, longest first.

    For an ``Authorization``-style value such as ``Bearer sk-...`` the token on
    its own is a secret too. Values shorter than four characters are left out:
    masking them would garble ordinary text.
    """
    found: list[str] = []
    for name, value in (headers or {}).items():
        if _looks_secret(name) and value:
            found.append(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in _TOKEN_SCHEMES:
                found.append(token)
    pairs = params.items() if isinstance(params, Mapping) else ()
    for name, value in pairs:
        if _looks_secret(name) and value:
            found.append(str(value))
    return sorted({s for s in found if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by :data:`MASK`."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text
