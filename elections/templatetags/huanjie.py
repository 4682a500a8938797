"""Display formatting (STYLE.md habit 14): templates hold no logic."""

from __future__ import annotations

import datetime as dt

from django import template

from elections import audit
from elections.personal import mask_id_number, mask_phone

register = template.Library()

_WEEKDAYS = "一二三四五六日"


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value) if value else ""


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value) if value else ""


@register.filter
def cn_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_date_weekday(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{cn_date(value)}（周{_WEEKDAYS[value.weekday()]}）"


@register.filter
def days_left_label(days: int | None) -> str:
    if days is None:
        return "—"
    if days == 0:
        return "今天"
    if days == 1:
        return "明天"
    return f"还有 {days} 天"


@register.filter
def action_label(action: str) -> str:
    return audit.action_label(action)


@register.filter
def audit_data(data: dict[str, object]) -> list[tuple[str, str]]:
    return audit.describe_data(data)
