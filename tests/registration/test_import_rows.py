"""The fast import path stores exactly what the model-instance path would (bench/voter_import.py)."""

from __future__ import annotations

import datetime as dt
import gc
import io
import random
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from elections.crypto import decrypt_text, encryption_key
from elections.registration import importing as imports
from elections.registration.models import Voter
from elections.registration.xlsx.columns import COLUMNS
from tests.conftest import Cast
from tests.idgen import generate_valid_id

RNG = random.Random(20261123)


def _file(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows() -> list[list[Any]]:
    rows = []
    categories = ["户在人在", "户在人不在", "人在户不在", "社区工作人员"]
    for i, category in enumerate(categories * 2):
        gender = "男" if i % 2 else "女"
        birth = dt.date(1950 + i, 1 + i, 3 + i)
        number = generate_valid_id(RNG, birth_date=birth, gender=gender)
        notes = "独居老人" if i % 3 == 0 else ""
        rows.append(
            [
                f"居民 {i}",
                number,
                gender,
                birth,
                "汉",
                f"第{i}组",
                "新河路 1号",
                "",
                category,
                notes,
            ]
        )
    return rows


def _stored(voter: Any) -> dict[str, Any]:
    return {c: getattr(voter, c) for c in imports._COPY_COLUMNS if c != "id_encrypted"}


def test_copy_lines_store_what_new_voter_would_store(cast: Cast) -> None:
    """The COPY text lines, loaded by PostgreSQL, give the very voters `_new_voter`
    builds — including texts with a backslash, which COPY would otherwise read as an
    escape, and the rows that wait for a meeting's approval."""
    election = cast.election_a
    rows = _rows()
    rows[1][6] = "新河路\\1号\\N"  # an address with backslashes (and a would-be NULL)
    rows[2][9] = "备注\\t不是制表符"
    _parsed, results, lookup = imports.check_file(election, _file(rows))
    assert {r.state for r in results} == {"new"}
    assert any(r.awaits_approval for r in results)
    now = timezone.now()
    expected = [_stored(imports._new_voter(election, r, None, now)) for r in results]
    imports._copy_voter_lines(imports._new_voter_lines(election, results, lookup.hashes, None, now))
    stored = list(Voter.objects.filter(election=election).order_by("pk"))
    assert [_stored(v) for v in stored] == expected
    key = encryption_key()
    assert [decrypt_text(v.id_encrypted, key) for v in stored] == [
        r.id_info.number for r in results if r.id_info
    ]
    assert stored[1].address == "新河路\\1号\\N"
    assert stored[2].notes == "备注\\t不是制表符"


def test_copy_text_escapes_what_the_format_reads() -> None:
    assert imports._copy_text("新河路1号") == "新河路1号"
    assert imports._copy_text("a\\b") == "a\\\\b"
    assert imports._copy_text("a\tb\nc\rd") == "a\\tb\\nc\\rd"


def test_checking_a_file_leaves_the_garbage_collector_as_it_was(cast: Cast) -> None:
    data = _file(_rows())
    assert gc.isenabled()
    imports.check_file(cast.election_a, data)
    assert gc.isenabled()
    gc.disable()
    try:
        imports.check_file(cast.election_a, data)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_voter_cannot_sit_in_a_cycle_other_than_its_elections(cast: Cast) -> None:
    """R11 counts registrations per cycle through the voter's own `cycle` column: the
    composite foreign key (election, cycle) refuses one that is not its election's."""
    from django.db import IntegrityError, connection, transaction

    from elections.models import ElectionCycle

    other_cycle = ElectionCycle.objects.exclude(pk=cast.cycle.pk).first()
    assert other_cycle is not None
    voter = imports._new_voter(cast.election_a, _checked_result(cast), None, timezone.now())
    voter.cycle_id = other_cycle.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        voter.save()
        with connection.cursor() as cursor:  # the key is deferred: check it now
            cursor.execute("SET CONSTRAINTS voter_election_cycle_fk IMMEDIATE")
    voter.pk = None
    voter.cycle_id = cast.cycle.pk
    with transaction.atomic():
        voter.save()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS voter_election_cycle_fk IMMEDIATE")
    assert Voter.objects.filter(pk=voter.pk, cycle=cast.cycle).exists()


def _checked_result(cast: Cast) -> Any:
    _parsed, results, _lookup = imports.check_file(cast.election_a, _file(_rows()[:1]))
    return results[0]
