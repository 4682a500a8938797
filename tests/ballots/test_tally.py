"""The double-entry state machine of a tally sheet: two different users, blind entries,
the chair's resolutions (keep one, send one back), confirmation with explanations, two
chairs confirming at once; every step audited."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from ballots import services
from ballots.models import SheetStatus, TallyEntry, TallySheet
from ballots.services import BallotsError
from elections.models import AuditEvent
from tests.ballots.helpers import Day, day, enter_twice, numbers, sheets
from tests.conftest import Cast, make_cast


@pytest.fixture
def d(cast: Cast) -> Day:
    return day(cast)


def _director(d: Day) -> Any:
    return services.open_formal_round(d.election, "director", actor=d.chair)


def test_a_round_has_one_sheet_per_polling_place_and_its_candidates(d: Day) -> None:
    r = _director(d)
    assert [s.place.name for s in sheets(r)] == ["中心会场", "流动票箱一"]
    assert [c.name for c in r.candidates.all()] == ["赵主任", "钱主任"]
    assert r.seats == 1 and r.number == 1
    assert AuditEvent.objects.filter(action="ballots.round.opened").count() == 1
    with pytest.raises(BallotsError, match="已经开始过"):
        _director(d)


def test_the_same_user_cannot_enter_a_sheet_twice(d: Day) -> None:
    r = _director(d)
    sheet = sheets(r)[0]
    nums = numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15)
    services.enter(sheet, nums, actor=d.member)
    with pytest.raises(BallotsError, match="另一位工作人员"):
        services.enter(sheet, nums, actor=d.member)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.ENTERING
    assert TallyEntry.objects.filter(sheet=sheet).count() == 1


def test_matching_entries_make_the_sheet_ready_to_confirm(d: Day) -> None:
    r = _director(d)
    sheet = sheets(r)[0]
    nums = numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15)
    enter_twice(d, sheet, nums)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.MATCHED and sheet.chosen is not None
    with pytest.raises(BallotsError, match="已经录入两次"):
        services.enter(sheet, nums, actor=d.chair)
    services.confirm(sheet, explanations={}, actor=d.chair, version=sheet.version)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.CONFIRMED and sheet.confirmed_by == d.chair
    actions = list(
        AuditEvent.objects.filter(action__startswith="ballots.").values_list("action", flat=True)
    )
    assert actions.count("ballots.entry.saved") == 2
    assert "ballots.sheet.confirmed" in actions


def _different(d: Day) -> tuple[Any, TallySheet, dict[str, Any], dict[str, Any]]:
    r = _director(d)
    sheet = sheets(r)[0]
    one = numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15)
    two = numbers(r, {"赵主任": 10, "钱主任": 5}, signed_in=15)
    services.enter(sheet, one, actor=d.member)
    services.enter(sheet, two, actor=d.member2)
    sheet.refresh_from_db()
    return r, sheet, one, two


def test_different_entries_go_to_the_chair_and_cannot_be_confirmed(d: Day) -> None:
    _r, sheet, _one, _two = _different(d)
    assert sheet.status == SheetStatus.DIFFERENT and sheet.chosen is None
    with pytest.raises(BallotsError, match="一致后才能确认"):
        services.confirm(sheet, explanations={}, actor=d.chair)


def test_the_chair_keeps_one_entry_and_the_other_stays_on_record(d: Day) -> None:
    _r, sheet, _one, two = _different(d)
    services.keep_entry(sheet, 2, actor=d.chair, version=sheet.version)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.MATCHED
    assert sheet.chosen is not None and sheet.chosen.numbers == two
    gone = TallyEntry.objects.get(sheet=sheet, discarded=True)
    assert gone.slot == 1 and gone.discarded_by == d.chair and "保留第2次" in gone.discarded_reason
    services.confirm(sheet, explanations={}, actor=d.chair)
    sheet.refresh_from_db()
    assert sheet.chosen is not None and sheet.chosen.numbers["votes"] == two["votes"]
    assert AuditEvent.objects.filter(action="ballots.entry.kept").count() == 1


def test_sent_back_entry_is_retyped_by_someone_else(d: Day) -> None:
    _r, sheet, one, _two = _different(d)
    services.send_back(sheet, 2, reason="钱主任的票数看错", actor=d.chair, version=sheet.version)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.ENTERING
    # member (entry 1) cannot retype it; member2 (whose entry went back) can.
    with pytest.raises(BallotsError):
        services.enter(sheet, one, actor=d.member)
    services.enter(sheet, one, actor=d.member2)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.MATCHED
    assert TallyEntry.objects.filter(sheet=sheet).count() == 3
    back = TallyEntry.objects.get(sheet=sheet, discarded=True)
    assert back.discarded_reason == "钱主任的票数看错"
    assert AuditEvent.objects.filter(action="ballots.entry.sent_back").count() == 1


def test_sending_back_entry_one_moves_entry_two_up(d: Day) -> None:
    _r, sheet, _one, two = _different(d)
    services.send_back(sheet, 1, reason="", actor=d.chair)
    kept = TallyEntry.objects.get(sheet=sheet, discarded=False)
    assert kept.slot == 1 and kept.numbers == two
    services.enter(sheet, two, actor=d.chair)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.MATCHED


def test_a_stale_page_is_refused(d: Day) -> None:
    _r, sheet, _one, _two = _different(d)
    stale = sheet.version
    services.keep_entry(sheet, 1, actor=d.chair, version=stale)
    with pytest.raises(BallotsError, match="刚被别人处理过"):
        services.send_back(sheet, 1, reason="", actor=d.chair, version=stale)


def test_errors_block_confirmation(d: Day) -> None:
    r = _director(d)
    sheet = sheets(r)[0]
    nums = numbers(r, {"赵主任": 10, "钱主任": 10}, signed_in=15)  # E05
    enter_twice(d, sheet, nums)
    with pytest.raises(BallotsError, match="E05"):
        services.confirm(sheet, explanations={"E05": "就是这样"}, actor=d.chair)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.MATCHED


def test_warnings_need_a_written_explanation(d: Day) -> None:
    r = _director(d)
    sheet = sheets(r)[0]
    nums = numbers(r, {"赵主任": 10, "钱主任": 3}, signed_in=15, issued=15, returned=14)  # W02
    enter_twice(d, sheet, nums)
    with pytest.raises(BallotsError) as exc:
        services.confirm(sheet, explanations={"W02": "  "}, actor=d.chair)
    assert exc.value.errors == {"explain-W02": "请写明原因"}
    services.confirm(sheet, explanations={"W02": "一位选民领票后离开"}, actor=d.chair)
    sheet.refresh_from_db()
    assert sheet.explanations == {"W02": "一位选民领票后离开"}


def test_entries_are_blind_to_each_other(d: Day, client: Any) -> None:
    r = _director(d)
    sheet = sheets(r)[0]
    services.enter(sheet, numbers(r, {"赵主任": 987, "钱主任": 654}, signed_in=999), actor=d.member)
    client.force_login(d.member2)
    page = client.get(f"/c/XH01/ballots/sheets/{sheet.pk}/enter/").content.decode()
    assert "第2次录入" in page
    assert "987" not in page and "654" not in page and "999" not in page
    page = client.get(f"/c/XH01/ballots/rounds/{r.pk}/").content.decode()
    assert "987" not in page and "654" not in page


@pytest.mark.django_db(transaction=True)
def test_two_chairs_confirming_one_sheet_at_once_one_wins() -> None:
    cast = make_cast()
    d = day(cast)
    officer = cast.users["officer"]
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    enter_twice(d, sheet, numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15))
    sheet.refresh_from_db()
    version = sheet.version
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(user: Any) -> None:
        try:
            barrier.wait()
            services.confirm(
                TallySheet.objects.get(pk=sheet.pk), explanations={}, actor=user, version=version
            )
            outcomes.append("ok")
        except BallotsError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (d.chair, officer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok", "这张计票单已经确认过了"])
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.CONFIRMED and sheet.version == version + 1
    assert AuditEvent.objects.filter(action="ballots.sheet.confirmed").count() == 1
    assert TallyEntry.objects.filter(sheet=sheet, discarded=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_users_typing_the_second_entry_at_once_one_is_told() -> None:
    cast = make_cast()
    d = day(cast)
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    nums = numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15)
    services.enter(sheet, nums, actor=d.member)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(user: Any) -> None:
        try:
            barrier.wait()
            services.enter(TallySheet.objects.get(pk=sheet.pk), nums, actor=user)
            outcomes.append("ok")
        except BallotsError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (d.member2, d.chair)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok", "这张计票单已经录入两次了"])
    assert TallyEntry.objects.filter(sheet=sheet).count() == 2
