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


def certified_day(cast: Cast) -> tuple[Day, Certification]:
    d = day(cast)
    officer = cast.users["officer"]
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
