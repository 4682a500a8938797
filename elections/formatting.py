"""Display formatting shared by templates and messages (STYLE.md: dates as 2026年12月11日)."""

from __future__ import annotations

import datetime as dt


def cn_date(day: dt.date | None) -> str:
    """``2026年12月11日`` (no leading zeros); ``""`` for no date."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """A count in Chinese numerals as a 届 or a 条 is written: 0-99 in full (``十一``,
    ``二十``, ``九十九``); 100 and more in digits, which no term of office reaches."""
    if not 0 <= n < 100:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
