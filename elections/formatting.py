"""Display formatting shared by templates and messages (STYLE.md: dates as 2026年12月11日)."""

from __future__ import annotations

import datetime as dt


def cn_date(day: dt.date | None) -> str:
    """``2026年12月11日`` (no leading zeros); ``""`` for no date."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"
