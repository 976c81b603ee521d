"""Errors raised at the caller before anything runs: a missing key, a missing extra.

They are a mistake in the setup, not in the code, so IPython shows them as one
line (``_render_traceback_``) instead of a traceback through this package.
"""

from __future__ import annotations

__all__ = ["MagicArgumentsError", "MissingExtraError", "MissingKeyError", "OneLineError"]


class OneLineError(Exception):
    """An exception IPython prints as ``Name: message``, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class MissingKeyError(OneLineError, ValueError):
    """No API key for a provider that needs one."""


class MagicArgumentsError(OneLineError, ValueError):
    """A cell magic's line that cannot work (an unknown option, no model)."""


class MissingExtraError(OneLineError, ImportError):
    """A feature whose optional dependencies are not installed; the message says what to install."""

    @classmethod
    def for_extra(cls, feature: str, extra: str, missing: str) -> MissingExtraError:
        """``feature`` needs ``pip install "sse-widget[extra]"``; ``missing`` is the module not found."""
        return cls(f'{feature} needs {missing}, which is not installed: pip install "sse-widget[{extra}]"')
