"""Which request values count as secrets, and how they are masked."""

from __future__ import annotations

from sse_widget.redact import MASK, redact, secrets_in


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
