"""Display filters: the labels, badges and day thresholds the templates no longer hold."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template

from elections.templatetags import huanjie


@pytest.mark.parametrize(
    ("status", "label", "css"),
    [
        ("pending", "待处理", "bg-warning text-dark"),
        ("accepted", "申诉成立", "bg-success"),
        ("rejected", "申诉不成立（不予支持）", "bg-secondary"),
    ],
)
def test_objection_status_badge_names_each_status(status: str, label: str, css: str) -> None:
    assert huanjie.objection_status_badge(status) == f'<span class="badge {css}">{label}</span>'


def test_objection_status_badge_is_escaped_html_in_templates() -> None:
    html = Template("{% load huanjie %}{{ s|objection_status_badge }}").render(
        Context({"s": "accepted"})
    )
    assert html == '<span class="badge bg-success">申诉成立</span>'


@pytest.mark.parametrize(
    ("days", "css"),
    [
        (-1, "text-danger fw-semibold"),
        (0, "text-danger fw-semibold"),
        (3, "text-danger fw-semibold"),
        (4, "text-muted"),
        (None, "text-muted"),
    ],
)
def test_dashboard_next_milestone_is_red_from_three_days(days: int | None, css: str) -> None:
    assert huanjie.milestone_days_class(days) == css


@pytest.mark.parametrize(
    ("days", "urgent", "closed"),
    [
        (None, False, False),
        (-1, False, True),
        (0, True, False),
        (1, True, False),
        (2, False, False),
    ],
)
def test_objection_window_thresholds(days: int | None, urgent: bool, closed: bool) -> None:
    assert huanjie.window_urgent(days) is urgent
    assert huanjie.window_closed(days) is closed


def test_cn_datetime_shows_local_time_in_chinese_date_form() -> None:
    moment = dt.datetime(2026, 12, 10, 16, 30, 5, tzinfo=zoneinfo.ZoneInfo("UTC"))
    # Asia/Shanghai (settings.TIME_ZONE) is UTC+8: the next day, 00:30.
    assert huanjie.cn_datetime(moment) == "2026年12月11日 00:30:05"
    assert huanjie.cn_datetime(None) == ""
