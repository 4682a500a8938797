"""What election-day changes lock: the sheet, its round and its election, never the
community, street, cycle or rule profile read with them. Those rows are shared by
every community of the street (the profile by every street), so locking them made all
of a street's tally entries on election night wait for one another."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from psycopg import sql

from ballots import certification, party, services
from ballots.models import TallySheet
from elections.models import CommunityElection
from tests.ballots.helpers import day, sheets
from tests.conftest import make_cast


@contextmanager
def probe() -> Iterator[Callable[[str, int], bool]]:
    """A second connection asking, without waiting, whether a row is locked."""
    settings = connection.settings_dict
    conn = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )

    def locked(table: str, pk: int) -> bool:
        try:
            with conn.transaction():
                query = sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE NOWAIT")
                conn.execute(query.format(sql.Identifier(table)), [pk])
        except psycopg.errors.LockNotAvailable:
            return True
        return False

    try:
        yield locked
    finally:
        conn.close()


def shared_rows(election: CommunityElection) -> dict[str, int]:
    return {
        "elections_community": election.community_id,
        "elections_street": election.community.street_id,
        "elections_electioncycle": election.cycle_id,
        "elections_ruleprofile": election.cycle.rule_profile_id,
    }


@pytest.mark.django_db(transaction=True)
def test_entering_a_sheet_locks_the_sheet_round_and_election_only() -> None:
    d = day(make_cast())
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    with probe() as locked, transaction.atomic():
        services._lock_sheet(TallySheet.objects.get(pk=sheet.pk))
        assert locked("ballots_tallysheet", sheet.pk)
        assert locked("ballots_ballotround", r.pk)
        assert locked("elections_communityelection", d.election.pk)
        assert not locked("ballots_tallysheet", sheets(r)[1].pk)  # the next station's
        for table, pk in shared_rows(d.election).items():
            assert not locked(table, pk), table


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "lock",
    [services._lock, certification._lock, party._lock],
    ids=["ballots", "certification", "party"],
)
def test_locking_an_election_leaves_the_street_cycle_and_profile_free(
    lock: Callable[[CommunityElection], Any],
) -> None:
    cast = make_cast()
    election = cast.election_a
    with probe() as locked, transaction.atomic():
        lock(election)
        assert locked("elections_communityelection", election.pk)
        assert not locked("elections_communityelection", cast.election_b.pk)
        for table, pk in shared_rows(election).items():
            assert not locked(table, pk), table
