"""Rest days from the State Council's calendar (chinesecalendar), kept beside local ones."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from elections import services
from elections.calendar import rest_days_between
from elections.models import AuditEvent, RestDay

STATE = RestDay.SOURCE_STATE_COUNCIL


def test_sync_stores_weekday_holidays_and_makeup_working_days(db: None) -> None:
    result = services.sync_rest_days(2026)
    assert result.has_data and result.created == RestDay.objects.count() > 0
    national = RestDay.objects.get(date=dt.date(2026, 10, 1))
    assert (national.name, national.is_working_day, national.source) == ("国庆节", False, STATE)
    assert RestDay.objects.get(date=dt.date(2026, 2, 16)).name == "春节"
    makeup = RestDay.objects.get(date=dt.date(2026, 2, 14))  # a Saturday worked
    assert makeup.is_working_day and makeup.name == "春节调休上班"
    # Weekend holidays are not stored (Saturdays and Sundays rest anyway).
    assert not RestDay.objects.filter(is_working_day=False, date__week_day__in=[1, 7]).exists()
    assert not RestDay.objects.filter(
        is_working_day=True, date__week_day__in=[2, 3, 4, 5, 6]
    ).exists()
    assert AuditEvent.objects.filter(action="elections.rest_days.synced").count() == 1


def test_makeup_working_days_cancel_the_weekend_and_holidays_add_to_it(db: None) -> None:
    services.sync_rest_days(2026)
    days = rest_days_between(dt.date(2026, 2, 9), dt.date(2026, 2, 23))
    assert dt.date(2026, 2, 14) not in days  # Saturday, worked
    assert dt.date(2026, 2, 15) in days  # Sunday
    assert dt.date(2026, 2, 16) in days and dt.date(2026, 2, 23) in days  # weekday holidays
    assert dt.date(2026, 2, 13) not in days


def test_sync_is_idempotent(db: None) -> None:
    services.sync_rest_days(2026)
    rows = list(RestDay.objects.values_list("date", "name", "is_working_day", "source"))
    again = services.sync_rest_days(2026)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert list(RestDay.objects.values_list("date", "name", "is_working_day", "source")) == rows
    assert AuditEvent.objects.filter(action="elections.rest_days.synced").count() == 1


def test_local_rows_are_never_overwritten_nor_removed(db: None) -> None:
    RestDay.objects.create(date=dt.date(2026, 10, 1), name="本街道加班", is_working_day=True)
    RestDay.objects.create(date=dt.date(2026, 3, 3), name="本地休假", source=RestDay.SOURCE_LOCAL)
    result = services.sync_rest_days(2026)
    assert result.kept_local == 1
    kept = RestDay.objects.get(date=dt.date(2026, 10, 1))
    assert (kept.name, kept.is_working_day, kept.source) == ("本街道加班", True, "local")
    assert RestDay.objects.filter(date=dt.date(2026, 3, 3), source="local").exists()


def test_state_council_rows_no_longer_listed_are_removed(db: None) -> None:
    RestDay.objects.create(date=dt.date(2026, 3, 3), name="旧数据", source=STATE)
    assert services.sync_rest_days(2026).deleted == 1
    assert not RestDay.objects.filter(date=dt.date(2026, 3, 3)).exists()


def test_a_year_without_data_is_reported_and_changes_nothing(db: None) -> None:
    result = services.sync_rest_days(2027)
    assert not result.has_data
    assert not RestDay.objects.exists()
    assert not AuditEvent.objects.exists()


def test_command_reports_each_year(db: None) -> None:
    out = StringIO()
    call_command("sync_rest_days", "--year", "2026", "--year", "2027", stdout=out)
    text = out.getvalue()
    assert "2026年：新增" in text
    assert "2027年：暂无国务院节假日安排数据" in text
    assert RestDay.objects.filter(date__year=2026).exists()
