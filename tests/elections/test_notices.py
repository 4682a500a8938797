"""张榜公布: notices published once on their milestone dates, numbered per community,
immutable PDFs with their SHA-256, corrections as new versions, the command's
contract, no personal numbers in any PDF, rare characters rendered, and the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import threading
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from elections.models import AuditEvent, CommunityElection, Milestone, Notice
from elections.notices import publishing
from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    PersonalDataError,
    guard,
    notice_kinds,
    register_notice_kind,
)
from elections.notices.rendering import render_pdf
from elections.registration.models import Voter
from elections.registration.services import VoterData, register_voter, reveal_id_number
from tests.conftest import Cast, new_id

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def add_voters(election: CommunityElection, actor: Any, n: int = 3) -> list[Voter]:
    out = []
    for i in range(n):
        birth = dt.date(1970 + i, 3, 4)
        out.append(
            register_voter(
                election,
                VoterData(
                    name=f"居民{i}",
                    id_number=new_id(birth, "男" if i % 2 else "女"),
                    category="resident",
                    group="第一居民小组",
                    phone=f"1391234567{i}",
                    address=f"新河路{i}号",
                ),
                actor=actor,
            )
        )
    return out


PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFFONTS = shutil.which("pdffonts") or "/usr/bin/pdffonts"


def text_of(pdf_path: str) -> str:
    """The PDF's text with all whitespace removed (lines wrap anywhere in Chinese)."""
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, pdf_path, "-"], capture_output=True, check=True, text=True
    ).stdout
    return re.sub(r"\s+", "", out)


def voter_list_day(election: CommunityElection) -> dt.date:
    m = Milestone.objects.get(election=election, kind="voter_list_published")
    return m.done_on or m.date


def test_due_notices_publish_once_numbered_with_their_hash(cast: Cast) -> None:
    voters = add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)
    assert publishing.publish_due(day - dt.timedelta(days=1)).published == []
    run = publishing.publish_due(day)
    assert [(n.election.community.code, n.kind, n.number) for n in run.published] == [
        ("XH01", "N3", 1)
    ]
    # XH02 has no voters: its list waits, with the reason.
    waiting = {(e.community.code, code): why for e, code, why in run.waiting}
    assert waiting[("XH02", "N3")] == "选民名册中还没有登记的选民"
    assert ("XH01", "N3") not in waiting
    assert publishing.publish_due(day).published == []  # a second run publishes nothing
    notice = Notice.objects.get()
    content = Path(notice.pdf.path).read_bytes()
    assert hashlib.sha256(content).hexdigest() == notice.sha256
    text = text_of(notice.pdf.path)
    assert "选民名单公告" in text and "第1号" in text and "居民0" in text
    for v in voters:
        assert reveal_id_number(v) not in text and v.phone not in text
    assert not re.search(r"\d{15,18}", text)
    assert AuditEvent.objects.filter(action="elections.notice.published").count() == 1


def test_catching_up_after_downtime_records_how_late(cast: Cast) -> None:
    add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)
    run = publishing.publish_due(day + dt.timedelta(days=3))
    n3 = next(n for n in run.published if n.kind == "N3")
    assert n3.late_days == 3 and n3.due_on == day


def test_a_worker_killed_mid_render_leaves_nothing_and_the_next_run_publishes_once(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)
    real = publishing.render_pdf

    def dies(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # what a killed process looks like from inside

    monkeypatch.setattr(publishing, "render_pdf", dies)
    with pytest.raises(KeyboardInterrupt):
        publishing.publish(cast.election_a, "N3", actor=None, today=day, due_on=day)
    assert not Notice.objects.exists()
    monkeypatch.setattr(publishing, "render_pdf", real)
    assert len(publishing.publish_due(day).published) == 1
    assert Notice.objects.filter(kind="N3").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_publish_once(settings: Any, tmp_path: Path) -> None:
    from tests.conftest import make_cast

    cast = make_cast()
    add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(len(publishing.publish_due(day).published))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 1]
    assert Notice.objects.filter(kind="N3").count() == 1


def test_a_correction_keeps_both_versions(cast: Cast) -> None:
    add_voters(cast.election_a, cast.users["officer"])
    first = publishing.publish(cast.election_a, "N3", actor=cast.users["officer"], today=TODAY)
    assert first is not None
    assert publishing.publish(cast.election_a, "N3", actor=None, today=TODAY) is None
    with pytest.raises(publishing.NoticeError, match="理由"):
        publishing.correct(first, reason=" ", actor=cast.users["officer"])
    second = publishing.correct(
        first, reason="漏登一名选民", actor=cast.users["officer"], today=TODAY
    )
    assert (second.number, second.version, second.replaces_id) == (2, 2, first.pk)
    assert Path(first.pdf.path).exists() and Path(second.pdf.path).exists()
    assert "更正公告" in text_of(second.pdf.path) and "漏登一名选民" in text_of(second.pdf.path)
    with pytest.raises(publishing.NoticeError, match="最新"):
        publishing.correct(first, reason="再改", actor=cast.users["officer"])
    assert AuditEvent.objects.filter(action="elections.notice.corrected").count() == 1


def test_the_command_prints_one_line_per_notice_and_exits_0(cast: Cast) -> None:
    add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)
    out = StringIO()
    call_command("publish_due_notices", "--today", day.isoformat(), stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    code, number, title, path = lines[0].split("\t")
    assert (code, number, title) == ("XH01", "第1号", "选民名单公告")
    assert Path(path).exists()
    out = StringIO()
    call_command("publish_due_notices", "--today", day.isoformat(), stdout=out, stderr=StringIO())
    assert out.getvalue() == ""


def test_the_command_exits_1_when_a_render_failed(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("磁盘已满")

    monkeypatch.setattr(publishing, "render_pdf", broken)
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "publish_due_notices", "--today", day.isoformat(), stdout=StringIO(), stderr=err
        )
    assert exc.value.code == 1
    assert "生成失败" in err.getvalue() and "磁盘已满" in err.getvalue()
    assert not Notice.objects.exists()


def test_the_command_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("publish_due_notices", "--today", "2026/12/02")


def test_a_builder_that_reaches_for_an_id_number_is_refused() -> None:
    with pytest.raises(PersonalDataError):
        guard(NoticeData(body=["张三 430105197001011234"]))
    with pytest.raises(PersonalDataError):
        guard(NoticeData(tables=[("", ["电话"], [["13912345678"]])]))
    assert guard(NoticeData(body=["43*************234"]))  # the masked form is fine


def test_rare_characters_render_with_no_missing_glyph(tmp_path: Path) -> None:
    pdf, _ = render_pdf(
        "notices/notice.html",
        {
            "heading": "测试",
            "issuer": "测试",
            "number_label": "样稿",
            "issued_on": TODAY,
            "legal_basis": "",
            "posting_days": 1,
            "data": NoticeData(body=["王䶮、李𬭚、𠮷野"]),
            "replaces": None,
            "correction_reason": "",
        },
    )
    path = tmp_path / "rare.pdf"
    path.write_bytes(pdf)
    assert "王䶮、李𬭚、𠮷野" in text_of(str(path))
    fonts = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFFONTS, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Huanjie-Serif" in fonts  # the shipped font, not the host's, for common text
    # Every character of the line has a glyph: in the shipped subset or the fallback.
    from fontTools.ttLib import TTCollection, TTFont

    shipped = TTFont(
        Path(__file__).parents[2] / "static/fonts/NotoSerifSC-Regular.ttf"
    ).getBestCmap()
    fallback = TTCollection("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").fonts[2]
    cmap = fallback.getBestCmap()
    assert all(ord(ch) in shipped or ord(ch) in cmap for ch in "王䶮、李𬭚、𠮷野")


def test_every_registered_kind_has_a_basis_and_a_distinct_code() -> None:
    kinds = notice_kinds()
    codes = [k.code for k in kinds]
    assert len(codes) == len(set(codes))
    assert {"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N18"} <= set(codes)
    assert all(k.legal_basis for k in kinds)


def test_a_kind_registered_by_an_app_is_published_on_its_milestone(cast: Cast) -> None:
    built: list[int] = []

    def build(public: Any) -> NoticeData:
        built.append(public.pk)
        return NoticeData(body=[f"{public.community_name}测试公告"])

    register_notice_kind(
        NoticeKind("N99", "测试公告", build, "测试", posting_days=3, milestone="election_day")
    )
    try:
        run = publishing.publish_due(cast.election_a.election_day)
        assert {n.kind for n in run.published} >= {"N99"}
    finally:
        from elections.notices import registry

        registry._KINDS.pop("N99", None)


@pytest.mark.parametrize(
    ("name", "get", "post"),
    [
        ("officer", 200, 302),
        ("member_a", 200, 302),
        ("supervisor", 200, 404),
        ("org_reviewer", 200, 404),
        ("member_b", 404, 404),
        ("dept_reviewer", 404, 404),
    ],
)
def test_notice_pages_against_the_cast(cast: Cast, name: str, get: int, post: int) -> None:
    add_voters(cast.election_a, cast.users["officer"])
    client = cast.client(name)
    assert client.get("/c/XH01/notices/").status_code == get
    response = client.get("/c/XH01/notices/N3/preview/")
    assert response.status_code == get
    if get == 200:
        assert response["Content-Type"] == "application/pdf"
    assert client.post("/c/XH01/notices/N3/publish/").status_code == post
    assert Notice.objects.filter(kind="N3").exists() is (post == 302)
    if post == 302:
        notice = Notice.objects.get(kind="N3")
        pdf = client.get(f"/c/XH01/notices/{notice.pk}/pdf/")
        assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == notice.sha256
        assert pdf.content.startswith(b"%PDF")
        assert cast.client("member_b").get(f"/c/XH01/notices/{notice.pk}/pdf/").status_code == 404


def jpeg_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_posting_starts_the_objection_clock_from_the_wall(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from elections.registration.objections import objection_window

    add_voters(cast.election_a, cast.users["officer"])
    milestone = Milestone.objects.get(election=cast.election_a, kind="voter_list_published")
    issued = milestone.date - dt.timedelta(days=1)
    notice = publishing.publish(cast.election_a, "N3", actor=None, today=issued)
    assert notice is not None
    with pytest.raises(publishing.NoticeError, match="地点"):
        publishing.record_posting(
            notice,
            posted_on=milestone.date,
            place=" ",
            actor=cast.users["member_a"],
            today=milestone.date,
        )
    fake = SimpleUploadedFile("wall.jpg", b"\xff\xd8\xff not a jpeg", content_type="image/jpeg")
    with pytest.raises(publishing.NoticeError, match="不是能识别的图片"):
        publishing.record_posting(
            notice,
            posted_on=milestone.date,
            place="社区公示栏",
            photo=fake,
            actor=cast.users["member_a"],
            today=milestone.date,
        )
    assert not notice.postings.exists()
    photo = SimpleUploadedFile("wall.jpg", jpeg_bytes(), content_type="image/jpeg")
    posting = publishing.record_posting(
        notice,
        posted_on=milestone.date,
        place="社区公示栏",
        photo=photo,
        actor=cast.users["member_a"],
        today=milestone.date,
    )
    assert posting.photo.name.endswith(".jpg")
    assert Path(posting.photo.path).read_bytes() == jpeg_bytes()  # rewound, stored whole
    milestone.refresh_from_db()
    assert milestone.done_on == posting.posted_on
    window = objection_window(CommunityElection.objects.get(pk=cast.election_a.pk))
    assert window is not None and window.published == posting.posted_on and not window.planned
    assert AuditEvent.objects.filter(action="elections.notice.posted").count() == 1
    page = cast.client("member_a").get("/c/XH01/notices/").content.decode()
    assert "张贴于社区公示栏" in page


def test_a_failed_render_shows_on_the_page_and_a_retry_publishes(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from elections.models import NoticeFailure

    add_voters(cast.election_a, cast.users["officer"])
    day = voter_list_day(cast.election_a)
    real = publishing.render_pdf

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("字体文件缺失")

    monkeypatch.setattr(publishing, "render_pdf", broken)
    publishing.publish_due(day)
    publishing.publish_due(day)
    failure = NoticeFailure.objects.get(kind="N3")
    assert failure.attempts == 2 and "字体文件缺失" in failure.error
    client = cast.client("member_a")
    page = client.get("/c/XH01/notices/").content.decode()
    assert "生成失败（2次" in page and "字体文件缺失" in page and "重试" in page
    # A retry by hand that fails again is shown, never a 500.
    response = client.post("/c/XH01/notices/N3/publish/", follow=True)
    assert response.status_code == 200 and "错误已记录在本页" in response.content.decode()
    monkeypatch.setattr(publishing, "render_pdf", real)
    client.post("/c/XH01/notices/N3/publish/")
    assert Notice.objects.filter(kind="N3").count() == 1
    assert not NoticeFailure.objects.exists()


def test_a_long_voter_list_publishes_in_chunks_with_progress_and_no_numbers(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than LONG_LIST_ROWS voters: the real N3 goes the chunked way (worker
    processes), reports its progress while it renders, clears it when done, and its PDF
    holds every name and no ID or phone number."""
    from elections.notices import longlist, progress

    officer = cast.users["officer"]
    n = longlist.LONG_LIST_ROWS + 60
    ids, phones = [], []
    for i in range(n):
        ids.append(new_id(dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28), "男" if i % 2 else "女"))
        phones.append(f"139{i:08d}")
        register_voter(
            cast.election_a,
            VoterData(
                name=f"长名单{i}",
                id_number=ids[-1],
                category="resident",
                group=("第一居民小组", "第二居民小组")[i % 2],
                phone=phones[-1],
                address=f"新河路{i}号",
            ),
            actor=officer,
        )
    reports: list[tuple[int, int]] = []
    real_report = progress.report

    def spy(election_id: int, kind: str, done: int, total: int) -> None:
        reports.append((done, total))
        real_report(election_id, kind, done, total)
        # What another process reads while it renders.
        assert progress.of(election_id, [kind])[kind]["done"] == done

    monkeypatch.setattr(progress, "report", spy)
    monkeypatch.setattr(longlist, "CHUNK_PAGES", 5)  # several chunks of this short list
    notice = publishing.publish(cast.election_a, "N3", actor=officer, today=TODAY)
    assert notice is not None
    assert reports[0] == (0, 0) and reports[-1] == (notice.pages, notice.pages)
    dones = [d for d, _t in reports[1:]]
    assert dones == sorted(dones) and len(dones) >= 2  # one report per chunk
    assert progress.of(cast.election_a.pk, ["N3"]) == {}
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, "-layout", notice.pdf.path, "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = [p for p in out.split("\f") if p.strip()]
    assert len(pages) == notice.pages > 10
    for i, page in enumerate(pages, start=1):
        assert re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", page) == [
            (str(i), str(notice.pages))
        ]
    flat = re.sub(r"\s+", "", out)
    assert all(f"长名单{i}" in flat for i in range(n))
    assert not any(number in flat for number in ids + phones)
    assert not re.search(r"\d{15,18}", flat)


def test_the_page_shows_a_render_in_progress_and_refreshes(cast: Cast) -> None:
    from elections.notices import progress

    client = cast.client("member_a")
    page = client.get("/c/XH01/notices/").content.decode()
    assert 'http-equiv="refresh"' not in page
    progress.report(cast.election_a.pk, "N3", 0, 0)
    page = client.get("/c/XH01/notices/").content.decode()
    assert "正在整理名单和排版" in page and 'http-equiv="refresh"' in page
    progress.report(cast.election_a.pk, "N3", 100, 772)
    page = client.get("/c/XH01/notices/").content.decode()
    assert "已排好 100 / 772 页" in page
    assert "/c/XH01/notices/N3/publish/" not in page  # no second start while it runs
    # Another community's page knows nothing of it.
    assert "已排好" not in cast.client("member_b").get("/c/XH02/notices/").content.decode()
    progress.clear(cast.election_a.pk, "N3")
    assert "已排好" not in client.get("/c/XH01/notices/").content.decode()


def test_with_a_worker_publishing_by_hand_is_queued_after_the_commit(
    cast: Cast,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from elections import tasks
    from elections.notices import progress

    add_voters(cast.election_a, cast.users["officer"])
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.publish_notice, "delay", lambda *a, **kw: sent.append((a, kw)), raising=False
    )
    client = cast.client("member_a")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/c/XH01/notices/N3/publish/", follow=True)
    assert "正在后台生成" in response.content.decode() and sent == []
    for callback in callbacks:
        callback()
    member = cast.users["member_a"]
    assert sent == [((cast.election_a.pk, "N3"), {"actor_id": member.pk})]
    assert "N3" in progress.of(cast.election_a.pk, ["N3"])
    assert not Notice.objects.exists()
    # The worker's side: publishes as that user, clears the progress.
    notice_id = tasks.publish_notice(cast.election_a.pk, "N3", actor_id=member.pk)
    assert notice_id is not None
    notice = Notice.objects.get(pk=notice_id)
    assert notice.published_by == member
    assert progress.of(cast.election_a.pk, ["N3"]) == {}
    assert tasks.publish_notice(cast.election_a.pk, "N3") is None  # safe twice


def test_the_task_records_a_failed_render_for_the_page(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from elections import tasks
    from elections.models import NoticeFailure

    add_voters(cast.election_a, cast.users["officer"])

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("磁盘已满")

    monkeypatch.setattr(publishing, "render_pdf", broken)
    assert tasks.publish_notice(cast.election_a.pk, "N3") is None
    assert "磁盘已满" in NoticeFailure.objects.get(kind="N3").error
    assert not Notice.objects.exists()
