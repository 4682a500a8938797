"""A corrected import file: every voter it updates gets its own audit row, shown on the
voter's page (as a correction made on the voter's page does)."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elections.models import AuditEvent
from elections.registration import importing as imports
from elections.registration.models import Voter, VoterImport
from tests.conftest import Cast
from tests.idgen import generate_valid_id

HEADER = [
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "民族",
    "居民小组",
    "住址",
    "联系电话",
    "登记类别",
    "备注",
]
RNG = random.Random(20261202)
IDS = [
    generate_valid_id(RNG, birth_date=dt.date(1960 + i, 3, 1 + i), gender="男") for i in range(6)
]


def row(
    name: str, number: str, group: str = "第一居民小组", phone: str = "13812345678"
) -> list[Any]:
    return [name, number, "", "", "汉族", group, "新河路1号", phone, "户在人在", ""]


CLEAN = [row(f"居民{i}", n) for i, n in enumerate(IDS)]


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    for cell in sheet["B"]:
        cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def upload(cast: Cast, django_capture_on_commit_callbacks: Any) -> Any:
    def do(data: bytes, filename: str = "名册.xlsx") -> VoterImport:
        with django_capture_on_commit_callbacks(execute=True):
            voter_import = imports.upload(
                cast.election_a, filename=filename, data=data, actor=cast.users["member_a"]
            )
        voter_import.refresh_from_db()
        return voter_import

    return do


def corrected(changes: dict[int, dict[int, str]]) -> bytes:
    rows = [list(r) for r in CLEAN]
    for index, columns in changes.items():
        for column, value in columns.items():
            rows[index][column] = value
    return xlsx(rows)


def updated_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="elections.voter.updated").order_by("id"))


def test_each_voter_a_corrected_file_updates_gets_an_audit_row(cast: Cast, upload: Any) -> None:
    imports.commit(upload(xlsx(CLEAN)), actor=cast.users["member_a"])
    assert updated_rows() == []
    second = upload(
        corrected({0: {5: "第二居民小组"}, 1: {0: "居民一改", 7: "13987654321"}}), "更正.xlsx"
    )
    assert (second.update_count, second.unchanged_count) == (2, 4)
    imports.commit(second, actor=cast.users["chair_a"])

    first, other = Voter.objects.get(name="居民0"), Voter.objects.get(name="居民一改")
    rows = {r.object_id: r for r in updated_rows()}
    assert set(rows) == {str(first.pk), str(other.pk)}
    group_row, name_row = rows[str(first.pk)], rows[str(other.pk)]
    assert group_row.object_type == "elections.voter"
    assert group_row.data["changes"] == {"group": ["第一居民小组", "第二居民小组"]}
    assert group_row.data["filename"] == "更正.xlsx" and group_row.data["source"] == "import"
    assert name_row.data["changes"]["name"] == ["居民1", "居民一改"]
    assert name_row.data["changes"]["phone"] == ["138****5678", "139****4321"]  # masked
    assert {r.actor_name for r in rows.values()} == {cast.users["chair_a"].get_username()}
    assert {(r.community_id, r.street_id) for r in rows.values()} == {
        (cast.community_a.pk, cast.street.pk)
    }


def test_the_voters_page_shows_the_change_made_by_an_import(cast: Cast, upload: Any) -> None:
    imports.commit(upload(xlsx(CLEAN)), actor=cast.users["member_a"])
    imports.commit(
        upload(corrected({0: {5: "第二居民小组"}}), "更正.xlsx"), actor=cast.users["member_a"]
    )
    voter = Voter.objects.get(name="居民0")
    body = cast.client("member_a").get(f"/c/XH01/voters/{voter.pk}/").content.decode()
    history = body.split('id="history"', 1)[1]
    assert "修改选民信息" in history
    assert "居民小组：第一居民小组 → 第二居民小组" in history
    assert "更正.xlsx" in history
    untouched = Voter.objects.get(name="居民2")
    other = cast.client("member_a").get(f"/c/XH01/voters/{untouched.pk}/").content.decode()
    assert "修改选民信息" not in other.split('id="history"', 1)[1]


def _commit_queries(cast: Cast, upload: Any, changed: int) -> int:
    second = upload(corrected({i: {5: "第三居民小组"} for i in range(changed)}))
    with CaptureQueriesContext(connection) as queries:
        imports.commit(second, actor=cast.users["member_a"])
    return len(queries)


def test_import_audit_rows_cost_no_query_per_voter(cast: Cast, upload: Any) -> None:
    imports.commit(upload(xlsx(CLEAN)), actor=cast.users["member_a"])
    one = _commit_queries(cast, upload, 1)
    assert len(updated_rows()) == 1
    every = _commit_queries(cast, upload, len(CLEAN))  # row 0 is unchanged now: 5 updates
    assert len(updated_rows()) == len(CLEAN)
    assert every == one  # the same statements for 1 and for 5 more updated voters


def test_a_failed_import_commit_leaves_no_voter_audit_rows(cast: Cast, upload: Any) -> None:
    imports.commit(upload(xlsx(CLEAN)), actor=cast.users["member_a"])
    second = upload(corrected({0: {5: "第二居民小组"}}))
    original = imports.Voter.objects.bulk_update

    def fail(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise RuntimeError("the database went away")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(imports.Voter.objects, "bulk_update", fail)
        with pytest.raises(RuntimeError):
            imports.commit(second, actor=cast.users["member_a"])
    assert updated_rows() == []
    assert Voter.objects.get(name="居民0").group == "第一居民小组"


def test_command_line_import_updates_are_audited_too(cast: Cast) -> None:
    imports.import_directly(
        cast.election_a, xlsx(CLEAN), commit_rows=True, actor=None, filename="a.xlsx"
    )
    imports.import_directly(
        cast.election_a,
        corrected({3: {5: "第二居民小组"}}),
        commit_rows=True,
        actor=None,
        filename="b.xlsx",
    )
    [event] = updated_rows()
    assert event.object_id == str(Voter.objects.get(name="居民3").pk)
    assert event.actor_name == "系统"
    assert event.data["changes"] == {"group": ["第一居民小组", "第二居民小组"]}
