"""The street officer opens a cycle for a second street through the pages (no Django
admin), then postpones 营盘社区 (XH03)'s election day and sees its schedule move."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth import get_user_model

from elections import services
from elections.models import (
    CommunityElection,
    District,
    ElectionCycle,
    Milestone,
    Role,
    Street,
)
from tests.e2e.conftest import CHROMIUM, login, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Page

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def second_street() -> Street:
    """青竹湖街道 beside the demo's 新河街道, also in the officer's care."""
    district = District.objects.get(code="430105")
    street = Street.objects.create(district=district, code="QH", name="青竹湖街道")
    admin = get_user_model().objects.get(username="admin")
    officer = get_user_model().objects.get(username="officer")
    services.assign_role(officer, Role.STREET_OFFICER, street, actor=admin)
    return street


def test_officer_creates_a_cycle_and_postpones_an_election_day(
    page: Page, demo: str, screenshots: Path
) -> None:
    street = second_street()
    login(page, "officer")

    # A community for the new street, then its cycle.
    page.click("a:has-text('添加社区')")
    page.select_option("#id_street", label="青竹湖街道")
    page.fill("#id_name", "青竹社区")
    page.fill("#id_code", "QH01")
    page.uncheck("#id_join_cycle")
    page.click("button:has-text('添加社区')")
    assert "已添加“青竹社区”（QH01）" in page.content()

    # Relative to the demo's own election day (seed_demo puts it 10 days ahead).
    election_day = ElectionCycle.objects.get(street__code="XH").election_day + dt.timedelta(days=50)
    page.click("a:has-text('创建换届')")
    page.select_option("#id_street", label="青竹湖街道")
    page.fill("#id_term", "1")
    page.fill("#id_name", "青竹湖街道第一届社区换届")
    page.select_option("#id_rule_profile", index=1)
    page.fill("#id_election_day", election_day.isoformat())
    shoot(page, screenshots, "officer-cycle-new")
    page.click("button:has-text('创建换届并生成日程')")
    assert page.url == demo + "/dashboard/"
    assert "1 个社区的日程已按选举日生成" in page.content()
    cycle = ElectionCycle.objects.get(street=street)
    assert CommunityElection.objects.filter(cycle=cycle, community__code="QH01").exists()
    shoot(page, screenshots, "officer-cycle-created")

    # Postpone XH03's election day by a week.
    xh03 = CommunityElection.objects.get(community__code="XH03")
    new_day = xh03.election_day + dt.timedelta(days=7)
    old_list_day = Milestone.objects.get(election=xh03, kind="voter_list_published").date
    page.goto("/c/XH03/")
    page.click("a:has-text('更改选举日')")
    page.fill("#id_election_day", new_day.isoformat())
    page.fill("#id_reason", "经街道换届领导小组批准，因寒潮推迟一周")
    shoot(page, screenshots, "officer-election-day")
    page.click("button:has-text('更改选举日并重新推算日程')")
    assert page.url == demo + "/c/XH03/schedule/"
    body = page.content()
    assert f"选举日已改为{cn(new_day)}" in body
    list_day = Milestone.objects.get(election=xh03, kind="voter_list_published").date
    assert list_day == old_list_day + dt.timedelta(days=7)
    assert cn(list_day) in page.locator("section", has_text="居委会换届").inner_text()
    shoot(page, screenshots, "officer-schedule-moved")
