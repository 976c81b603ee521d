"""Where a Python stream source keeps its credentials, so its errors can be masked.

A run that reads a URL knows its secrets: they are in the headers, params and
URL it was given. A run that reads an SDK stream does not, and the SDK's error
may not say either: an SDK that signs each request in its transport leaves the
``Authorization`` header out of the request its exception holds. So the
secrets are looked for where the user put them:

- the objects a stream-making callable refers to (``lambda:
  client.chat.completions.create(...)`` refers to ``client``; a
  ``functools.partial`` of ``client.chat.completions.create`` to the resource,
  which points back to its client), and the
  credential-named strings and header mappings those objects hold
  (``client.api_key``, ``default_headers``, a module's ``dashscope.api_key``);
- the HTTP request an SDK stream or error carries;
- environment variables named like credentials (``OPENAI_API_KEY``, ``HF_TOKEN``).

Attributes are read with :func:`inspect.getattr_static`, so looking runs no
property and no user code.
"""

from __future__ import annotations

import functools
import inspect
import os
import types
from collections.abc import Iterator, Mapping
from typing import Any

from .redact import is_secret_name, secrets_in

__all__ = ["secrets_held_by", "secrets_in_env", "secrets_of_request"]

#: An environment variable holds a credential when a word of its name is one of these.
_ENV_HINTS = frozenset({"KEY", "TOKEN", "SECRET", "PASSWORD"})
#: Shorter values are not taken for credentials (``api_key="demo"`` must not mask the word demo).
_SHORTEST = 8
#: How many steps from the callable the search goes (a partial -> its bound method -> the SDK resource -> its client).
_DEPTH = 4
#: At most this many objects are looked at, whatever the user's namespace holds.
_MOST_OBJECTS = 200


def secrets_in_env() -> set[str]:
    """Values of environment variables whose names say they hold a credential."""
    return {value for name, value in os.environ.items() if _ENV_HINTS & set(name.upper().split("_")) and len(value) >= _SHORTEST}


def secrets_of_request(holder: object) -> set[str]:
    """The credentials in the HTTP request an SDK stream or error (or its ``response``) holds."""
    found: set[str] = set()
    for owner in (holder, _static(holder, "response")):
        request = _request_of(owner)
        if request is not None:
            found.update(secrets_in(request.headers, None, str(request.url)))
    return found


def secrets_held_by(target: object) -> set[str]:
    """Credentials held by ``target`` or by the objects it refers to (see the module's docstring)."""
    found: set[str] = set()
    for obj in _reachable(target):
        found.update(_credentials_of(obj))
    return {value for value in found if len(value) >= _SHORTEST}


def _reachable(target: object) -> Iterator[object]:
    seen: set[int] = set()
    level = [target]
    for _ in range(_DEPTH):
        following: list[object] = []
        for obj in level:
            if id(obj) in seen or len(seen) >= _MOST_OBJECTS:
                continue
            seen.add(id(obj))
            yield obj
            following.extend(_referred_to(obj))
        level = following


def _referred_to(obj: object) -> list[object]:
    """What a callable uses: a function's free and global names, a method's object, a partial's parts."""
    if isinstance(obj, (types.FunctionType, types.LambdaType)):
        try:
            names = inspect.getclosurevars(obj)
        except (TypeError, ValueError):  # a cell not yet filled
            return []
        return [*names.nonlocals.values(), *names.globals.values()]
    if isinstance(obj, types.MethodType):
        return [obj.__func__, obj.__self__]
    if isinstance(obj, functools.partial):
        return [obj.func, *obj.args, *obj.keywords.values()]
    # An SDK resource (client.chat.completions) points back to its client.
    try:
        attributes = vars(obj)
    except TypeError:
        return []
    return [value for name, value in attributes.items() if isinstance(name, str) and "client" in name.lower()]


def _credentials_of(obj: object) -> set[str]:
    """Credential-named strings and header mappings among ``obj``'s own attributes."""
    try:
        attributes = vars(obj)
    except TypeError:  # no __dict__
        return set()
    found: set[str] = set()
    for name, value in list(attributes.items()):
        if not isinstance(name, str):
            continue
        if isinstance(value, str) and is_secret_name(name):
            found.add(value)
        elif isinstance(value, Mapping) and "header" in name.lower():
            found.update(secrets_in({str(k): str(v) for k, v in value.items() if isinstance(v, str)}))
    return found


def _static(obj: object, name: str) -> Any:
    try:
        return inspect.getattr_static(obj, name, None)
    except Exception:  # noqa: BLE001 - an exotic object's lookup failing means nothing is there
        return None


def _request_of(holder: object) -> Any:
    """The HTTP request an SDK object or error holds (httpx's, or a fork's of the same shape), if any."""
    try:
        request = getattr(holder, "request", None)
    except RuntimeError:  # httpx raises when a response or error has no request
        return None
    return request if hasattr(request, "headers") and hasattr(request, "url") else None
