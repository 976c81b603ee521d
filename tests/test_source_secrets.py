"""Finding a Python source's credentials where the user put them, without running their code."""

from __future__ import annotations

import functools
import types
from typing import Any

import httpx
import pytest

from sse_widget.source_secrets import secrets_held_by, secrets_in_env, secrets_of_request

KEY = "sk-test-0123456789abcdef"


class Client:
    def __init__(self, **attributes: Any) -> None:
        vars(self).update(attributes)

    def create(self) -> str:
        return "a stream"


class Resource:
    """Like an SDK's ``client.chat.completions``: holds its client privately."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, **kwargs: Any) -> str:
        return "a stream"


def test_a_lambda_closing_over_a_client_gives_its_key() -> None:
    client = Client(api_key=KEY)
    assert secrets_held_by(lambda: client.create()) == {KEY}


def test_a_lambda_typed_in_a_notebook_cell_finds_the_global_client() -> None:
    namespace: dict[str, Any] = {"client": Client(auth_token=KEY)}
    exec("make = lambda: client.create()", namespace)  # noqa: S102 - a fixed statement, as a cell would define it
    assert secrets_held_by(namespace["make"]) == {KEY}


def test_a_function_calling_a_function_that_holds_the_client() -> None:
    client = Client(api_key=KEY)

    def open_stream() -> str:
        return client.create()

    assert secrets_held_by(lambda: open_stream()) == {KEY}


def test_a_partial_of_an_sdk_resources_method_reaches_the_client_behind_it() -> None:
    resource = Resource(Client(api_key=KEY))
    assert secrets_held_by(functools.partial(resource.create, model="m")) == {KEY}


def test_header_mappings_and_module_level_keys() -> None:
    client = Client(default_headers={"Authorization": f"Bearer {KEY}", "X-Title": "notebook"})
    assert secrets_held_by(lambda: client.create()) == {f"Bearer {KEY}", KEY}
    sdk = types.ModuleType("dashscope_like")
    sdk.api_key = KEY  # type: ignore[attr-defined]
    assert secrets_held_by(lambda: sdk.api_key.upper()) == {KEY}


def test_short_values_and_ordinary_attributes_are_not_taken_for_keys() -> None:
    client = Client(api_key="demo", model="gpt-4o-mini-long-name", max_tokens="1000000000", base_url="http://127.0.0.1:8000/v1")
    assert secrets_held_by(lambda: client.create()) == set()


def test_looking_runs_no_property_and_no_user_code() -> None:
    called: list[str] = []

    class Lazy:
        @property
        def api_key(self) -> str:
            called.append("api_key")
            return KEY

        def __getattr__(self, name: str) -> Any:
            called.append(name)
            raise AttributeError(name)

    lazy = Lazy()
    assert secrets_held_by(lambda: lazy.create()) == set()
    assert called == []


def test_cycles_and_big_namespaces_are_bounded() -> None:
    a = Client(api_key=KEY)
    a.client = a  # type: ignore[attr-defined]
    assert secrets_held_by(lambda: a.create()) == {KEY}
    many = {f"client_{i}": Client(api_key=f"sk-key-number-{i:04d}") for i in range(1000)}
    namespace: dict[str, Any] = dict(many)
    exec("make = lambda: [" + ", ".join(many) + "]", namespace)  # noqa: S102 - a fixed statement
    found = secrets_held_by(namespace["make"])
    assert 0 < len(found) < 200, "the search stops after a bounded number of objects"


def test_credentials_in_an_sdk_errors_request_and_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    request = httpx.Request("POST", "http://127.0.0.1:1/v1?api_key=" + KEY, headers={"x-api-key": "sk-other-abcdefgh"})
    error = types.SimpleNamespace(response=httpx.Response(401, request=request))
    assert {KEY, "sk-other-abcdefgh"} <= secrets_of_request(error)
    assert secrets_of_request(types.SimpleNamespace(response=httpx.Response(401))) == set()
    monkeypatch.setenv("MY_SERVICE_API_KEY", KEY)
    monkeypatch.setenv("MY_SERVICE_MODEL", "not-a-secret-at-all")
    assert KEY in secrets_in_env() and "not-a-secret-at-all" not in secrets_in_env()
