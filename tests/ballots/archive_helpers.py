"""Set-up of the archive tests: a day with two closed rounds (one sheet whose entries
differed and the chair kept one), a notice and its correction, a certification row with
its audit event and a 当选证书 — until ballots.certification.certify lands, the
certification is made here directly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from ballots import services
from ballots.models import Archive, Certification, ElectionCertificate
from elections import audit
from elections.models import CommunityElection
from elections.notices import publishing
from tests.ballots.helpers import Day, count, day, enter_twice, numbers, sheets, zero
from tests.conftest import Cast
from vetting.models import (
    NegativeList,
    SignOff,
    SignOffResult,
    VettingRequest,
    VettingRound,
)

NOTICE_DAY = dt.date(2026, 12, 2)
CERTIFIED_AT = dt.datetime(2027, 1, 28, 18, 30, 5, tzinfo=dt.UTC)


def certify(
    election: CommunityElection, actor: Any, *, at: dt.datetime = CERTIFIED_AT
) -> Certification:
    """A certification in force, its audit event and a queued archive (what
    ballots.certification.certify will do)."""
    rounds = list(election.ballot_rounds.order_by("number"))
    content = {
        "rounds": [{"number": r.number, "status": r.status, "result": r.result} for r in rounds]
    }
    digest = hashlib.sha256(
        json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    with transaction.atomic():
        cert = Certification.objects.create(
            election=election, content=content, sha256=digest, certified_by=actor, certified_at=at
        )
        pdf = b"%PDF-1.4\n% certificate test file\n"
        ElectionCertificate.objects.create(
            certification=cert,
            number=1,
            track="committee",
            post="director",
            post_label="主任",
            name="赵主任",
            pdf=ContentFile(pdf, name="certificate-1.pdf"),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        audit.record(
            actor,
            "ballots.result.certified",
            cert,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"内容 SHA-256": digest},
        )
        Archive.objects.create(certification=cert)
    return cert


def sign_offs(d: Day) -> None:
    """A vetting round of the director candidates at the police: one passes; the other's
    first answer (a finding) is corrected by a second one that passes."""
    cast = d.cast
    negative = NegativeList.objects.create(
        code="archive-test", name="测试负面清单", effective_from=dt.date(2026, 1, 1)
    )
    vr = VettingRound.objects.create(
        cycle=cast.cycle, number=1, negative_list=negative, deadline=dt.date(2026, 12, 20)
    )
    reviewer = cast.users["dept_reviewer"]
    for name in ("赵主任", "钱主任"):
        request = VettingRequest.objects.create(
            round=vr, candidate=d.candidates[name], department=cast.department
        )
        first = SignOff.objects.create(
            request=request,
            result=SignOffResult.PASS if name == "赵主任" else SignOffResult.FINDING,
            note="" if name == "赵主任" else "待核实",
            data_hash="0" * 64,
            signed_by=reviewer,
            current=name == "赵主任",
        )
        if name == "钱主任":
            SignOff.objects.create(
                request=request,
                result=SignOffResult.PASS,
                note="经核实不属于负面清单情形",
                data_hash="0" * 64,
                signed_by=reviewer,
                supersedes=first,
            )


def certified_day(cast: Cast) -> tuple[Day, Certification]:
    d = day(cast)
    officer = cast.users["officer"]
    sign_offs(d)
    first = publishing.publish(d.election, "N3", actor=officer, today=NOTICE_DAY)
    assert first is not None
    publishing.correct(first, reason="漏登一名选民", actor=officer, today=NOTICE_DAY)
    # Director: the two entries of the central sheet differ; the chair keeps entry 1.
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    central, mobile = sheets(r)
    services.enter(
        central, numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15, blank=1), actor=d.member
    )
    services.enter(
        central, numbers(r, {"赵主任": 10, "钱主任": 3}, signed_in=15, blank=1), actor=d.member2
    )
    services.keep_entry(central, 1, actor=d.chair)
    services.confirm(central, explanations={}, actor=d.chair)
    enter_twice(d, mobile, zero(r))
    services.confirm(mobile, explanations={}, actor=d.chair)
    services.close_round(r, actor=d.chair)
    m = services.open_formal_round(d.election, "member", actor=d.chair)
    count(
        d,
        m,
        [
            numbers(m, {"孙委": 12, "李委": 11, "周委": 9, "吴委": 5}, signed_in=15, blank=1),
            zero(m),
        ],
    )
    return d, certify(d.election, officer)
