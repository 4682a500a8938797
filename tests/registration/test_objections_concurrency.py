"""Two people decide the same objection at the same moment (a double submission from
two browsers): the row lock lets exactly one decision through (PostgreSQL only;
SQLite serialises writers anyway and has no SELECT … FOR UPDATE)."""

from __future__ import annotations

import datetime as dt
import threading
from random import Random

import pytest
from django.db import connection, connections

from elections.models import AuditEvent
from elections.registration.models import Objection, ObjectionKind, ObjectionStatus, Voter
from elections.registration.objections import ObjectionError, decide_objection, record_objection
from elections.registration.services import VoterData
from tests.conftest import Cast
from tests.idgen import generate_valid_id

TODAY = dt.date(2027, 1, 20)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_concurrent_decisions_let_exactly_one_through(cast: Cast) -> None:
    objection = record_objection(
        cast.election_a,
        complainant_name="李申诉",
        kind=ObjectionKind.OMISSION,
        subject_name="王漏登",
        description="名单上没有。",
        received_on=dt.date(2027, 1, 11),
        actor=cast.users["member_a"],
        today=TODAY,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(seed: int, actor_name: str) -> None:
        number = generate_valid_id(Random(seed), birth_date=dt.date(1990, 1, 1), gender="女")
        stale = Objection.objects.get(pk=objection.pk)
        barrier.wait()
        try:
            decide_objection(
                stale,
                accepted=True,
                reason="应予登记。",
                decided_on=dt.date(2027, 1, 12),
                actor=cast.users[actor_name],
                voter_data=VoterData(name="王漏登", id_number=number, category="resident"),
                today=TODAY,
            )
            outcomes.append("decided")
        except ObjectionError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(1, "member_a")),
        threading.Thread(target=decide, args=(2, "chair_a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [
        "decided",
        "这件申诉已于2027年1月12日处理（申诉成立），不能重复处理",
    ]
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.ACCEPTED
    assert Voter.objects.filter(election=cast.election_a).count() == 1
    assert AuditEvent.objects.filter(action="elections.objection.decided").count() == 1
