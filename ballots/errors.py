"""The one error election-day services raise: a Chinese message for the page, and the
fields it belongs beside."""

from __future__ import annotations

from collections.abc import Mapping


class BallotsError(Exception):
    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})
