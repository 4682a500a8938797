"""Exports: the one xlsx writer (formula-safe cells), and a large roll export run as a
stored job — its page's progress, its download, who may open it, its audit rows, the
retention of its file, and its pinned query count."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from elections.exports import Book, Exporter, delete_expired_exports, stored_path, write_xlsx
from elections.models import AuditEvent, ExportJob, ExportStatus
from elections.registration.exports import VoterRollExporter, export_params, run_voter_export
from tests.conftest import Cast
from tests.registration.test_voter_pages import add_voter, bulk_voters

EXPORT = "/c/XH01/voters/export.xlsx"


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def big(settings: Any, tmp_path: Path) -> Path:
    """Exports of more than 3 rows become jobs; their files go under a fresh MEDIA_ROOT."""
    settings.EXPORT_DIRECT_MAX_ROWS = 3
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# -- the one writer ----------------------------------------------------------------------


class _Tricky(Exporter):
    sheet_title = "测试"

    def header(self) -> list[str]:
        return ["=标题", "值"]

    def rows(self) -> Any:
        yield [
            "=1+1",
            "+86 138",
            "-5",
            "@SUM(A1)",
            "a\x00b\x1fc",
            "",
            None,
            3,
            dt.date(2027, 1, 28),
        ]


def test_writer_keeps_formula_like_text_as_text_and_drops_illegal_characters() -> None:
    content = write_xlsx(_Tricky())
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    header, row = list(sheet.iter_rows())
    assert header[0].value == "=标题" and header[0].data_type == "s" and header[0].font.bold
    assert [c.value for c in row[:5]] == ["=1+1", "+86 138", "-5", "@SUM(A1)", "abc"]
    for cell in row[:4]:
        assert cell.data_type == "s"  # never a formula
        assert cell.quotePrefix  # and Excel keeps it text when the cell is edited
    assert not row[4].quotePrefix
    assert row[5].value is None and row[6].value is None
    assert row[7].value == 3
    assert row[8].value == dt.datetime(2027, 1, 28) and row[8].number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"


def test_book_formats_are_made_once() -> None:
    book = Book()
    assert book.row_style(bold=True) is book.row_style(bold=True)
    assert book.format(bold=True) is book.row_style(bold=True).plain
    book.close()


def test_direct_export_writes_a_formula_name_as_a_string(cast: Cast) -> None:
    add_voter(cast, name="=1+1")
    response = cast.client("member_a").get(EXPORT)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    name = sheet.cell(row=2, column=2)
    assert name.value == "=1+1" and name.data_type == "s" and name.quotePrefix
    assert not ExportJob.objects.exists()  # small: written in the request


# -- the stored job ----------------------------------------------------------------------


def test_large_export_runs_as_a_task_and_the_page_shows_progress_then_the_download(
    cast: Cast, big: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bulk_voters(cast.election_a, 4)
    add_voter(cast, name="=1+1")
    client = cast.client("member_a")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(EXPORT, {"status": "all"})

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/c/XH01/voters/exports/{job.pk}/"
    assert len(callbacks) == 1  # the task is sent on commit, not before
    assert (job.status, job.total_rows, job.community_id) == ("pending", 5, cast.community_a.pk)
    assert job.params == {"status": ["all"]}
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'role="progressbar"' in page and "排队中" in page
    assert "/download/" not in page

    callbacks[0]()  # the task (eager without a broker, as under `make run`)

    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.rows_written == 5
    assert stored_path(job).parent == big / "exports" and stored_path(job).exists()
    fragment = client.get(f"/c/XH01/voters/exports/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment  # polling stops
    assert f"/c/XH01/voters/exports/{job.pk}/download/" in fragment
    download = client.get(f"/c/XH01/voters/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    rows = _rows(download.content)
    assert len(rows) == 6
    assert "=1+1" in [row[1] for row in rows]
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    formula_like = [c for c in sheet["B"] if c.value == "=1+1"]
    assert formula_like[0].data_type == "s" and formula_like[0].quotePrefix


def test_each_export_request_and_each_download_is_audited(
    cast: Cast, big: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bulk_voters(cast.election_a, 4)
    client = cast.client("officer")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT)
    job = ExportJob.objects.get()
    requested = AuditEvent.objects.get(action="elections.voter.exported")
    assert requested.data == {"rows": 4, "filters": "全部在册选民", "job": job.pk}
    assert requested.community_id == cast.community_a.pk
    assert not AuditEvent.objects.filter(action="elections.export.downloaded").exists()

    for _ in range(2):
        client.get(f"/c/XH01/voters/exports/{job.pk}/download/")

    downloads = AuditEvent.objects.filter(action="elections.export.downloaded")
    assert downloads.count() == 2
    event = downloads.first()
    assert event is not None
    assert event.actor_id == cast.users["officer"].pk
    assert event.community_id == cast.community_a.pk
    assert event.object_id == str(job.pk)
    assert event.data == {"rows": 4, "filename": job.filename}


def test_stored_filters_keep_a_searched_id_number_only_as_its_hash(db: None) -> None:
    params = export_params(QueryDict("q=110101198004059152&q=110101198004059151&group=一组"))
    assert "q" not in params and params["group"] == ["一组"]
    assert len(params["idh"][0]) == 64
    assert "1101011980040591" not in str(params)  # neither number is kept


@pytest.mark.parametrize("role", ["member_b", "dept_reviewer", "no_role"])
def test_another_communitys_member_cannot_open_the_job_or_download_the_file(
    cast: Cast, big: Path, django_capture_on_commit_callbacks: Any, role: str
) -> None:
    bulk_voters(cast.election_a, 4)
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("member_a").get(EXPORT)
    job = ExportJob.objects.get(status=ExportStatus.DONE)
    client = cast.client(role)
    for suffix in ("", "progress/", "download/"):
        for code in ("XH01", "XH02"):
            status = client.get(f"/c/{code}/voters/exports/{job.pk}/{suffix}").status_code
            assert status in (403, 404), (code, suffix, status)
    if role == "member_b":
        # Their own community's address answers as for a job that does not exist.
        assert client.get(f"/c/XH02/voters/exports/{job.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="elections.export.downloaded").exists()


def test_a_street_reader_of_the_community_may_download(
    cast: Cast, big: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bulk_voters(cast.election_a, 4)
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("member_a").get(EXPORT)
    job = ExportJob.objects.get()
    response = cast.client("supervisor").get(f"/c/XH01/voters/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert len(_rows(response.content)) == 5


def test_the_task_is_safe_to_run_twice_and_pins_its_queries(
    cast: Cast, big: Path, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    bulk_voters(cast.election_a, 40)
    with django_capture_on_commit_callbacks() as callbacks:
        cast.client("member_a").get(EXPORT)
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    with django_assert_num_queries(4):
        # 1 claim the pending job (conditional UPDATE), 2 the job with its election,
        # community and cycle, 3 the voters (masked columns, one streamed query),
        # 4 mark it done. No query per row.
        run_voter_export(job.pk)
    job.refresh_from_db()
    first = job.stored_file
    with django_assert_num_queries(1):  # the claim finds nothing to do
        run_voter_export(job.pk)
    job.refresh_from_db()
    assert job.stored_file == first and len(list((big / "exports").iterdir())) == 1


def test_a_failed_export_shows_a_message(
    cast: Cast,
    big: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bulk_voters(cast.election_a, 4)

    def broken(self: VoterRollExporter) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(VoterRollExporter, "records", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("member_a").get(EXPORT)
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED
    assert not list((big / "exports").iterdir())  # no half-written file is left
    page = cast.client("member_a").get(response["Location"]).content.decode()
    assert "导出失败" in page and "请稍后重新导出" in page
    assert cast.client("member_a").get(f"{response['Location']}download/").status_code == 404


def test_export_files_are_deleted_after_the_retention_days(
    cast: Cast, big: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bulk_voters(cast.election_a, 4)
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("member_a").get(EXPORT)
    job = ExportJob.objects.get()
    path = stored_path(job)
    assert delete_expired_exports(now=job.created_at + dt.timedelta(days=6)) == 0
    assert path.exists()

    assert delete_expired_exports(now=job.created_at + dt.timedelta(days=8)) == 1
    assert delete_expired_exports(now=job.created_at + dt.timedelta(days=8)) == 0  # twice: no-op

    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not path.exists()
    client = cast.client("member_a")
    assert "已过期" in client.get(f"/c/XH01/voters/exports/{job.pk}/").content.decode()
    assert client.get(f"/c/XH01/voters/exports/{job.pk}/download/").status_code == 404
