"""Importing a voter roll: upload → stored preview → all-or-nothing commit; the
command line; the pages against the cast."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from elections.idnumbers import mask_id_number
from elections.models import AuditEvent
from elections.registration import importing as imports
from elections.registration.models import (
    ImportStatus,
    Voter,
    VoterImport,
    VoterImportRow,
    VoterStatus,
)
from elections.registration.services import VoterData, VoterError, register_voter
from elections.registration.xlsx.columns import ERROR_COLUMN, ROW_NUMBER_COLUMN
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
RNG = random.Random(20261124)


def person(birth: dt.date = dt.date(1980, 5, 17), gender: str = "男") -> str:
    return generate_valid_id(RNG, birth_date=birth, gender=gender)


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet["B"]:
        cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(
    name: str, number: str, category: str = "户在人在", group: str = "第一居民小组"
) -> list[Any]:
    return [name, number, "", "", "汉族", group, "新河路1号", "13812345678", category, ""]


IDS = [person(dt.date(1970 + i, 1 + i, 10 + i), "男" if i % 2 else "女") for i in range(4)]
CLEAN = [row(f"居民{i}", n) for i, n in enumerate(IDS)]


@pytest.fixture
def upload(cast: Cast, django_capture_on_commit_callbacks: Any) -> Any:
    """Upload as a committee member of XH01 and run the check queued on commit."""

    def do(cast: Cast, data: bytes, who: str = "member_a") -> VoterImport:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            voter_import = imports.upload(
                cast.election_a, filename="名册.xlsx", data=data, actor=cast.users[who]
            )
        assert len(callbacks) == 1  # the check task is sent after the upload commits
        return voter_import

    return do


def test_upload_checks_every_row_into_a_stored_preview(cast: Cast, upload: Any) -> None:
    bad_checksum = IDS[0][:-1] + ("0" if IDS[0][-1] != "0" else "1")
    data = xlsx(
        [*CLEAN[1:], row("坏号码", bad_checksum), row("年轻人", person(dt.date(2010, 1, 1)))]
    )
    voter_import = upload(cast, data)
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PREVIEW
    assert (voter_import.total_rows, voter_import.new_count, voter_import.error_count) == (5, 3, 2)
    states = dict(
        VoterImportRow.objects.filter(voter_import=voter_import).values_list("row_number", "state")
    )
    assert states == {2: "new", 3: "new", 4: "new", 5: "error", 6: "error"}
    young = VoterImportRow.objects.get(voter_import=voter_import, row_number=6)
    assert "未满18周岁" in young.messages[0]["text"]
    # Nothing reaches the roll before commit.
    assert Voter.objects.count() == 0
    assert AuditEvent.objects.filter(action="elections.voter_import.uploaded").count() == 1


def test_the_stored_upload_is_encrypted(cast: Cast, upload: Any) -> None:
    data = xlsx(CLEAN)
    voter_import = upload(cast, data)
    blob = (Path(settings.MEDIA_ROOT) / "imports" / voter_import.stored_file).read_bytes()
    assert not blob.startswith(b"PK")  # not the xlsx (zip) itself
    assert imports.read_encrypted(voter_import.stored_file) == data


def test_preview_rows_hold_no_full_id_number(cast: Cast, upload: Any) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    stored = str(list(VoterImportRow.objects.filter(voter_import=voter_import).values()))
    for number in IDS:
        assert number not in stored


def test_commit_is_refused_while_any_row_has_an_error(cast: Cast, upload: Any) -> None:
    data = xlsx([*CLEAN, row("", IDS[0])])  # empty name and a duplicate inside the file
    voter_import = upload(cast, data)
    voter_import.refresh_from_db()
    assert voter_import.error_count == 1
    with pytest.raises(VoterError, match="还有 1 行有错误"):
        imports.commit(voter_import, actor=cast.users["member_a"])
    assert Voter.objects.count() == 0
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PREVIEW


def test_clean_file_commits_every_row_and_only_once(cast: Cast, upload: Any) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    imports.commit(voter_import, actor=cast.users["member_a"])
    voters = Voter.objects.filter(election=cast.election_a)
    assert voters.count() == 4
    assert set(voters.values_list("source_import", flat=True)) == {voter_import.pk}
    event = AuditEvent.objects.get(action="elections.voter_import.committed")
    assert event.data["created"] == 4 and event.community_id == cast.community_a.pk
    with pytest.raises(VoterError, match="已经导入过了"):
        imports.commit(voter_import, actor=cast.users["member_a"])
    assert voters.count() == 4


def test_reimporting_the_same_file_changes_nothing(cast: Cast, upload: Any) -> None:
    imports.commit(upload(cast, xlsx(CLEAN)), actor=cast.users["member_a"])
    before = list(Voter.objects.order_by("pk").values())
    again = upload(cast, xlsx(CLEAN))
    again.refresh_from_db()
    assert (again.unchanged_count, again.new_count, again.update_count) == (4, 0, 0)
    assert not again.committable
    assert list(Voter.objects.order_by("pk").values()) == before


def test_corrected_file_updates_existing_voters_by_id_number(cast: Cast, upload: Any) -> None:
    imports.commit(upload(cast, xlsx(CLEAN)), actor=cast.users["member_a"])
    corrected = [list(r) for r in CLEAN]
    corrected[0][5] = "第二居民小组"
    corrected[1][0] = "居民一改"
    second = upload(cast, xlsx(corrected))
    second.refresh_from_db()
    assert (second.update_count, second.unchanged_count) == (2, 2)
    imports.commit(second, actor=cast.users["member_a"])
    assert Voter.objects.get(name="居民0").group == "第二居民小组"
    assert Voter.objects.filter(name="居民一改").count() == 1
    assert Voter.objects.count() == 4


def test_person_registered_in_another_community_is_an_error_naming_it(
    cast: Cast, upload: Any
) -> None:
    register_voter(
        cast.election_b,
        VoterData(name="已登记", id_number=IDS[2], category="resident"),
        actor=cast.users["member_b"],
    )
    voter_import = upload(cast, xlsx(CLEAN))
    error = VoterImportRow.objects.get(voter_import=voter_import, state="error")
    assert error.row_number == 4
    assert "三角塘社区（XH02）" in error.messages[0]["text"]


def test_commit_is_all_or_nothing_when_the_roll_changed_after_the_preview(
    cast: Cast, upload: Any
) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    voter_import.refresh_from_db()
    assert voter_import.committable
    # Someone registers one of these people in XH02 between preview and commit.
    register_voter(
        cast.election_b,
        VoterData(name="抢先", id_number=IDS[3], category="resident"),
        actor=cast.users["member_b"],
    )
    with pytest.raises(VoterError, match="有 1 行出现错误"):
        imports.commit(voter_import, actor=cast.users["member_a"])
    assert Voter.objects.filter(election=cast.election_a).count() == 0
    assert not AuditEvent.objects.filter(action="elections.voter_import.committed").exists()


def test_categories_needing_approval_are_imported_pending(cast: Cast, upload: Any) -> None:
    data = xlsx([row("外来", IDS[0], "人在户不在"), row("社工", IDS[1], "社区工作人员"), CLEAN[2]])
    imports.commit(upload(cast, data), actor=cast.users["member_a"])
    statuses = dict(Voter.objects.values_list("name", "status"))
    assert statuses == {
        "外来": VoterStatus.PENDING_APPROVAL,
        "社工": VoterStatus.PENDING_APPROVAL,
        "居民2": VoterStatus.REGISTERED,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,id\n", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ""),
    ],
)
def test_unreadable_files_fail_with_a_message_not_an_error(
    cast: Cast, content: bytes, message: str, upload: Any
) -> None:
    voter_import = upload(cast, content)
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.FAILED
    assert message in voter_import.message and voter_import.message
    page = cast.client("member_a").get(f"/c/XH01/voters/import/{voter_import.pk}/")
    assert page.status_code == 200
    assert voter_import.message in page.content.decode()


def test_header_only_file_fails_clearly(cast: Cast, upload: Any) -> None:
    voter_import = upload(cast, xlsx([]))
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.FAILED
    assert "没有" in voter_import.message


def test_running_the_check_twice_does_nothing_the_second_time(cast: Cast, upload: Any) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    rows = VoterImportRow.objects.filter(voter_import=voter_import).count()
    imports.run_check(voter_import.pk)
    assert VoterImportRow.objects.filter(voter_import=voter_import).count() == rows == 4


def test_error_report_lists_only_problem_rows_masked_and_is_audited(
    cast: Cast, upload: Any
) -> None:
    young = person(dt.date(2012, 3, 3))
    data = xlsx([*CLEAN, row("年轻人", young)])
    voter_import = upload(cast, data)
    assert not AuditEvent.objects.filter(
        action="elections.voter_import.error_report_downloaded"
    ).exists()

    response = cast.client("member_a").get(f"/c/XH01/voters/import/{voter_import.pk}/errors.xlsx")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == ROW_NUMBER_COLUMN and rows[0][-1] == ERROR_COLUMN
    assert len(rows) == 2  # the header and the one row with a problem
    assert rows[1][0] == 6  # its row in the uploaded sheet
    assert "未满18周岁" in str(rows[1][-1])
    assert rows[1][2] == mask_id_number(young)
    for number in [young, *IDS, "13812345678"]:
        assert number.encode() not in _all_xml(response.content)
    event = AuditEvent.objects.get(action="elections.voter_import.error_report_downloaded")
    assert event.actor_id == cast.users["member_a"].pk
    assert event.community_id == cast.community_a.pk
    assert event.data == {"filename": voter_import.filename, "rows": 1}


def _all_xml(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return b"".join(zf.read(name) for name in zf.namelist())


# -- pages ----------------------------------------------------------------------------


def test_member_uploads_sees_preview_and_commits_in_the_browser_flow(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client("member_a")
    template = client.get("/c/XH01/voters/import/template.xlsx")
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/c/XH01/voters/import/",
            {"file": SimpleUploadedFile("名册.xlsx", xlsx(CLEAN))},
        )
    voter_import = VoterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/c/XH01/voters/import/{voter_import.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "确认导入（新增 4，更新 0）" in page
    committed = client.post(f"/c/XH01/voters/import/{voter_import.pk}/commit/", follow=True)
    assert "已导入" in committed.content.decode()
    assert Voter.objects.count() == 4
    # A double submission of the commit form changes nothing and explains why.
    again = client.post(f"/c/XH01/voters/import/{voter_import.pk}/commit/", follow=True)
    assert "已经导入过了" in again.content.decode()
    assert Voter.objects.count() == 4


def test_upload_without_a_file_asks_for_one(cast: Cast) -> None:
    response = cast.client("member_a").post("/c/XH01/voters/import/", {})
    assert response.status_code == 200
    assert "请选择要上传的文件" in response.content.decode()
    assert not VoterImport.objects.exists()


def test_progress_fragment_polls_while_running_and_refreshes_when_done(
    cast: Cast, upload: Any
) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    client = cast.client("member_a")
    done = client.get(f"/c/XH01/voters/import/{voter_import.pk}/progress/")
    assert done["HX-Refresh"] == "true"
    VoterImport.objects.filter(pk=voter_import.pk).update(
        status=ImportStatus.PROCESSING, progress=40
    )
    running = client.get(f"/c/XH01/voters/import/{voter_import.pk}/progress/")
    assert "HX-Refresh" not in running
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "40%" in running.content.decode()


EDITORS = {"officer", "member_a", "chair_a"}


@pytest.mark.parametrize(
    "role",
    [
        "officer",
        "member_a",
        "chair_a",
        "member_b",
        "dept_reviewer",
        "org_reviewer",
        "supervisor",
        "no_role",
        "anonymous",
    ],
)
def test_import_pages_answer_each_role(cast: Cast, role: str, upload: Any) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    client = cast.client(role)
    paths = [
        "/c/XH01/voters/import/",
        "/c/XH01/voters/import/template.xlsx",
        f"/c/XH01/voters/import/{voter_import.pk}/",
        f"/c/XH01/voters/import/{voter_import.pk}/progress/",
        f"/c/XH01/voters/import/{voter_import.pk}/errors.xlsx",
    ]
    for path in paths:
        status = client.get(path).status_code
        if role == "anonymous":
            assert status == 302, path
        elif role in EDITORS:
            assert status == 200, (role, path)
        else:
            assert status == 404, (role, path)
    response = client.post(f"/c/XH01/voters/import/{voter_import.pk}/commit/")
    imported = Voter.objects.count()
    if role in EDITORS:
        assert response.status_code == 302 and imported == 4
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert imported == 0


def test_an_import_of_another_community_is_not_found(cast: Cast, upload: Any) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    # member_b cannot reach it through their own community's URL either.
    response = cast.client("member_b").get(f"/c/XH02/voters/import/{voter_import.pk}/")
    assert response.status_code == 404


# -- the command line ------------------------------------------------------------------


def run_cli(tmp_path: Path, data: bytes, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_voters", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_check_of_a_clean_file_exits_0_and_imports_nothing(cast: Cast, tmp_path: Path) -> None:
    code, out, _err = run_cli(tmp_path, xlsx(CLEAN), "--community", "XH01")
    assert code == 0
    assert "新增 4" in out and "--commit" in out
    assert Voter.objects.count() == 0


def test_cli_commit_of_a_clean_file_imports_it(cast: Cast, tmp_path: Path) -> None:
    code, out, _err = run_cli(tmp_path, xlsx(CLEAN), "--community", "XH01", "--commit")
    assert code == 0 and "已导入" in out
    assert Voter.objects.filter(election=cast.election_a).count() == 4
    assert (
        AuditEvent.objects.get(action="elections.voter_import.committed").data["via"]
        == "command line"
    )


def test_cli_file_with_errors_exits_1_prints_rows_and_imports_nothing(
    cast: Cast, tmp_path: Path
) -> None:
    data = xlsx([*CLEAN, row("年轻人", person(dt.date(2012, 3, 3)))])
    code, out, err = run_cli(tmp_path, data, "--community", "XH01", "--commit")
    assert code == 1
    assert "第6行 错误 [身份证号]" in out
    assert "没有导入任何数据" in err
    assert Voter.objects.count() == 0


def test_cli_unknown_community_and_unreadable_file_exit_1(cast: Cast, tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, xlsx(CLEAN), "--community", "NOPE")
    assert code == 1 and "没有找到社区 NOPE" in err
    code, _out, err = run_cli(tmp_path, b"not a spreadsheet", "--community", "XH01")
    assert code == 1 and err.strip()
    assert Voter.objects.count() == 0


def test_person_registered_in_another_streets_election_is_a_warning(
    cast: Cast, upload: Any
) -> None:
    other = cast.community_other_street.elections.get()
    register_voter(
        other,
        VoterData(name="青竹居民", id_number=IDS[1], category="resident"),
        actor=cast.admin,
    )
    voter_import = upload(cast, xlsx(CLEAN))
    voter_import.refresh_from_db()
    assert (voter_import.warning_count, voter_import.new_count, voter_import.error_count) == (
        1,
        3,
        0,
    )
    warned = VoterImportRow.objects.get(voter_import=voter_import, state="warning")
    assert warned.row_number == 3
    assert "青竹湖街道青竹社区（QH01）" in warned.messages[0]["text"]
    # A warning does not block: the person is registered here too after checking.
    imports.commit(voter_import, actor=cast.users["member_a"])
    assert Voter.objects.filter(election=cast.election_a).count() == 4


def test_manual_registration_reports_another_streets_registration(cast: Cast) -> None:
    other = cast.community_other_street.elections.get()
    register_voter(
        other, VoterData(name="甲", id_number=IDS[0], category="resident"), actor=cast.admin
    )
    voter = register_voter(
        cast.election_a,
        VoterData(name="甲", id_number=IDS[0], category="resident"),
        actor=cast.admin,
    )
    assert voter.warnings == [  # type: ignore[attr-defined]
        "此人已在青竹湖街道青竹社区（QH01）登记（另一街道），请核实，避免重复登记（规则 R11）"
    ]


def test_preview_shows_problem_rows_first_and_all_rows_on_request(cast: Cast, upload: Any) -> None:
    data = xlsx([*CLEAN, row("年轻人", person(dt.date(2012, 3, 3)))])
    voter_import = upload(cast, data)
    client = cast.client("member_a")
    first = client.get(f"/c/XH01/voters/import/{voter_import.pk}/")
    assert [r.row_number for r in first.context["page"]] == [6]
    everything = client.get(f"/c/XH01/voters/import/{voter_import.pk}/", {"state": "all"})
    assert [r.row_number for r in everything.context["page"]] == [2, 3, 4, 5, 6]
    new_only = client.get(f"/c/XH01/voters/import/{voter_import.pk}/", {"state": "new"})
    assert [r.row_number for r in new_only.context["page"]] == [2, 3, 4, 5]
