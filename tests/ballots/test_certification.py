"""Certification (issue 11 item 7): only when every post is done; the content and its
SHA-256 stored; the lock on every election-day change; revoking with a reason; the
result notices N13–N16; a 当选证书 per winner; R32 / R30 / Q1 blockers; the page
against the cast of roles."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
from django.db import connection

from ballots import certification, services
from ballots.models import Archive, Certification, ElectionCertificate, RoundStatus
from candidates.models import Relation, Seat, Track
from elections.models import AuditEvent, Notice
from elections.notices import publishing
from tests.ballots.helpers import Day, count, day, numbers, zero
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast, make_cast

READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}


def _only_director_and_members(d: Day) -> None:
    Seat.objects.filter(election=d.election, track=Track.COMMITTEE, post="deputy_director").delete()


def _elect_director(d: Day, **kw: Any) -> Any:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    return count(d, r, [numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15, **kw), zero(r)])


def _elect_members(d: Day, votes: dict[str, int] | None = None) -> Any:
    r = services.open_formal_round(d.election, "member", actor=d.chair)
    votes = votes or {"孙委": 10, "李委": 9, "周委": 8, "吴委": 2}
    return count(d, r, [numbers(r, votes, signed_in=15), zero(r)])


def done(cast: Cast, **kw: Any) -> Day:
    """XH01 with the director and three members elected in one round each."""
    d = day(cast, **kw)
    _only_director_and_members(d)
    _elect_director(d)
    _elect_members(d)
    return d


@pytest.fixture
def d(cast: Cast) -> Day:
    return done(cast)


def test_certification_waits_until_every_post_is_done(cast: Cast) -> None:
    d = day(cast)
    _only_director_and_members(d)
    assert certification.blockers(d.election) == [
        "主任还没有开始投票",
        "委员还没有开始投票",
    ]
    _elect_director(d)
    r = services.open_formal_round(d.election, "member", actor=d.chair)
    assert certification.blockers(d.election) == [f"{r.label}还没有宣布结果"]
    with pytest.raises(services.BallotsError, match="还不能确认"):
        certification.certify(d.election, actor=cast.users["officer"])
    assert not Certification.objects.exists()


def test_a_tie_left_open_blocks_certification(cast: Cast) -> None:
    d = day(cast)
    _only_director_and_members(d)
    _elect_director(d)
    _elect_members(d, {"孙委": 10, "李委": 9, "周委": 8, "吴委": 8})
    [problem] = certification.blockers(d.election)
    assert "再次投票" in problem and "R28" in problem


def test_certify_stores_the_content_and_its_hash_publishes_and_renders_certificates(
    d: Day,
) -> None:
    officer = d.cast.users["officer"]
    cert = certification.certify(d.election, actor=officer)
    assert cert.sha256 == hashlib.sha256(certification.canonical_json(cert.content)).hexdigest()
    assert cert.sha256 == certification.content_sha256(certification.content_of(d.election))
    assert [(w["post"], w["name"]) for w in cert.content["winners"]] == [
        ("director", "赵主任"),
        ("member", "孙委"),
        ("member", "李委"),
        ("member", "周委"),
    ]
    # both sheets of each round, the kept numbers only
    assert [len(r["sheets"]) for r in cert.content["rounds"]] == [2, 2]
    assert "id_masked" not in str(cert.content) and "id_hash" not in str(cert.content)
    # the notices N13 and N14 (no 另行选举, nothing void)
    assert sorted(Notice.objects.filter(election=d.election).values_list("kind", flat=True)) == [
        "N13",
        "N14",
    ]
    # one certificate per winner, stored with its fingerprint
    certs = list(ElectionCertificate.objects.filter(certification=cert))
    assert [(c.number, c.post_label, c.name) for c in certs] == [
        (1, "主任", "赵主任"),
        (2, "委员", "孙委"),
        (3, "委员", "李委"),
        (4, "委员", "周委"),
    ]
    for c in certs:
        with c.pdf.open("rb") as handle:
            data = handle.read()
        assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == c.sha256
    assert Archive.objects.get(certification=cert).status == "queued"
    event = AuditEvent.objects.get(action="ballots.result.certified")
    assert event.actor_id == officer.pk and event.data["内容SHA-256"] == cert.sha256
    assert event.community_id == d.election.community_id


def test_the_notices_carry_every_candidates_votes_and_the_winners(d: Day) -> None:
    n13 = publishing.build(d.election, "N13")
    text = " ".join(n13.body) + str(n13.tables)
    for name, votes in [("赵主任", "10"), ("钱主任", "4"), ("孙委", "10"), ("吴委", "2")]:
        assert name in text and votes in text
    assert "登记选民22人" in text and "参加投票15人" in text and "选举有效" in text
    n14 = publishing.build(d.election, "N14")
    assert n14.tables[0][2] == [
        ["主任", "赵主任", "男", "10"],
        ["委员", "孙委", "男", "10"],
        ["委员", "李委", "女", "9"],
        ["委员", "周委", "男", "8"],
    ]


def test_a_certified_result_is_locked(d: Day) -> None:
    certification.certify(d.election, actor=d.cast.users["officer"])
    for attempt in (
        lambda: services.add_place(
            d.election,
            kind="station",
            name="第二投票站",
            place="二组",
            opens_at=d.places[0].opens_at,
            closes_at=d.places[0].closes_at,
            actor=d.chair,
        ),
        lambda: services.open_formal_round(d.election, "deputy_director", actor=d.chair),
    ):
        with pytest.raises(services.BallotsError, match="已经确认"):
            attempt()
    with pytest.raises(services.BallotsError, match="已经确认过了"):
        certification.certify(d.election, actor=d.cast.users["officer"])
    assert d.election.polling_places.count() == 2


def test_revoking_needs_a_reason_unlocks_and_a_new_certification_corrects_the_notices(
    d: Day,
) -> None:
    officer = d.cast.users["officer"]
    first = certification.certify(d.election, actor=officer)
    with pytest.raises(services.BallotsError, match="理由"):
        certification.revoke(first, reason="  ", actor=officer)
    first.refresh_from_db()
    assert first.in_force
    certification.revoke(first, reason="流动票箱计票单录错，需更正", actor=officer)
    first.refresh_from_db()
    assert not first.in_force and first.revoke_reason == "流动票箱计票单录错，需更正"
    event = AuditEvent.objects.get(action="ballots.result.revoked")
    assert event.data["理由"] == "流动票箱计票单录错，需更正"
    # unlocked: a change is possible again
    services.add_place(
        d.election,
        kind="station",
        name="第二投票站",
        place="二组",
        opens_at=d.places[0].opens_at,
        closes_at=d.places[0].closes_at,
        actor=d.chair,
    )
    second = certification.certify(d.election, actor=officer)
    assert second.pk != first.pk and second.in_force
    # the earlier certificates stay; the new ones number on
    assert list(second.certificates.values_list("number", flat=True)) == [5, 6, 7, 8]
    assert first.certificates.count() == 4
    n13 = list(Notice.objects.filter(election=d.election, kind="N13").order_by("version"))
    assert [n.version for n in n13] == [1, 2] and n13[1].replaces_id == n13[0].pk
    assert "撤销确认后重新确认" in n13[1].correction_reason


def test_no_woman_elected_blocks_until_a_documented_waiver(cast: Cast) -> None:
    d = day(cast, member={"孙委": "男", "李委": "男", "周委": "男", "吴委": "男"})
    _only_director_and_members(d)
    _elect_director(d)
    _elect_members(d)
    [problem] = certification.blockers(d.election)
    assert "没有女性" in problem and "R32" in problem
    officer = cast.users["officer"]
    with pytest.raises(services.BallotsError, match="R32"):
        certification.certify(d.election, actor=officer)
    waiver = "经区民政局同意，另行选举仍无女性当选（区民〔2026〕12号）"
    cert = certification.certify(d.election, actor=officer, women_waiver=waiver)
    assert cert.content["women_waiver"] == waiver
    assert (
        AuditEvent.objects.get(action="ballots.result.certified").data["无女性当选说明"] == waiver
    )


def test_elected_near_relatives_block_certification(d: Day) -> None:
    a, b = d.candidates["孙委"].voter, d.candidates["李委"].voter
    assert a is not None and b is not None
    Relation.objects.create(election=d.election, a=a, b=b, kind="spouse")
    assert certification.blockers(d.election) == [
        "当选人孙委与李委是近亲属（R30），请先按回避规定处理"
    ]


def test_a_write_in_winner_waits_for_vetting(cast: Cast) -> None:
    d = day(cast)
    _only_director_and_members(d)
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    nums = numbers(r, {"赵主任": 3, "钱主任": 2}, signed_in=15, write_ins=[("郑某", 10)])
    count(d, r, [nums, zero(r)])
    _elect_members(d)
    [problem] = certification.blockers(d.election)
    assert "郑某" in problem and "Q1" in problem


def test_a_void_round_and_its_rerun_publish_n16(cast: Cast) -> None:
    d = day(cast)
    _only_director_and_members(d)
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    void = services.declare_void(r, grounds=["counting"], note="唱票未公开", actor=d.chair)
    assert void.status == RoundStatus.VOID
    rerun = services.open_rerun(void, actor=d.chair, held_on=d.election.election_day)
    count(d, rerun, [numbers(rerun, {"赵主任": 10, "钱主任": 4}, signed_in=15), zero(rerun)])
    _elect_members(d)
    certification.certify(d.election, actor=cast.users["officer"])
    n16 = Notice.objects.get(election=d.election, kind="N16")
    assert n16.title == "选举无效及重新选举公告"
    text = " ".join(publishing.build(d.election, "N16").body)
    assert "没有公开唱票、计票" in text and "重新选举定于" in text


@pytest.mark.django_db(transaction=True)
def test_two_officers_certifying_at_once_make_one_certification() -> None:
    cast = make_cast()
    d = done(cast)
    officer = cast.users["officer"]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            certification.certify(d.election, actor=officer)
            outcomes.append("ok")
        except services.BallotsError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "本社区选举结果已经确认过了"]
    assert Certification.objects.filter(election=d.election).count() == 1
    assert ElectionCertificate.objects.count() == 4
    assert AuditEvent.objects.filter(action="ballots.result.certified").count() == 1


# -- pages -----------------------------------------------------------------------------------


def test_the_certification_page_answers_each_role(d: Day) -> None:
    """Every role against one certification (one per role cost a second each)."""
    url = "/c/XH01/ballots/certify/"
    clients = {role: client_for(d.cast, role) for role in ROLES}
    for role, client in clients.items():
        _check(client.get(url), role, READERS, "certify")
        if role != "officer":
            _check(client.post(url, {"action": "certify"}), role, {"officer"}, "certify POST")
    assert not Certification.objects.filter(election=d.election).exists()

    officer = clients["officer"]
    _check(officer.post(url, {"action": "certify"}), "officer", {"officer"}, "certify POST")
    cert = Certification.objects.get(election=d.election, revoked_at__isnull=True)
    page = officer.get(url).content.decode()
    assert cert.sha256 in page and "当选证书" in page and "撤销确认" in page
    item = cert.certificates.first()
    assert item is not None
    pdf = f"/c/XH01/ballots/certificates/{item.pk}.pdf"
    for role, client in clients.items():
        response = client.get(pdf)
        _check(response, role, READERS, pdf)
        if role in READERS:
            assert response["X-Content-SHA256"] == item.sha256
        _check(client.get(f"/c/XH02/ballots/certificates/{item.pk}.pdf"), role, set(), "XH02")
        if role != "officer":
            response = client.post(url, {"action": "revoke", "reason": "测试撤销理由"})
            _check(response, role, {"officer"}, "revoke POST")
            cert.refresh_from_db()
            assert cert.in_force, role

    response = officer.post(url, {"action": "revoke", "reason": "测试撤销理由"})
    _check(response, "officer", {"officer"}, "revoke POST")
    cert.refresh_from_db()
    assert not cert.in_force


def test_the_page_lists_what_stops_certification_and_keeps_a_missing_reason(
    cast: Cast,
) -> None:
    d = day(cast)
    _only_director_and_members(d)
    client = client_for(cast, "officer")
    page = client.get("/c/XH01/ballots/certify/").content.decode()
    assert "还不能确认" in page and "主任还没有开始投票" in page
    assert "确认选举结果</button>" not in page
    _elect_director(d)
    _elect_members(d)
    page = client.get("/c/XH01/ballots/certify/").content.decode()
    assert "可以确认" in page and "确认选举结果</button>" in page
    client.post("/c/XH01/ballots/certify/", {"action": "certify"})
    response = client.post("/c/XH01/ballots/certify/", {"action": "revoke", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "请写明撤销确认的理由" in page
    assert Certification.objects.get().in_force


def test_a_winner_declared_void_leaves_a_seat_for_another_election(d: Day) -> None:
    """R36, Q1: 组织部 declares a winner's election void after the count; the seat goes
    to a 另行选举 among those not elected, the void winner excluded."""
    from vetting.models import Decision, DecisionKind

    sun = d.candidates["孙委"]
    Decision.objects.create(
        candidate=sun, kind=DecisionKind.VOID, reason="刑满释放未满5年", decided_by=d.chair
    )
    assert certification.blockers(d.election) == ["孙委当选无效（R36）：委员空缺1名，请另行选举"]
    with pytest.raises(services.BallotsError, match="R36"):
        certification.certify(d.election, actor=d.cast.users["officer"])
    member_round = d.election.ballot_rounds.get(post="member")
    client = client_for(d.cast, "chair_a")
    page = client.get("/c/XH01/ballots/certify/").content.decode()
    assert "孙委当选无效：刑满释放未满5年" in page and "开始另行选举" in page
    response = client.post(
        "/c/XH01/ballots/certify/",
        {"action": "vacancy_runoff", "round": member_round.pk, "held_on": ""},
    )
    assert response.status_code == 200 and "请填写另行选举的日期" in response.content.decode()
    response = client.post(
        "/c/XH01/ballots/certify/",
        {
            "action": "vacancy_runoff",
            "round": member_round.pk,
            "held_on": d.election.election_day.isoformat(),
        },
    )
    runoff = d.election.ballot_rounds.get(kind="runoff")
    assert response.status_code == 302 and runoff.parent_id == member_round.pk
    assert runoff.seats == 1 and [rc.name for rc in runoff.candidates.all()] == ["吴委"]
    count(d, runoff, [numbers(runoff, {"吴委": 6}, signed_in=15), zero(runoff)])
    assert certification.blockers(d.election) == []
    cert = certification.certify(d.election, actor=d.cast.users["officer"])
    assert [c.name for c in cert.certificates.all()] == ["赵主任", "李委", "周委", "吴委"]


def test_certifying_builds_the_archive_after_commit_and_it_verifies(
    d: Day, django_capture_on_commit_callbacks: Any, tmp_path: Any
) -> None:
    """certify → on commit → ballots.tasks.build_archive: the archive is READY, its zip
    holds the certificates and the result notices, and verify_archive accepts it."""
    import zipfile

    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cert = certification.certify(d.election, actor=d.cast.users["officer"])
    assert len(callbacks) == 1
    archive = Archive.objects.get(certification=cert)
    assert archive.status == "ready", archive.error
    with archive.zip.open("rb") as handle:
        data = handle.read()
    path = tmp_path / "archive.zip"
    path.write_bytes(data)
    names = zipfile.ZipFile(path).namelist()
    assert "MANIFEST.sha256" in names and "archive.pdf" in names
    assert sum("当选证书" in n or "certificate" in n for n in names) == 4, names
    assert archive.manifest_sha256 == hashlib.sha256(archive.manifest.encode()).hexdigest()
    call_command("verify_archive", str(path))  # exit 0: no SystemExit raised
