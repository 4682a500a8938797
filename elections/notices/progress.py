"""A long notice's render progress (issue 10 item 7: long renders show progress).

Publication renders inside the transaction that holds the election's lock, so its
progress cannot be a database row others could read; it lives in the cache (Redis when
configured, config/settings) for an hour at most: "sheets done of sheets" as the
chunks come back, (0, 0) while the notice is being built and laid out."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.core.cache import cache
from django.utils import timezone

TIMEOUT = 60 * 60
logger = logging.getLogger(__name__)


def _key(election_id: int, kind: str) -> str:
    return f"notice-progress:{election_id}:{kind}"


def report(election_id: int, kind: str, done: int, total: int) -> None:
    try:
        cache.set(
            _key(election_id, kind),
            {"done": done, "total": total, "at": timezone.now().isoformat()},
            TIMEOUT,
        )
    except Exception:  # progress is a courtesy: never fail a publication over it
        logger.warning("render progress not stored", exc_info=True)


def clear(election_id: int, kind: str) -> None:
    with contextlib.suppress(Exception):
        cache.delete(_key(election_id, kind))


def of(election_id: int, kinds: list[str]) -> dict[str, dict[str, Any]]:
    """The kinds of `election` being rendered now, with their progress."""
    try:
        found = cache.get_many([_key(election_id, k) for k in kinds])
    except Exception:
        return {}
    return {key.rsplit(":", 1)[1]: value for key, value in found.items()}
