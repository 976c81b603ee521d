"""Keeping secrets out of what a user sees: which request values are secret, and masking them.

A value is secret when the header or query parameter that carries it is named
like a credential (``Authorization``, ``x-api-key``, ``access_token``, ``sig``...),
wherever the parameter is: in ``params=`` or in the URL string itself
(``...?key=...``, as Google's APIs take it). So is the userinfo of a URL
(``https://user:pass@host``). Error messages, their details, the event
inspector's rows and recordings pass through :func:`redact`; a URL shown in a
repr or a message goes through :func:`redact_url`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

__all__ = ["MASK", "is_secret_name", "redact", "redact_url", "secrets_in", "secrets_in_url"]

#: What a secret is replaced with.
MASK = "***"

#: A header or parameter whose name contains one of these holds a secret.
_SECRET_HINTS = ("auth", "key", "token", "secret", "password", "passwd", "cookie", "credential", "session")
#: Names that are secret only as a whole word (``sig`` is also in ``design``).
_SECRET_WORDS = frozenset({"sig", "signature", "pwd", "pass", "jwt", "sas"})
_TOKEN_SCHEMES = ("bearer", "basic", "token")
_SHORTEST_SECRET = 4
#: Secrets at least this long are masked even inside other text.
_ANYWHERE_LENGTH = 12


def is_secret_name(name: object) -> bool:
    """Whether a header or parameter called ``name`` holds a credential."""
    lowered = str(name).strip().lower()
    if lowered.endswith("tokens"):  # max_tokens, num_tokens: counts, not credentials
        return False
    if any(hint in lowered for hint in _SECRET_HINTS):
        return True
    return any(word in _SECRET_WORDS for word in lowered.replace("-", "_").split("_"))


def _longest_first(found: Iterable[str]) -> list[str]:
    # Values shorter than four characters are left out: masking them would garble ordinary text.
    return sorted({s for s in found if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)


def _param_pairs(params: Any) -> list[tuple[object, object]]:
    """``params=`` as httpx takes it (a mapping, pairs, or a query string) as (name, value) pairs."""
    if isinstance(params, Mapping):
        pairs = list(params.items())
    elif isinstance(params, (str, bytes)):
        text = params.decode("latin-1") if isinstance(params, bytes) else params
        return [(unquote_plus(n), v) for n, v in _query_pairs(text)]
    elif isinstance(params, Iterable):
        pairs = [p for p in params if isinstance(p, tuple) and len(p) == 2]
    else:
        return []
    # A mapping value may be a list of values for one name.
    return [(n, v) for n, vs in pairs for v in (vs if isinstance(vs, (list, tuple)) else [vs])]


def secrets_in(headers: Mapping[str, str] | None, params: Any = None, url: object = None) -> list[str]:
    """The secret values among ``headers``, ``params`` and the ``url`` string, longest first.

    For an ``Authorization``-style value such as ``Bearer sk-...`` the token on
    its own is a secret too. For the URL, see :func:`secrets_in_url`.
    """
    found: list[str] = []
    for name, value in (headers or {}).items():
        if is_secret_name(name) and value:
            found.append(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in _TOKEN_SCHEMES:
                found.append(token)
    for name, value in _param_pairs(params):
        if is_secret_name(name) and value not in (None, ""):
            found.extend(_written_forms(str(value), plus=True))
    if url is not None:
        found.extend(secrets_in_url(url))
    return _longest_first(found)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by :data:`MASK`.

    A secret of :data:`_ANYWHERE_LENGTH` characters or more (every real API key)
    is masked wherever it stands; a shorter one (a short password, a test key)
    only where it stands alone, so that ``key=stall`` leaves "stalled" readable.
    """
    for secret in secrets:
        if len(secret) >= _ANYWHERE_LENGTH:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return text


# -- secrets inside a URL string --------------------------------------------------


def _written_forms(value: str, *, plus: bool) -> set[str]:
    """The ways a value may show up: as written, decoded, and encoded again."""
    decoded = unquote_plus(value) if plus else unquote(value)
    return {value, decoded, quote(decoded, safe=""), quote(decoded, safe="/:")}


def _query_pairs(part: str) -> list[tuple[str, str]]:
    return [(name, value) for name, sep, value in (item.partition("=") for item in part.split("&")) if sep]


def _split_url(url: str) -> tuple[str, str | None, str | None, str]:
    """``url`` as (what comes before the query, query, fragment, userinfo); None for an absent part."""
    rest, hash_, fragment = url.partition("#")
    head, mark, query = rest.partition("?")
    _, slashes, after = head.partition("//")
    netloc = after.split("/", 1)[0] if slashes else ""
    userinfo = netloc.rpartition("@")[0]
    return head, query if mark else None, fragment if hash_ else None, userinfo


def secrets_in_url(url: object) -> list[str]:
    """The secret values written in ``url``, in their written and decoded forms, longest first.

    The userinfo (``user:pass@``) is secret whole, and so are its password and
    its user name on their own (a token is often passed as the user name).
    Query and fragment parameters count when :func:`is_secret_name` says so.
    Never raises: the URL is read as a string, however malformed.
    """
    _, query, fragment, userinfo = _split_url(str(url))
    found: set[str] = set()
    if userinfo:
        found.add(userinfo)
        for piece in userinfo.split(":", 1):
            if piece:
                found |= _written_forms(piece, plus=False)
    for name, value in _query_pairs(query or "") + _query_pairs(fragment or ""):
        if value and is_secret_name(unquote_plus(name)):
            found |= _written_forms(value, plus=True)
    return _longest_first(found)


def _mask_query(part: str) -> str:
    items = []
    for item in part.split("&"):
        name, sep, value = item.partition("=")
        items.append(f"{name}={MASK}" if sep and value and is_secret_name(unquote_plus(name)) else item)
    return "&".join(items)


def redact_url(url: object) -> str:
    """``url`` with its userinfo and the values of its secret-named parameters masked.

    Everything else is kept as written, so the URL still says where it goes.
    """
    head, query, fragment, userinfo = _split_url(str(url))
    if userinfo:
        head = head.replace(f"//{userinfo}@", f"//{MASK}@", 1)
    if query is not None:
        head += "?" + _mask_query(query)
    if fragment is not None:
        head += "#" + _mask_query(fragment)
    return head
