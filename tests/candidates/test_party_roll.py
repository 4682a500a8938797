"""The 党员台账: import (preview, row errors, all or nothing, masked IDs, re-import
updates), the same checks by hand, the 应到会 breakdown and exclusions (P1, P2)."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates import party_import as pi
from candidates.models import PartyExclusion, PartyMember, PartyMemberImport
from candidates.services import CandidateError
from candidates.services import party as svc
from elections.crypto import decrypt_text, encryption_key
from elections.idnumbers import mask_id_number
from elections.models import AuditEvent
from tests.candidates.party_support import member, sheet
from tests.conftest import Cast, new_id

pytestmark = pytest.mark.django_db


def _row(name: str, number: str, status: str = "正式", **kw: str) -> list[str]:
    values = {
        "姓名": name,
        "身份证号": number,
        "党员类别": status,
        "入党时间": kw.pop("joined", "2001-07-01"),
        **kw,
    }
    return [values.get(col, "") for col in pi.COLUMNS]


def test_upload_shows_a_preview_and_commit_adds_everyone(cast: Cast) -> None:
    a, b = new_id(dt.date(1970, 1, 2)), new_id(dt.date(1980, 5, 6), "女")
    data = sheet([_row("甲", a), _row("乙", b, "预备", joined="2026-06-01", 性别="女")])
    item = svc.upload_roll(cast.election_a, filename="台账.xlsx", data=data, actor=cast.admin)
    assert (item.rows_total, item.rows_error) == (2, 0)
    assert PartyMember.objects.count() == 0  # nothing before the commit
    assert bytes(item.data) != data  # stored encrypted
    response = cast.client("member_a").get(f"/c/XH01/party/import/{item.pk}/")
    page = response.content.decode()
    assert mask_id_number(a) in page and a not in page
    counts = svc.commit_roll(item, actor=cast.admin)
    assert counts == {"added": 2, "updated": 0, "unchanged": 0}
    yi = PartyMember.objects.get(name="乙")
    assert yi.status == "probationary" and yi.gender == "女"
    assert decrypt_text(yi.id_encrypted, encryption_key()) == b
    assert AuditEvent.objects.filter(action="candidates.party_import.committed").count() == 1


def test_one_bad_row_blocks_the_whole_import(cast: Cast) -> None:
    good = new_id(dt.date(1970, 1, 2))
    bad_gender = new_id(dt.date(1971, 1, 2), "男")
    data = sheet(
        [
            _row("甲", good),
            _row("乙", bad_gender, 性别="女"),
            _row("丙", "430105197001011234"),  # wrong check digit
            _row("丁", good),  # duplicate
            _row("戊", new_id(dt.date(1972, 1, 1)), "候补"),
            _row("己", new_id(dt.date(1973, 1, 1)), 留置="也许"),
        ]
    )
    item = svc.upload_roll(cast.election_a, filename="x.xlsx", data=data, actor=cast.admin)
    preview = svc.preview_of(item)
    assert preview.counts["error"] == 5
    by_row = {r.row_number: r for r in preview.results}
    assert "与身份证号不一致" in by_row[3].messages[0].text
    assert any("重复" in m.text for m in by_row[5].messages)
    assert any("党员类别" in m.text for m in by_row[6].messages)
    assert any(m.field == "留置" for m in by_row[7].messages)
    with pytest.raises(CandidateError, match="全部没有导入"):
        svc.commit_roll(item, actor=cast.admin)
    assert PartyMember.objects.count() == 0
    report = svc.error_report(item, actor=cast.admin)
    assert report[:2] == b"PK"
    assert AuditEvent.objects.filter(action="candidates.party_import.report_downloaded").exists()


def test_full_member_admitted_less_than_a_year_before_the_meeting_is_an_error(cast: Cast) -> None:
    meeting = svc.meeting_day_of(cast.election_a)
    assert meeting is not None
    on_time = meeting.replace(year=meeting.year - 1)  # 预备期 ends on the meeting day
    late = on_time + dt.timedelta(days=1)
    data = sheet(
        [
            _row("甲", new_id(dt.date(1980, 1, 1)), joined=on_time.isoformat()),
            _row("乙", new_id(dt.date(1980, 1, 2)), joined=late.isoformat()),
            _row("丙", new_id(dt.date(1980, 1, 3)), "预备", joined=on_time.isoformat()),
        ]
    )
    item = svc.upload_roll(cast.election_a, filename="x.xlsx", data=data, actor=cast.admin)
    states = [r.state for r in svc.preview_of(item).results]
    assert states == ["new", "error", "warning"]


def test_reimport_updates_the_member_with_the_same_id_and_audits(cast: Cast) -> None:
    number = new_id(dt.date(1960, 2, 3))
    existing = member(cast.election_a, cast.admin, "老党员", id_number=number)
    data = sheet([_row("老党员", number, 留党察看="是", 备注="受处分")])
    item = svc.upload_roll(cast.election_a, filename="x.xlsx", data=data, actor=cast.admin)
    (result,) = svc.preview_of(item).results
    assert result.state == "update" and "留党察看" in result.changes
    svc.commit_roll(item, actor=cast.admin)
    existing.refresh_from_db()
    assert existing.on_probation and existing.notes == "受处分"
    assert PartyMember.objects.count() == 1
    event = AuditEvent.objects.get(action="candidates.party_member.updated")
    assert event.data["changes"]["on_probation"] == [False, True]
    with pytest.raises(CandidateError):
        svc.commit_roll(item, actor=cast.admin)  # twice: refused


def test_unreadable_file_is_refused_in_chinese_and_not_kept(cast: Cast) -> None:
    with pytest.raises(CandidateError, match="Excel"):
        svc.upload_roll(cast.election_a, filename="x.xlsx", data=b"hello", actor=cast.admin)
    with pytest.raises(CandidateError, match="党员类别"):
        svc.upload_roll(
            cast.election_a,
            filename="x.xlsx",
            data=sheet([["甲", "1"]], ["姓名", "身份证号"]),
            actor=cast.admin,
        )
    assert PartyMemberImport.objects.count() == 0


def test_manual_entry_uses_the_same_checks(cast: Cast) -> None:
    with pytest.raises(CandidateError) as exc:
        svc.add_member(
            cast.election_a,
            pi.MemberData(
                name="甲", id_number=new_id(dt.date(1980, 1, 1), "男"), status="full", gender="女"
            ),
            actor=cast.admin,
        )
    assert "gender" in exc.value.errors
    m = member(cast.election_a, cast.admin, "乙")
    with pytest.raises(CandidateError, match="已在本社区党员台账"):
        svc.add_member(
            cast.election_a,
            pi.MemberData(name="乙", id_number=svc.reveal_member_id(m), status="full"),
            actor=cast.admin,
        )
    updated = svc.update_member(
        m,
        pi.MemberData(name="乙", id_number=svc.reveal_member_id(m), status="full", detained=True),
        actor=cast.admin,
        expected_version=m.updated_at.isoformat(),
    )
    assert updated.detained
    with pytest.raises(CandidateError, match="其他人修改"):
        svc.update_member(
            m,
            pi.MemberData(name="乙", id_number=svc.reveal_member_id(m), status="full"),
            actor=cast.admin,
            expected_version=m.updated_at.isoformat(),  # the stale version
        )
    svc.remove_member(updated, actor=cast.admin, reason="组织关系转出")
    assert not PartyMember.objects.exists()
    assert AuditEvent.objects.filter(action="candidates.party_member.removed").exists()


def test_breakdown_counts_only_full_members_with_rights_and_approved_exclusions(cast: Cast) -> None:
    e = cast.election_a
    full = [member(e, cast.admin, f"正式{i}") for i in range(5)]
    member(e, cast.admin, "预备甲", status="probationary", joined_on=dt.date(2026, 6, 1))
    member(e, cast.admin, "察看甲", on_probation=True)
    member(e, cast.admin, "逮捕甲", arrested=True)
    ex1 = svc.propose_exclusion(full[0], category=2, detail="出国", actor=cast.admin)
    svc.propose_exclusion(full[1], category=1, detail="病", actor=cast.admin)
    b = svc.breakdown(e)
    assert (b.numbers.on_roll, b.numbers.probationary, b.numbers.full) == (8, 1, 7)
    assert b.numbers.voting == 5 and b.numbers.expected == 5 and b.numbers.pending == 2
    svc.record_exclusion_consent(
        ex1, doc_no="新党工字〔2026〕3号", consent_date=dt.date(2026, 11, 30), actor=cast.admin
    )
    assert svc.breakdown(e).numbers.expected == 5  # consent alone: still counted
    svc.record_exclusion_vote(ex1, vote_date=dt.date(2026, 12, 1), actor=cast.admin)
    b = svc.breakdown(e)
    assert (b.numbers.expected, b.numbers.excluded, b.numbers.pending) == (4, 1, 1)
    assert b.org_type == "branch" and b.secretary_direct is False  # 7 正式党员
    assert AuditEvent.objects.filter(action="candidates.party_exclusion.vote_recorded").exists()
    proposed = AuditEvent.objects.filter(action="candidates.party_exclusion.proposed")
    assert proposed.count() == 2
    assert all("出国" not in str(ev.data) and "病" not in str(ev.data) for ev in proposed)


def test_vote_before_consent_and_exclusion_without_rights_are_refused(cast: Cast) -> None:
    e = cast.election_a
    m = member(e, cast.admin)
    ex = svc.propose_exclusion(m, category=3, detail="", actor=cast.admin)
    with pytest.raises(CandidateError, match="先登记上级党组织同意"):
        svc.record_exclusion_vote(ex, vote_date=dt.date(2026, 12, 1), actor=cast.admin)
    with pytest.raises(CandidateError, match="请选择情形"):
        svc.propose_exclusion(member(e, cast.admin, "乙"), category=6, detail="", actor=cast.admin)
    probationary = member(e, cast.admin, "丙", status="probationary", joined_on=dt.date(2026, 6, 1))
    with pytest.raises(CandidateError, match="没有选举权"):
        svc.propose_exclusion(probationary, category=2, detail="", actor=cast.admin)
    assert PartyExclusion.objects.count() == 1


def test_six_members_elect_the_secretary_directly(cast: Cast) -> None:
    for i in range(6):
        member(cast.election_a, cast.admin, f"党员{i}")
    assert svc.breakdown(cast.election_a).secretary_direct is True
    page = cast.client("member_a").get("/c/XH01/party/").content.decode()
    assert "直接选举书记" in page
