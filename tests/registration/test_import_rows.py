"""The fast import path stores exactly what the model-instance path would (bench/voter_import.py)."""

from __future__ import annotations

import datetime as dt
import gc
import io
import random
from typing import Any

import openpyxl
from django.utils import timezone

from elections.crypto import decrypt_text, encryption_key
from elections.registration import importing as imports
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


def test_copy_rows_hold_what_new_voter_would_store(cast: Cast) -> None:
    election = cast.election_a
    _parsed, results, lookup = imports.check_file(election, _file(_rows()))
    assert {r.state for r in results} == {"new"}
    now = timezone.now()
    rows = list(imports._new_voter_rows(election, results, lookup.hashes, None, now))
    key = encryption_key()
    for result, row in zip(results, rows, strict=True):
        voter = imports._new_voter(election, result, None, now)
        expected = [getattr(voter, column) for column in imports._COPY_COLUMNS]
        assert len(row) == len(imports._COPY_COLUMNS)
        for column, want, got in zip(imports._COPY_COLUMNS, expected, row, strict=True):
            if column == "id_encrypted":  # a fresh nonce each time
                assert decrypt_text(got, key) == decrypt_text(want, key)
            else:
                assert got == want, column


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
