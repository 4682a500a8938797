"""Round results by electionlaw over the confirmed sheets: elected, a tie at the last
seat to a 再次投票 (only the tied, only the contested seats), a shortfall to a 另行选举
decided at one third (R31), turnout at exactly half (R24), a void round and its 重新选举
(R34); and a later round never changes an earlier one."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from ballots import services
from ballots.models import BallotRound, RoundKind, RoundStatus, TallySheet
from ballots.services import BallotsError
from candidates.models import Candidate, CandidateStatus, Track
from elections.models import AuditEvent
from tests.ballots.helpers import Day, count, day, enter_twice, numbers, sheets, zero
from tests.conftest import Cast

# 22 registered voters: 6 candidates + 16 more.


@pytest.fixture
def d(cast: Cast) -> Day:
    return day(cast)


def names(r: BallotRound, keys: list[str]) -> list[str]:
    return [r.result["labels"][k] for k in keys]


def members(d: Day, votes: dict[str, int], *, signed_in: int = 15, blank: int = 1) -> BallotRound:
    r = services.open_formal_round(d.election, "member", actor=d.chair)
    return count(d, r, [numbers(r, votes, signed_in=signed_in, blank=blank), zero(r)])


def test_more_than_half_is_elected_and_the_post_is_done(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    r = count(d, r, [numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15, blank=1), zero(r)])
    assert r.status == RoundStatus.CLOSED
    assert r.result["registered"] == 22 and r.result["participants"] == 15
    assert names(r, r.result["elected"]) == ["赵主任"]
    assert r.result["next"] == "done" and r.result["turnout_valid"] and r.result["round_valid"]
    event = AuditEvent.objects.get(action="ballots.round.closed")
    assert event.data["当选"] == ["赵主任"]


def test_exactly_half_of_the_participants_is_not_elected(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    # 16 took part: 8 is exactly half (G1) — not elected; the seat goes to 另行选举.
    r = count(d, r, [numbers(r, {"赵主任": 8, "钱主任": 8}, signed_in=16, blank=0), zero(r)])
    assert r.result["elected"] == [] and r.result["shortfall"] == 1
    assert r.result["next"] == "runoff"


def test_turnout_of_exactly_half_makes_the_round_void(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    r = count(d, r, [numbers(r, {"赵主任": 10, "钱主任": 1}, signed_in=11, blank=0), zero(r)])
    assert not r.result["turnout_valid"] and r.result["next"] == "rerun"
    assert r.result["elected"] == [] and "R24" in r.result["reasons"]


def test_a_tie_at_the_last_seat_goes_to_a_revote_of_the_tied_only(d: Day) -> None:
    r = members(d, {"孙委": 12, "李委": 12, "周委": 9, "吴委": 9})
    assert names(r, r.result["elected"]) == ["孙委", "李委"]
    assert sorted(names(r, r.result["tied"])) == ["吴委", "周委"]
    assert r.result["next"] == "revote" and r.result["contested"] == 1
    with pytest.raises(BallotsError, match="没有缺额"):
        services.open_runoff(r, actor=d.chair, held_on=r.held_on)
    revote = services.open_revote(r, actor=d.chair)
    assert revote.kind == RoundKind.REVOTE and revote.seats == 1 and revote.parent == r
    assert [c.name for c in revote.candidates.all()] == ["周委", "吴委"]
    assert [c.earlier_votes for c in revote.candidates.all()] == [9, 9]
    revote = count(d, revote, [numbers(revote, {"周委": 8, "吴委": 6}, signed_in=15), zero(revote)])
    assert names(revote, revote.result["elected"]) == ["周委"]
    assert len(revote.result["elected_all"]) == 3  # 孙委, 李委 from the formal round
    assert revote.result["next"] == "done"


def _shortfall(d: Day) -> BallotRound:
    r = members(d, {"孙委": 12, "李委": 9, "周委": 5, "吴委": 4})
    assert names(r, r.result["elected"]) == ["孙委", "李委"]
    assert r.result["shortfall"] == 1 and r.result["next"] == "runoff"
    return r


def test_a_shortfall_goes_to_a_runoff_ranked_by_first_round_votes(d: Day) -> None:
    r = _shortfall(d)
    with pytest.raises(BallotsError, match="得票相同"):
        services.open_revote(r, actor=d.chair)
    late = r.held_on + dt.timedelta(days=40)
    with pytest.raises(BallotsError, match="日内进行") as exc:
        services.open_runoff(r, actor=d.chair, held_on=late)
    assert exc.value.errors == {"held_on": "日期不在法定期限内"}
    runoff = services.open_runoff(r, actor=d.chair, held_on=r.held_on)
    assert runoff.kind == RoundKind.RUNOFF and runoff.seats == 1
    assert [(c.name, c.earlier_votes) for c in runoff.candidates.all()] == [
        ("周委", 5),
        ("吴委", 4),
    ]
    with pytest.raises(BallotsError, match="已经开始了下一轮"):
        services.open_runoff(r, actor=d.chair, held_on=r.held_on)


def test_the_runoff_elects_at_exactly_one_third(d: Day) -> None:
    r = _shortfall(d)
    runoff = services.open_runoff(r, actor=d.chair, held_on=r.held_on)
    # 15 ballots cast: 5 is exactly one third (R31 "不少于").
    runoff = count(
        d, runoff, [numbers(runoff, {"周委": 5, "吴委": 4}, signed_in=15, blank=6), zero(runoff)]
    )
    assert names(runoff, runoff.result["elected"]) == ["周委"]
    assert runoff.result["next"] == "done" and "R31" in runoff.result["reasons"]
    assert len(runoff.result["elected_all"]) == 3


def test_the_runoff_below_one_third_leaves_the_seat_vacant(d: Day) -> None:
    r = _shortfall(d)
    runoff = services.open_runoff(r, actor=d.chair, held_on=r.held_on)
    runoff = count(
        d, runoff, [numbers(runoff, {"周委": 4, "吴委": 3}, signed_in=15, blank=8), zero(runoff)]
    )
    assert runoff.result["elected"] == [] and runoff.result["shortfall"] == 1
    assert runoff.result["next"] == "done" and "R33" in runoff.result["reasons"]


def test_a_later_round_never_changes_an_earlier_one(d: Day) -> None:
    r = _shortfall(d)
    before = copy.deepcopy(r.result)
    first_sheets = {s.pk: (s.status, s.chosen_id, s.version) for s in sheets(r)}
    runoff = services.open_runoff(r, actor=d.chair, held_on=r.held_on)
    count(d, runoff, [numbers(runoff, {"周委": 6, "吴委": 4}, signed_in=15, blank=5), zero(runoff)])
    r.refresh_from_db()
    assert r.result == before and r.status == RoundStatus.CLOSED
    assert {s.pk: (s.status, s.chosen_id, s.version) for s in sheets(r)} == first_sheets
    old = TallySheet.objects.filter(round=r).first()
    assert old is not None
    with pytest.raises(BallotsError, match="本轮已经结束"):
        services.enter(old, {}, actor=d.member)
    with pytest.raises(BallotsError, match="本轮已经结束"):
        services.close_round(r, actor=d.chair)


def test_a_round_closes_only_when_every_sheet_is_confirmed(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    first, _second = sheets(r)
    enter_twice(d, first, numbers(r, {"赵主任": 10}, signed_in=15))
    services.confirm(first, explanations={}, actor=d.chair)
    with pytest.raises(BallotsError, match="还有计票单没有确认"):
        services.close_round(r, actor=d.chair)
    r.refresh_from_db()
    assert r.status == RoundStatus.OPEN


def test_a_void_round_is_rerun_with_its_seats_and_candidates(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    r = count(d, r, [numbers(r, {"赵主任": 10, "钱主任": 1}, signed_in=11, blank=0), zero(r)])
    with pytest.raises(BallotsError, match="至少一项"):
        services.declare_void(r, grounds=["nonsense"], note="x", actor=d.chair)
    with pytest.raises(BallotsError, match="写明"):
        services.declare_void(r, grounds=["turnout"], note=" ", actor=d.chair)
    with pytest.raises(BallotsError, match="只有宣布无效"):
        services.open_rerun(r, actor=d.chair, held_on=r.held_on)
    void = services.declare_void(
        r, grounds=["turnout", "procedure"], note="参加投票的选民只有一半", actor=d.chair
    )
    assert void.status == RoundStatus.VOID and void.void_grounds == ["turnout", "procedure"]
    event = AuditEvent.objects.get(action="ballots.round.voided")
    assert event.data["情形"] == ["参加投票的选民不足法定人数", "其他违反法定程序的情形"]
    with pytest.raises(BallotsError, match="早于"):
        services.open_rerun(void, actor=d.chair, held_on=r.held_on - dt.timedelta(days=1))
    rerun = services.open_rerun(void, actor=d.chair, held_on=r.held_on + dt.timedelta(days=7))
    assert rerun.kind == RoundKind.RERUN and rerun.seats == 1 and rerun.number == 2
    assert [c.name for c in rerun.candidates.all()] == ["赵主任", "钱主任"]
    assert len(sheets(rerun)) == 2
    with pytest.raises(BallotsError, match="安排了重新选举"):
        services.open_rerun(void, actor=d.chair, held_on=rerun.held_on)
    rerun = count(d, rerun, [numbers(rerun, {"赵主任": 12}, signed_in=14, blank=2), zero(rerun)])
    assert names(rerun, rerun.result["elected"]) == ["赵主任"]


def test_a_write_in_can_win_and_is_listed_by_name(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    nums = numbers(r, {"赵主任": 3, "钱主任": 2}, signed_in=15, write_ins=[("郑某", 10)])
    r = count(d, r, [nums, zero(r)])
    assert r.result["elected"] == ["w:郑某"] and r.result["write_ins"] == ["w:郑某"]


def test_a_place_added_during_counting_gets_a_sheet_in_open_rounds(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    services.add_place(
        d.election,
        kind="station",
        name="第二投票站",
        place="二组活动室",
        opens_at=dt.time(8),
        closes_at=dt.time(12),
        actor=d.member,
    )
    assert [s.place.name for s in sheets(r)][-1] == "第二投票站"


def test_polling_place_input_errors(d: Day) -> None:
    with pytest.raises(BallotsError) as exc:
        services.add_place(
            d.election,
            kind="central",
            name="中心会场",
            place="",
            opens_at=dt.time(12),
            closes_at=dt.time(8),
            actor=d.member,
        )
    assert exc.value.errors == {
        "kind": "中心会场只能有一个",
        "name": "已有同名的投票点",
        "place": "请填写地点（流动票箱填写路线）",
        "closes_at": "结束时间要晚于开始时间",
    }


def test_someone_elected_director_leaves_the_member_ballot(d: Day) -> None:
    """R29: elected to a higher post leaves the lower one (posts elected separately)."""
    zhao = d.candidates["赵主任"]
    Candidate.objects.create(
        election=d.election,
        track=Track.COMMITTEE,
        post="member",
        status=CandidateStatus.FORMAL,
        source=zhao.source,
        voter=zhao.voter,
        name=zhao.name,
        id_hash=zhao.id_hash,
        id_encrypted=zhao.id_encrypted,
        id_masked=zhao.id_masked,
        gender=zhao.gender,
        birth_date=zhao.birth_date,
        ballot_order=9,
    )
    before = services.open_formal_round(d.election, "member", actor=d.chair)
    assert "赵主任" in [rc.name for rc in before.candidates.all()]
    before.delete()
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    count(d, r, [numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15), zero(r)])
    member = services.open_formal_round(d.election, "member", actor=d.chair)
    assert [rc.name for rc in member.candidates.all()] == ["孙委", "李委", "周委", "吴委"]
    event = AuditEvent.objects.get(action="ballots.round.higher_post_left_out")
    assert event.data["不列入选票"] == ["赵主任"] and event.data["依据"] == "R29"
