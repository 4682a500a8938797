"""Importing a voter roll: upload → stored preview → all-or-nothing commit; the
command line; the pages against the cast."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from config.celery import app
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


# -- the background check: broker down, dead workers, the sweep and 重新检查 --------------

UNREACHABLE_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


@contextmanager
def broker_down() -> Iterator[None]:
    """Point the Celery app at a closed port with eager off: what a web request meets
    when Redis is down. The embedded default (eager) is back afterwards."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    point_celery_at(UNREACHABLE_BROKER)
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = saved[1]
        point_celery_at(saved[0])


def point_celery_at(broker: str) -> None:
    """Send tasks to `broker` from now on, dropping connections made for the previous one."""
    app.conf.update(broker_url=broker)
    app.__dict__["_pool"] = None
    app.amqp.__dict__["_producer_pool"] = None


def later(minutes: int = 10) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def uploaded_not_queued(cast: Cast) -> VoterImport:
    """An upload whose check was never handed to the broker (its on_commit never ran)."""
    voter_import = imports.upload(
        cast.election_a, filename="名册.xlsx", data=xlsx(CLEAN), actor=cast.users["member_a"]
    )
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.UPLOADED and voter_import.queued_at is None
    return voter_import


def stalled_check(cast: Cast, *, attempts: int = 1, minutes_ago: int = 10) -> VoterImport:
    """A check whose worker died: processing, heartbeat `minutes_ago` old."""
    voter_import = uploaded_not_queued(cast)
    now = timezone.now()
    VoterImport.objects.filter(pk=voter_import.pk).update(
        status=ImportStatus.PROCESSING,
        progress=10,
        attempts=attempts,
        queued_at=now - dt.timedelta(minutes=minutes_ago + 1),
        heartbeat_at=now - dt.timedelta(minutes=minutes_ago),
    )
    voter_import.refresh_from_db()
    return voter_import


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the checks handed to the broker instead of running them."""
    sent: list[int] = []
    monkeypatch.setattr(imports, "_publish", sent.append)
    return sent


def test_publishing_gives_up_within_seconds_when_the_broker_is_down() -> None:
    assert imports.check_voter_import.ignore_result  # no result backend to wait for
    assert app.conf.broker_connection_timeout <= 3
    assert app.conf.broker_transport_options["socket_connect_timeout"] <= 3
    policy = app.conf.task_publish_retry_policy
    assert policy["max_retries"] <= 3 and policy["interval_max"] <= 1
    assert app.conf.result_backend_transport_options["retry_policy"]["max_retries"] <= 3


def test_upload_with_the_broker_down_keeps_the_file_and_says_the_check_will_start(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client("member_a")
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/c/XH01/voters/import/", {"file": SimpleUploadedFile("名册.xlsx", xlsx(CLEAN))}
        )
    voter_import = VoterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/c/XH01/voters/import/{voter_import.pk}/"
    assert (voter_import.status, voter_import.queued_at) == (ImportStatus.UPLOADED, None)
    assert imports.read_encrypted(voter_import.stored_file).startswith(b"PK")  # kept
    page = client.get(response["Location"]).content.decode()
    assert imports.QUEUE_DOWN_MESSAGE in page
    assert "重新检查" in page
    fragment = client.get(f"/c/XH01/voters/import/{voter_import.pk}/progress/")
    assert imports.QUEUE_DOWN_MESSAGE in fragment.content.decode()
    assert "HX-Refresh" not in fragment  # keeps polling until the check has run

    # The broker is back: the next sweep queues the check, nobody clicks anything.
    with django_capture_on_commit_callbacks(execute=True):
        result = imports.sweep_stalled_imports(later())
    assert result == imports.SweepResult(requeued=1, failed=0)
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PREVIEW and voter_import.new_count == 4
    requeued = AuditEvent.objects.get(action="elections.voter_import.requeued")
    assert requeued.actor_id is None and requeued.community_id == cast.community_a.pk
    assert AuditEvent.objects.filter(action="elections.voter_import.checked").count() == 1
    assert imports.QUEUE_DOWN_MESSAGE not in client.get(response["Location"]).content.decode()


def test_the_embedded_default_checks_at_once_without_notice_or_button(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client("member_a")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/c/XH01/voters/import/", {"file": SimpleUploadedFile("名册.xlsx", xlsx(CLEAN))}
        )
    voter_import = VoterImport.objects.get()
    assert voter_import.status == ImportStatus.PREVIEW and voter_import.queued_at is not None
    page = client.get(f"/c/XH01/voters/import/{voter_import.pk}/").content.decode()
    assert "重新检查" not in page and imports.QUEUE_DOWN_MESSAGE not in page


def test_each_finished_check_writes_one_system_audit_row(cast: Cast, upload: Any) -> None:
    good = upload(cast, xlsx([*CLEAN, row("", IDS[0])]))
    bad = upload(cast, b"not a spreadsheet")
    checked = AuditEvent.objects.get(action="elections.voter_import.checked")
    assert checked.actor_id is None and checked.object_id == str(good.pk)
    assert (checked.data["rows"], checked.data["errors"]) == (5, 1)
    failed = AuditEvent.objects.get(action="elections.voter_import.check_failed")
    assert failed.object_id == str(bad.pk)
    bad.refresh_from_db()
    assert failed.data["message"] == bad.message


def test_the_member_requeues_an_upload_that_never_started(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    voter_import = uploaded_not_queued(cast)
    client = cast.client("member_a")
    assert "重新检查" in client.get(f"/c/XH01/voters/import/{voter_import.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/c/XH01/voters/import/{voter_import.pk}/recheck/", follow=True)
    assert "已重新安排检查" in response.content.decode()
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PREVIEW
    event = AuditEvent.objects.get(action="elections.voter_import.requeued")
    assert event.actor_id == cast.users["member_a"].pk and event.data["reason"] == "手动重新检查"
    # Once checked, the button is refused with a message and nothing is queued again.
    again = client.post(f"/c/XH01/voters/import/{voter_import.pk}/recheck/", follow=True)
    assert "不需要重新检查" in again.content.decode()
    assert AuditEvent.objects.filter(action="elections.voter_import.requeued").count() == 1


def test_the_member_requeues_a_stalled_check_and_a_running_one_is_refused(
    cast: Cast, published: list[int]
) -> None:
    running = stalled_check(cast, minutes_ago=0)
    client = cast.client("member_a")
    page = client.get(f"/c/XH01/voters/import/{running.pk}/").content.decode()
    assert "重新检查" not in page
    refused = client.post(f"/c/XH01/voters/import/{running.pk}/recheck/", follow=True)
    assert "不需要重新检查" in refused.content.decode()
    stalled = stalled_check(cast, attempts=3)
    page = client.get(f"/c/XH01/voters/import/{stalled.pk}/").content.decode()
    assert imports.STALLED_MESSAGE in page and "重新检查" in page
    imports.recheck(stalled, actor=cast.users["member_a"])
    stalled.refresh_from_db()
    assert (stalled.status, stalled.attempts) == (ImportStatus.UPLOADED, 0)
    assert AuditEvent.objects.filter(action="elections.voter_import.requeued").count() == 1


@pytest.mark.parametrize("who", ["member_b", "no_role", "dept_reviewer"])
def test_other_users_cannot_requeue(cast: Cast, who: str) -> None:
    voter_import = uploaded_not_queued(cast)
    client = cast.client(who)
    assert client.post(f"/c/XH01/voters/import/{voter_import.pk}/recheck/").status_code == 404
    assert client.post(f"/c/XH02/voters/import/{voter_import.pk}/recheck/").status_code == 404
    assert not AuditEvent.objects.filter(action="elections.voter_import.requeued").exists()


def test_the_sweep_requeues_a_check_whose_heartbeat_stopped(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    voter_import = stalled_check(cast)
    with django_capture_on_commit_callbacks(execute=True):
        result = imports.sweep_stalled_imports()
    assert result == imports.SweepResult(requeued=1, failed=0)
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PREVIEW and voter_import.attempts == 2
    event = AuditEvent.objects.get(action="elections.voter_import.requeued")
    assert event.actor_id is None and "检查中断" in event.data["reason"]


def test_the_sweep_leaves_live_and_just_uploaded_checks_alone(
    cast: Cast, published: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    running = stalled_check(cast, minutes_ago=1)  # heartbeat 1 minute old: alive
    waiting = uploaded_not_queued(cast)  # just uploaded: within the grace period
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.sweep_stalled_imports() == imports.SweepResult(requeued=0, failed=0)
    assert published == []
    running.refresh_from_db()
    assert running.status == ImportStatus.PROCESSING
    # After the grace period the unqueued upload is queued; the live check still is not.
    grace = dt.timedelta(seconds=settings.VOTER_IMPORT_QUEUE_GRACE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.sweep_stalled_imports(timezone.now() + grace).requeued == 1
    assert published == [waiting.pk]
    assert not AuditEvent.objects.filter(
        action="elections.voter_import.requeued", object_id=str(running.pk)
    ).exists()


def test_two_sweeps_racing_claim_each_import_once(
    cast: Cast, published: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    stalled_check(cast)
    now = timezone.now()
    first, second = imports.stalled_imports(now), imports.stalled_imports(now)  # both read it
    assert len(first) == len(second) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.reclaim_stalled(first[0], now=now) == "requeued"
        assert imports.reclaim_stalled(second[0], now=now) == ""
    assert len(published) == 1
    assert AuditEvent.objects.filter(action="elections.voter_import.requeued").count() == 1
    # A second full sweep right after finds nothing to do either.
    assert imports.sweep_stalled_imports(now).requeued == 0


def test_a_check_that_keeps_dying_fails_after_the_attempt_limit(
    cast: Cast, published: list[int]
) -> None:
    limit = settings.VOTER_IMPORT_MAX_ATTEMPTS
    voter_import = stalled_check(cast, attempts=limit)
    imports.run_check(voter_import.pk)  # a redelivered message does not start it again
    voter_import.refresh_from_db()
    assert (voter_import.status, voter_import.attempts) == (ImportStatus.PROCESSING, limit)
    assert imports.sweep_stalled_imports() == imports.SweepResult(requeued=0, failed=1)
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.FAILED
    assert voter_import.message == imports.GAVE_UP_MESSAGE and "重新上传" in voter_import.message
    assert published == []
    event = AuditEvent.objects.get(action="elections.voter_import.check_failed")
    assert event.actor_id is None and event.data["attempts"] == limit
    page = cast.client("member_a").get(f"/c/XH01/voters/import/{voter_import.pk}/")
    assert imports.GAVE_UP_MESSAGE in page.content.decode()


def test_run_check_reclaims_a_stalled_check_but_not_a_live_one(cast: Cast) -> None:
    live = stalled_check(cast, minutes_ago=0)
    imports.run_check(live.pk)
    live.refresh_from_db()
    assert (live.status, live.attempts) == (ImportStatus.PROCESSING, 1)
    stalled = stalled_check(cast)
    imports.run_check(stalled.pk)  # the late redelivery of a dead worker's message
    stalled.refresh_from_db()
    assert (stalled.status, stalled.attempts) == (ImportStatus.PREVIEW, 2)
    assert stalled.heartbeat_at is not None


def test_a_check_taken_over_by_a_later_attempt_writes_nothing(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    voter_import = uploaded_not_queued(cast)
    real_check_file = imports.check_file

    def slow_check(*args: Any, **kwargs: Any) -> Any:
        # While this run works, the sweep gave up on it and another attempt claimed it.
        VoterImport.objects.filter(pk=voter_import.pk).update(attempts=F("attempts") + 1)
        return real_check_file(*args, **kwargs)

    monkeypatch.setattr(imports, "check_file", slow_check)
    imports.run_check(voter_import.pk)
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PROCESSING
    assert not VoterImportRow.objects.filter(voter_import=voter_import).exists()
    assert not AuditEvent.objects.filter(action="elections.voter_import.checked").exists()


def test_import_after_the_list_was_posted_warns_of_a_correction_notice(
    cast: Cast, upload: Any
) -> None:
    voter_import = upload(cast, xlsx(CLEAN))
    client = cast.client("member_a")
    url = f"/c/XH01/voters/import/{voter_import.pk}/"
    assert "更正（补正）名单" not in client.get(url).content.decode()

    cast.election_a.milestones.filter(kind="voter_list_published").update(
        done_on=dt.date(2026, 12, 31)
    )

    assert "已于2026年12月31日张榜公布" in client.get(url).content.decode()
    committed = client.post(f"{url}commit/", follow=True).content.decode()
    assert "更正（补正）名单" in committed


@pytest.mark.django_db(transaction=True)
def test_a_commit_holds_the_cycle_so_one_streets_imports_take_turns() -> None:
    """R11 is checked street-wide: while one community's import commits, another's must
    wait for it (the cycle row), but the community and street rows stay free."""
    from django.db import transaction

    from tests.ballots.test_locks import probe
    from tests.conftest import make_cast

    cast = make_cast()
    voter_import = imports.upload(
        cast.election_a, filename="名册.xlsx", data=xlsx(CLEAN), actor=cast.users["member_a"]
    )
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.PREVIEW  # checked on commit, in-process
    with probe() as locked, transaction.atomic():
        imports.commit(voter_import, actor=cast.users["member_a"])
        assert locked("elections_electioncycle", cast.election_a.cycle_id)
        assert locked("elections_communityelection", cast.election_a.pk)
        assert not locked("elections_community", cast.community_a.pk)
        assert not locked("elections_street", cast.street.pk)
    assert Voter.objects.filter(election=cast.election_a).count() == len(CLEAN)
