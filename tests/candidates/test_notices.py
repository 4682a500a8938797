"""The candidates and vetting notices on the core's framework: built from public data,
rendered, and free of ID and phone numbers."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from candidates.models import Candidate
from candidates.services.committee import add_member, set_chair
from candidates.services.slate import disqualify_candidate, publish_slate, replace_candidate
from elections.notices import publishing
from elections.notices.registry import NotReady
from elections.registration.services import reveal_id_number
from tests.candidates.committee_slate_helpers import full_slate, voters
from tests.conftest import Cast

TODAY = dt.date(2026, 12, 2)
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def text(notice: Any) -> str:
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, notice.pdf.path, "-"], capture_output=True, check=True, text=True
    ).stdout
    return re.sub(r"\s+", "", out)


def test_committee_track_notices(cast: Cast, vetting_double: Any) -> None:
    election, admin = cast.election_a, cast.admin
    people, candidates = full_slate(election, admin)
    with pytest.raises(NotReady):
        publishing.build(election, "N1")
    extra = voters(election, admin, {"选委甲": "男"})["选委甲"]
    member = add_member(election, voter=extra, votes=30, alternate=False, actor=admin)
    set_chair(election, member, actor=admin)
    n1 = publishing.publish(election, "N1", actor=admin, today=TODAY)
    n5 = publishing.publish(election, "N5", actor=admin, today=TODAY)
    n6 = publishing.publish(election, "N6", actor=admin, today=TODAY)
    assert n1 and n5 and n6
    assert "选委甲" in text(n1) and "主任" in text(n1)
    assert "不少于2名" in text(n5) and "按姓氏笔画" in text(n5)
    assert "周委" in text(n6) and "提名票数" in text(n6)
    with pytest.raises(NotReady, match="正式候选人"):
        publishing.build(election, "N8")
    with pytest.raises(NotReady):
        publishing.build(election, "N7")
    vetting_double.clear(*Candidate.objects.filter(election=election))
    # N7 reads the real vetting aggregate (the double stands in only for clearance_of).
    publish_slate(election, actor=admin, on=TODAY)
    n8 = publishing.publish(election, "N8", actor=admin, today=TODAY)
    assert n8 and "正式候选人名单公告" in text(n8) and "赵主" in text(n8)
    zhou = next(c for c in candidates if c.name == "周委")
    left = disqualify_candidate(zhou, reason="联审不通过", on=TODAY, actor=admin)
    replace_candidate(left, actor=admin)
    n9 = publishing.publish(election, "N9", actor=admin, today=TODAY)
    assert n9 and "周委" in text(n9) and "冯委" in text(n9)
    numbers = [n.number for n in (n1, n5, n6, n8, n9)]
    assert numbers == [1, 2, 3, 4, 5]
    for notice in (n1, n5, n6, n8, n9):
        body = text(notice)
        for voter in people.values():
            assert reveal_id_number(voter) not in body
        assert not re.search(r"\d{15,18}", body)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "print.pdf"
    path.write_bytes(content)
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return re.sub(r"\s+", "", out)


def test_ballots_follow_the_ballot_order_with_write_in_lines(
    cast: Cast, vetting_double: Any, tmp_path: Path
) -> None:
    from candidates.printables import ballot_pdf
    from candidates.services import CandidateError
    from candidates.services.slate import set_ballot_order

    election, admin = cast.election_a, cast.admin
    full_slate(election, admin)
    with pytest.raises(CandidateError, match="公布后"):
        ballot_pdf(election, actor=admin)
    vetting_double.clear(*Candidate.objects.filter(election=election))
    publish_slate(election, actor=admin, on=TODAY)
    for post in ("director", "deputy_director", "member"):
        set_ballot_order(election, post, actor=admin)
    body = pdf_text(ballot_pdf(election, actor=admin), tmp_path)
    assert "主任" in body and "应选1名" in body and "另选他人" in body and "填写说明" in body
    members = [
        c.name
        for c in Candidate.objects.filter(election=election, post="member").order_by("ballot_order")
    ]
    positions = [body.index(name) for name in members]
    assert positions == sorted(positions)  # the ballot order, as printed
    assert "妇女委员专栏" not in body  # 新河 profile: reserved seat, not a column
    from elections.models import AuditEvent, RuleProfile

    RuleProfile.objects.filter(pk=cast.cycle.rule_profile_id).update(
        women_remedy="dedicated_column"
    )
    election.refresh_from_db()
    election.cycle.rule_profile.refresh_from_db()
    assert "妇女委员专栏" in pdf_text(ballot_pdf(election, actor=admin), tmp_path)
    assert AuditEvent.objects.filter(action="candidates.print.ballots").count() == 2


@pytest.mark.parametrize(
    ("name", "status"), [("member_a", 200), ("supervisor", 404), ("member_b", 404)]
)
def test_printables_are_for_the_committee(cast: Cast, name: str, status: int) -> None:
    voters(cast.election_a, cast.admin, {"甲": "男"})
    client = cast.client(name)
    tally = client.get("/c/XH01/candidates/print/tally-forms/")
    assert tally.status_code == status
    cards = client.get("/c/XH01/print/voter-cards/")
    assert cards.status_code == status
    if status == 200:
        assert tally["Content-Type"] == "application/pdf" and cards.content.startswith(b"%PDF")


def test_voter_cards_hold_no_personal_numbers(cast: Cast, tmp_path: Path) -> None:
    from elections.registration.printables import voter_cards_pdf

    people = voters(cast.election_a, cast.admin, {"赵一": "男", "钱二": "女"})
    body = pdf_text(voter_cards_pdf(cast.election_a, actor=cast.admin), tmp_path)
    assert "选民证" in body and "赵一" in body and "钱二" in body
    for v in people.values():
        assert reveal_id_number(v) not in body
    assert not re.search(r"\d{15,18}", body)
