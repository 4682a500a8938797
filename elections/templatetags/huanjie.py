"""Display formatting (STYLE.md habit 14): templates hold no logic."""

from __future__ import annotations

import datetime as dt

from django import template

from elections import audit, formatting
from elections.idnumbers import mask_id_number, mask_phone

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
    return formatting.cn_date(value)


@register.filter
def cn_date_weekday(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{cn_date(value)}（周{_WEEKDAYS[value.weekday()]}）"


@register.filter
def cn_datetime(value: dt.datetime | None) -> str:
    """A moment in local time: 2026年12月11日 09:30:05."""
    from django.utils import timezone

    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M:%S}"


# A next milestone this close (or closer) is shown in red on the dashboard.
MILESTONE_URGENT_DAYS = 3


@register.filter
def milestone_days_class(days: int | None) -> str:
    """The dashboard's style for the days to a community's next milestone."""
    if days is not None and days <= MILESTONE_URGENT_DAYS:
        return "text-danger fw-semibold"
    return "text-muted"


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


# -- objections (申诉, RULES.md R13) ------------------------------------------------------


@register.filter
def cn_month_day(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.month}月{value.day}日"


@register.filter
def deadline_badge(days_left: int | None) -> str:
    """A pending objection's decision deadline as a badge: red from the day before."""
    from django.utils.html import format_html

    if days_left is None:
        return ""
    if days_left < 0:
        return format_html('<span class="badge bg-danger">已超期 {} 天</span>', -days_left)
    if days_left <= 1:
        label = "今天截止" if days_left == 0 else "明天截止"
        return format_html('<span class="badge bg-danger">{}</span>', label)
    css = "bg-warning text-dark" if days_left == 2 else "bg-light text-dark border"
    return format_html('<span class="badge {}">还剩 {} 天</span>', css, days_left)


_OBJECTION_STATUS_BADGES = {
    "pending": ("待处理", "bg-warning text-dark"),
    "accepted": ("申诉成立", "bg-success"),
    "rejected": ("申诉不成立（不予支持）", "bg-secondary"),
}


@register.filter
def objection_status_badge(status: str) -> str:
    """An objection's status (ObjectionStatus) as a badge."""
    from django.utils.html import format_html

    label, css = _OBJECTION_STATUS_BADGES.get(status, (status, "bg-light text-dark"))
    return format_html('<span class="badge {}">{}</span>', css, label)


# The objection window is shown in red from this many days before its last day.
WINDOW_URGENT_DAYS = 1


@register.filter
def window_closed(days: int | None) -> bool:
    """Whether the objection window's last day has passed."""
    return days is not None and days < 0


@register.filter
def window_urgent(days: int | None) -> bool:
    """Whether the objection window is open and about to close (shown in red)."""
    return days is not None and 0 <= days <= WINDOW_URGENT_DAYS


@register.filter
def window_days_left(days: int | None) -> str:
    """The objection window's remaining days (the last day itself counts)."""
    if days is None or days < 0:
        return "申诉期已结束"
    if days == 0:
        return "今天是最后一天"
    return f"还剩{days}天"


# -- the voter roll (elections.registration.views.voters) ------------------------------------------

_ELIGIBILITY_SHORT = {
    "eligible": "有选举权",
    "under_18": "选举日未满18岁",
    "deprived": "被剥夺政治权利",
    "pending": "待会议同意",
    "removed": "已移除",
}
_ELIGIBILITY_BADGE = {
    "eligible": "text-bg-success",
    "under_18": "text-bg-warning",
    "deprived": "text-bg-dark",
    "pending": "text-bg-warning",
    "removed": "text-bg-secondary",
}


@register.filter
def eligibility_short(code: str) -> str:
    """A voter's standing on election day in a word or two (views_voters.Eligibility.code)."""
    return _ELIGIBILITY_SHORT.get(code, code)


@register.filter
def eligibility_badge(code: str) -> str:
    return _ELIGIBILITY_BADGE.get(code, "text-bg-light")


@register.filter
def adult_cutoff(election_day: dt.date | None) -> dt.date | None:
    """The latest birth date that is 18 on this election day (G5, inclusive)."""
    from electionlaw import latest_eligible_birth_date

    return latest_eligible_birth_date(election_day) if election_day else None


def _voter_value_labels() -> dict[str, str]:
    from elections.registration.models import ApprovalBody, VoterCategory, VoterSource, VoterStatus

    labels: dict[str, str] = {}
    for choices in (VoterCategory, VoterStatus, VoterSource, ApprovalBody):
        labels.update({str(code): str(label) for code, label in choices.choices})
    return labels


def _voter_field_label(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    from elections.registration.models import Voter

    try:
        field = Voter._meta.get_field(name)
    except FieldDoesNotExist:
        return audit.DATA_LABELS.get(name, name)
    return str(getattr(field, "verbose_name", name))


def _voter_value(field: str, value: object, labels: dict[str, str]) -> str:
    if value in ("", None):
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    if field in ("phone", "联系电话"):
        # Stored masked since the audit log masks [old, new] pairs; older rows were not.
        return text if "*" in text else mask_phone(text)
    return labels.get(text, text)


@register.filter
def voter_audit_data(data: dict[str, object]) -> list[tuple[str, str]]:
    """A voter's audit row for people: codes by their Chinese names, changes as "old → new",
    phone numbers masked."""
    labels = _voter_value_labels()
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        if key == "changes" and isinstance(value, dict):
            parts = [
                f"{_voter_field_label(field)}：{_voter_value(field, pair[0], labels)} → "
                f"{_voter_value(field, pair[1], labels)}"
                for field, pair in value.items()
                if isinstance(pair, list | tuple) and len(pair) == 2
            ]
            rows.append((audit.DATA_LABELS.get(key, key), "；".join(parts)))
            continue
        for label, text in audit.describe_data({key: value}):
            rows.append((label, mask_phone(text) if key == "phone" else labels.get(text, text)))
    return rows
