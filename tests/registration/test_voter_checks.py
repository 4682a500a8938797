"""One check per voter field: the same message from a form, the import and an objection
(voter_checks); R10 under the rule profile; the import preview's counts and masked IDs."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import openpyxl
import pytest

from elections.models import RuleProfile
from elections.registration import importing as imports
from elections.registration import voter_checks as vc
from elections.registration.forms import VoterForm
from elections.registration.models import Voter, VoterImportRow, VoterStatus
from elections.registration.objection_forms import NewVoterForm, RecordObjectionForm
from elections.registration.services import VoterData, VoterError, register_voter
from tests.conftest import Cast
from tests.idgen import generate_valid_id

RNG = random.Random(3)
HEADER = ["姓名", "身份证号", "联系电话", "登记类别"]
BAD_NAMES = {
    "long": "张" * 10_000,
    "tag": "<b>张三</b>",
    "control": "张\x07三",
    "zero_width": "张\u200b三",
}


def person() -> str:
    return generate_valid_id(RNG, birth_date=dt.date(1980, 5, 17), gender="男")


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cell in sheet["B"]:
        cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_message(cast: Cast, name: str) -> str:
    _parsed, results, _lookup = imports.check_file(
        cast.election_a, xlsx([[name, person(), "", "户在人在"]])
    )
    (result,) = results
    return next(m.text for m in result.messages if m.field == "姓名")


def form_data(**overrides: str) -> dict[str, str]:
    return {"name": "张三", "id_number": person(), "category": "resident", **overrides}


@pytest.mark.parametrize("kind", sorted(BAD_NAMES))
def test_a_bad_name_gets_the_same_message_on_every_path(cast: Cast, kind: str) -> None:
    name = BAD_NAMES[kind]
    with pytest.raises(vc.FieldProblem) as shared:
        vc.check_name(name)
    message = shared.value.message
    entry = VoterForm(data=form_data(name=name))
    omission = NewVoterForm(data=form_data(name=name), active=True)
    objection = RecordObjectionForm(
        data={
            "complainant_name": name,
            "kind": "omission",
            "description": "漏登",
            "received_on": "2027-01-10",
        },
        election=cast.election_a,
    )
    assert not entry.is_valid() and entry.errors["name"] == [message]
    assert not omission.is_valid() and omission.errors["name"] == [message]
    assert not objection.is_valid() and objection.errors["complainant_name"] == [message]
    if kind != "control":  # openpyxl cannot write C0 controls; zero_width covers the import
        assert import_message(cast, name) == message
    with pytest.raises(VoterError) as refused:
        register_voter(
            cast.election_a,
            VoterData(name=name, id_number=person(), category="resident"),
            actor=cast.users["member_a"],
        )
    assert refused.value.errors["name"] == message
    assert Voter.objects.count() == 0


def test_name_limit_and_middle_dot() -> None:
    assert vc.check_name("阿依古丽•买买提") == "阿依古丽·买买提"
    assert vc.check_name("张" * vc.NAME_MAX) == "张" * vc.NAME_MAX
    with pytest.raises(vc.FieldProblem, match="最多50个字"):
        vc.check_name("张" * (vc.NAME_MAX + 1))


def test_address_and_notes_limits() -> None:
    assert vc.check_address("路" * 100) == "路" * 100
    with pytest.raises(vc.FieldProblem, match="住址最多100个字"):
        vc.check_address("路" * 10_000)
    with pytest.raises(vc.FieldProblem, match="备注最多200个字"):
        vc.check_notes("备" * 201)
    with pytest.raises(vc.FieldProblem, match="<"):
        vc.check_address("<script>x</script>")


def test_phone_formats() -> None:
    assert vc.check_phone("138 1234 5678") == "13812345678"
    assert vc.check_phone("+86 13812345678") == "13812345678"
    assert vc.check_phone("0931-8123456") == "0931-8123456"
    for bad in ("abc", "12345", "1381234567a"):
        with pytest.raises(vc.FieldProblem) as problem:
            vc.check_phone(bad)
        assert problem.value.message == vc.MSG_PHONE


def test_objection_form_refuses_abc_as_a_phone_number(cast: Cast) -> None:
    form = RecordObjectionForm(
        data={
            "complainant_name": "王五",
            "complainant_phone": "abc",
            "kind": "omission",
            "description": "漏登",
            "received_on": "2027-01-10",
        },
        election=cast.election_a,
    )
    assert not form.is_valid()
    assert form.errors["complainant_phone"] == [vc.MSG_PHONE]


def test_import_refuses_a_huge_address(cast: Cast) -> None:
    book = xlsx([["张三", person(), "", "户在人在"]])
    _p, results, _l = imports.check_file(cast.election_a, book)
    assert results[0].state == "new"
    data = openpyxl.load_workbook(io.BytesIO(book))
    sheet = data.active
    assert sheet is not None
    sheet["E1"] = "住址"
    sheet["E2"] = "路" * 10_000
    buffer = io.BytesIO()
    data.save(buffer)
    _p, results, _l = imports.check_file(cast.election_a, buffer.getvalue())
    assert results[0].state == "error"
    assert [m.field for m in results[0].messages] == ["住址"]


def _use_profile(cast: Cast, code: str) -> None:
    cast.cycle.rule_profile = RuleProfile.objects.get(code=code)
    cast.cycle.save(update_fields=["rule_profile"])
    cast.election_a.cycle.rule_profile = cast.cycle.rule_profile


@pytest.mark.parametrize(
    ("code", "status"),
    [("gansu-2026", VoterStatus.REGISTERED), ("xinhe-2020", VoterStatus.PENDING_APPROVAL)],
)
def test_imported_nonresident_waits_only_where_the_profile_says(
    cast: Cast, code: str, status: str
) -> None:
    _use_profile(cast, code)
    data = xlsx([["张三", person(), "", "人在户不在"], ["李四", person(), "", "社区工作人员"]])
    imports.import_directly(
        cast.election_a, data, commit_rows=True, actor=cast.users["member_a"], filename="x.xlsx"
    )
    assert Voter.objects.get(name="张三").status == status
    # 社区工作者 need a confirmation under both (甘肃 art. 16: the election committee's).
    assert Voter.objects.get(name="李四").status == VoterStatus.PENDING_APPROVAL


@pytest.mark.parametrize(
    ("code", "status"),
    [("gansu-2026", VoterStatus.REGISTERED), ("xinhe-2020", VoterStatus.PENDING_APPROVAL)],
)
def test_manual_nonresident_follows_the_profile(cast: Cast, code: str, status: str) -> None:
    _use_profile(cast, code)
    voter = register_voter(
        cast.election_a,
        VoterData(name="张三", id_number=person(), category="nonresident"),
        actor=cast.users["member_a"],
    )
    assert voter.status == status


def test_preview_counts_rows_awaiting_approval_and_masks_a_bad_id(
    cast: Cast, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    good = person()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [["张三", person(), "", "户在人在"], ["李四", person(), "", "人在户不在"]]
    rows += [["王五", person(), "", "社区工作人员"], ["赵六", bad, "", "户在人在"]]
    with django_capture_on_commit_callbacks(execute=True):
        voter_import = imports.upload(
            cast.election_a, filename="名册.xlsx", data=xlsx(rows), actor=cast.users["member_a"]
        )
    voter_import.refresh_from_db()
    assert (voter_import.new_count, voter_import.pending_count, voter_import.error_count) == (
        3,
        2,
        1,
    )
    bad_row = VoterImportRow.objects.get(voter_import=voter_import, row_number=5)
    assert bad_row.id_masked == bad[:2] + "*" * 13 + bad[-3:]
    assert bad not in str(list(VoterImportRow.objects.values()))


def test_summary_counts_pending_separately(cast: Cast) -> None:
    data = xlsx([["张三", person(), "", "户在人在"], ["李四", person(), "", "人在户不在"]])
    _p, results, _l = imports.check_file(cast.election_a, data)
    summary = imports.Summary.of(results)
    assert (summary.new, summary.pending) == (2, 1)
