"""Which request values count as secrets (headers, params, the URL string), and how they are masked."""

from __future__ import annotations

from typing import Any

import pytest

from sse_widget.redact import MASK, is_secret_name, redact, redact_url, secrets_in, secrets_in_url


def test_credential_headers_and_params_are_secrets_with_the_bare_token() -> None:
    found = secrets_in(
        {"Authorization": "Bearer sk-abcdef", "x-api-key": "anthropic-key", "Accept": "text/event-stream"},
        {"access_token": "tok-12345", "model": "gpt"},
    )
    assert set(found) == {"Bearer sk-abcdef", "sk-abcdef", "anthropic-key", "tok-12345"}
    assert [len(s) for s in found] == sorted((len(s) for s in found), reverse=True)


def test_short_values_are_not_masked() -> None:
    assert secrets_in({"api-key": "abc"}) == []


def test_redact_masks_the_longest_secret_first() -> None:
    secrets = secrets_in({"Authorization": "Bearer sk-abcdef"})
    assert redact("sent Bearer sk-abcdef, then sk-abcdef", secrets) == f"sent {MASK}, then {MASK}"


def test_params_count_in_every_form_httpx_takes() -> None:
    for params in ({"key": "AIza-mapping"}, [("key", "AIza-mapping")], "key=AIza-mapping&alt=sse", {"key": ["AIza-mapping"]}):
        assert "AIza-mapping" in secrets_in(None, params), params


def test_the_url_string_is_searched_too() -> None:
    found = secrets_in({"Accept": "text/event-stream"}, None, "https://h.example/v1?alt=sse&key=AIza-in-the-url")
    assert found == ["AIza-in-the-url"]


@pytest.mark.parametrize(
    "name",
    ["key", "api_key", "apikey", "API-Key", "access_token", "token", "sig", "signature", "password",
     "secret", "client_secret", "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Credential", "auth",
     "sessionid", "pwd", "subscription-key", "code_sig"],
)
def test_credential_names_are_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["model", "stream", "q", "design", "max_tokens", "num_tokens", "user", "format", "alt"])
def test_ordinary_names_are_not(name: str) -> None:
    assert not is_secret_name(name)


def test_query_secrets_are_found_in_every_written_form() -> None:
    url = "https://generativelanguage.example/v1/models/x:stream?alt=sse&key=AIza%2Fsy+Q&model=m"
    secrets = secrets_in_url(url)
    assert "AIza%2Fsy+Q" in secrets  # as written
    assert "AIza/sy Q" in secrets  # decoded, as a server echoing it would write it
    assert "AIza%2Fsy%20Q" in secrets
    assert not any(s in ("sse", "m") for s in secrets)
    assert secrets == sorted(secrets, key=len, reverse=True)


def test_userinfo_is_secret_whole_and_in_parts() -> None:
    secrets = secrets_in_url("https://alice:p%40ss-word@host.example:8443/v1")
    assert {"alice:p%40ss-word", "p%40ss-word", "p@ss-word", "alice"} <= set(secrets)
    assert secrets_in_url("https://ghp_tokenvalue@host.example/") == ["ghp_tokenvalue"]


def test_fragment_tokens_count_too() -> None:
    assert "tok123" in secrets_in_url("https://app.example/cb#access_token=tok123&state=abc")


def test_short_values_are_not_listed_but_are_masked() -> None:
    url = "https://h.example/?sig=abc&token=&q=1"
    assert secrets_in_url(url) == []
    assert redact_url(url) == f"https://h.example/?sig={MASK}&token=&q=1"


def test_redact_url_masks_only_the_secrets() -> None:
    url = "https://user:pw@h.example:8443/a/b?alt=sse&api_key=sk-123456&X-Amz-Signature=deadbeef#frag"
    assert redact_url(url) == f"https://{MASK}@h.example:8443/a/b?alt=sse&api_key={MASK}&X-Amz-Signature={MASK}#frag"
    for secret in secrets_in_url(url):
        assert secret not in redact_url(url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/v1/chat/completions", "http://h.example/?q=a@b", "relative/path?x=1", "", "http://[::1/?x"],
)
def test_urls_without_secrets_stay_as_they_are(url: str) -> None:
    assert secrets_in_url(url) == []
    assert redact_url(url) == url


def test_malformed_urls_never_raise() -> None:
    for url in ["http://[::1", "://@", "?key", "#", "http://a@b@c/?key=abcd"]:
        assert isinstance(redact_url(url), str)
        assert isinstance(secrets_in_url(url), list)
    assert "ab@cd" in secrets_in_url("http://ab@cd@host/")


def test_an_endpoint_repr_masks_a_key_in_its_base_url() -> None:
    from sse_widget.chat import Endpoint

    endpoint = Endpoint("https://user:hunter2secret@llm.example/v1?key=sk-url-secret-1234", api_key="sk-header-5678")
    shown = repr(endpoint)
    assert "llm.example" in shown
    for secret in ("hunter2secret", "sk-url-secret-1234", "sk-header-5678"):
        assert secret not in shown


def test_an_observer_failure_is_logged_without_the_requests_secrets(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    import logging
    import socket

    from sse_widget.run import Run
    from sse_widget.transport import StreamRequest

    secret = "sk-log-secret-9999"

    class Failing:
        def __getattr__(self, name: str) -> Any:
            def fail(*args: Any) -> None:
                raise RuntimeError(f"{name} saw Bearer {secret}")

            return fail

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = StreamRequest(f"http://127.0.0.1:{port}/x", headers={"Authorization": f"Bearer {secret}"})

    async def main() -> None:
        run = Run(request, 1, Failing())
        run.start()
        await asyncio.wait_for(run.wait(), 10)

    with caplog.at_level(logging.WARNING, logger="sse_widget"):
        asyncio.run(main())
    assert "the observer failed" in caplog.text and "RuntimeError" in caplog.text
    assert secret not in caplog.text


def test_a_short_secret_is_masked_where_it_stands_alone_not_inside_words() -> None:
    secrets = secrets_in(None, url="http://127.0.0.1:9/x?key=stall")
    assert redact("key=stall: the stream stalled", secrets) == f"key={MASK}: the stream stalled"


def test_a_long_secret_is_masked_even_inside_other_text() -> None:
    secret = "sk-abcdefghijklmnop"
    assert redact(f"prefix{secret}suffix and '{secret}'", [secret]) == f"prefix{MASK}suffix and '{MASK}'"
