"""The archive (归档) of a certified community election (issue 11 item 8): the same data
gives the same manifest and the same zip bytes; the manifest verifies and a tampered zip
fails (command and page); the PDF has every section, both entries of a differing sheet
and how the chair resolved them, the notices' own pages, and no full ID number; the
audit section stops at the certification; the task; the page against the cast."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from ballots import archive
from ballots.models import Archive, ArchiveStatus, Certification
from ballots.tasks import build_archive
from elections import audit
from elections.models import AuditEvent, Notice
from tests.ballots.archive_helpers import certified_day, certify
from tests.ballots.helpers import Day
from tests.candidates.committee_slate_helpers import _issued as _roll_ids
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast, _issued_ids

ARCHIVE_READERS = {"officer", "supervisor"}
PAGE = "/c/XH01/ballots/archive/"
ZIP = "/c/XH01/ballots/archive/archive.zip"
PDF = "/c/XH01/ballots/archive/archive.pdf"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def certified(cast: Cast) -> tuple[Day, Certification]:
    return certified_day(cast)


@pytest.fixture
def built(certified: tuple[Day, Certification]) -> Archive:
    a = archive.build(certified[1])
    assert a.status == ArchiveStatus.READY, a.error
    return a


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def body_of(response: Any) -> bytes:
    """A FileResponse's bytes. Reading it to the end closes its file (the test client
    wraps it); calling response.close() as well would close the database connection."""
    return b"".join(response.streaming_content)


def read(field_file: Any) -> bytes:
    return Path(field_file.path).read_bytes()


# -- determinism ------------------------------------------------------------------------


def test_rebuilding_from_the_same_data_gives_the_same_manifest_and_bytes(
    certified: tuple[Day, Certification],
) -> None:
    d, cert = certified
    first = archive.build(cert)
    assert first.status == ArchiveStatus.READY, first.error
    manifest, zip_bytes, pdf_bytes = first.manifest, read(first.zip), read(first.pdf)
    # Later events (a download, the rebuild itself) are not part of the archive.
    with transaction.atomic():
        audit.record(d.cast.users["officer"], "ballots.archive.rebuilt", first, data={})
    again = build_archive(d.election.pk, force=True)
    assert again is not None
    second = Archive.objects.get(pk=again)
    assert second.manifest == manifest
    assert second.manifest_sha256 == hashlib.sha256(manifest.encode()).hexdigest()
    assert read(second.pdf) == pdf_bytes
    assert read(second.zip) == zip_bytes


_OTHER_PROCESS = """
import os, pickle, sys
from unittest import mock
import django
django.setup()
from ballots import archive
html, notices = pickle.load(open(sys.argv[1], "rb"))
with mock.patch.object(archive, "render_to_string", lambda *a, **k: html):
    pdf, _ = archive.render_archive_pdf(archive.Collected(context={}, notice_pdfs=notices))
sys.stdout.buffer.write(pdf)
"""


def test_another_process_renders_the_same_pdf(
    certified: tuple[Day, Certification], tmp_path: Path
) -> None:
    """A rebuild runs in another worker: the bytes must not depend on the process
    (hash seeds, memory addresses, font caches)."""
    import pickle

    from django.template.loader import render_to_string

    from elections.notices.fonts import font_css

    collected = archive.collect(certified[1])
    here, _ = archive.render_archive_pdf(collected)
    html = render_to_string(archive.TEMPLATE, {**collected.context, "font_css": font_css()})
    data = tmp_path / "input.pickle"
    data.write_bytes(pickle.dumps((html, collected.notice_pdfs)))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONHASHSEED": "12345"}
    there = subprocess.run(  # noqa: S603 - our own interpreter on our own script
        [sys.executable, "-c", _OTHER_PROCESS, str(data)],
        capture_output=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    assert there == here


def test_the_zip_is_sorted_with_fixed_times_and_permissions(built: Archive) -> None:
    with zipfile.ZipFile(built.zip.path) as z:
        infos = z.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {
        "MANIFEST.sha256",
        "archive.pdf",
        "audit-log.csv",
        "results.csv",
        "results.json",
        "certificates/certificate-001.pdf",
        "notices/notice-001-N3-v1.pdf",
        "notices/notice-002-N3-v2.pdf",
    } == set(names)
    # 2027-01-28 18:30:05 UTC is 2027-01-29 02:30:04 in Shanghai (zip keeps even seconds).
    assert {i.date_time for i in infos} == {(2027, 1, 29, 2, 30, 4)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


# -- the manifest and verification -------------------------------------------------------


def test_the_manifest_lists_every_file_in_sha256sum_format(built: Archive) -> None:
    files = members(read(built.zip))
    manifest = files.pop("MANIFEST.sha256").decode()
    assert manifest == built.manifest
    lines = manifest.splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == sorted(files)
    for line in lines:
        digest, path = line.split("  ", 1)
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert hashlib.sha256(files[path]).hexdigest() == digest, path
    assert files["archive.pdf"] == read(built.pdf)
    notice = Notice.objects.get(number=1)
    assert files["notices/notice-001-N3-v1.pdf"] == read(notice.pdf)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_sha256sum_checks_the_unpacked_zip(built: Archive, tmp_path: Path) -> None:
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(built.zip.path) as z:
        z.extractall(out)
    check = subprocess.run(
        ["sha256sum", "-c", "MANIFEST.sha256"],  # noqa: S607
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(built.manifest.splitlines())
    (out / "results.json").write_text("{}", encoding="utf-8")
    check = subprocess.run(
        ["sha256sum", "-c", "MANIFEST.sha256"],  # noqa: S607
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 1 and "results.json: FAILED" in check.stdout


def test_the_command_passes_a_good_zip_and_fails_a_tampered_one(
    built: Archive, tmp_path: Path, capsys: Any
) -> None:
    good = tmp_path / "good.zip"
    good.write_bytes(read(built.zip))
    call_command("verify_archive", str(good))
    out = capsys.readouterr().out
    assert "核对通过" in out and "与系统中登记的一份归档一致" in out

    files = members(read(built.zip))
    files["results.csv"] = files["results.csv"].replace("赵主任".encode(), "钱主任".encode())
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(files))
    with pytest.raises(SystemExit) as exc:
        call_command("verify_archive", str(bad))
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "results.csv" in err and "不一致" in err and "archive.pdf" not in err

    # A consistent zip whose manifest is not the stored one: fails against the sum given.
    files = members(read(built.zip))
    del files["MANIFEST.sha256"]
    files["extra.txt"] = b"x"
    files["MANIFEST.sha256"] = archive.manifest_of(files).encode()
    other = tmp_path / "other.zip"
    other.write_bytes(rezip(files))
    call_command("verify_archive", str(other))  # consistent in itself
    assert "系统中没有登记这份清单" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("verify_archive", str(other), manifest_sha256=built.manifest_sha256)


def test_the_page_verifies_an_upload(cast: Cast, built: Archive) -> None:
    client = cast.client("supervisor")

    def post(data: bytes) -> str:
        upload = SimpleUploadedFile("归档.zip", data, content_type="application/zip")
        response = client.post(PAGE, {"action": "verify", "zip": upload})
        assert response.status_code == 200
        return response.content.decode()

    page = post(read(built.zip))
    assert "核对通过" in page and "清单与系统登记的归档清单一致" in page
    files = members(read(built.zip))
    files["archive.pdf"] = files["archive.pdf"] + b"\n"
    page = post(rezip(files))
    assert "核对没有通过" in page and "archive.pdf" in page and "文件被改动过" in page
    assert "清单与系统登记的归档清单不一致" not in page
    del files["MANIFEST.sha256"]
    files["MANIFEST.sha256"] = archive.manifest_of(files).encode()
    page = post(rezip(files))
    assert "核对没有通过" in page and "清单与系统登记的归档清单不一致" in page
    page = post(b"not a zip")
    assert "核对没有通过" in page and "不是完整的归档压缩包" in page


# -- the PDF -----------------------------------------------------------------------------


def test_the_pdf_has_every_section_both_entries_and_no_full_id(built: Archive) -> None:
    data = read(built.pdf)
    text = pdf_text(data)
    for heading in (
        "“两委”换届选举归档",
        "目录",
        "一、公告（每个版本）",
        "二、选民登记情况",
        "三、候选人",
        "四、联审意见",
        "五、投票与计票",
        "六、选举结果与下一步",
        "七、操作记录（截至结果确认）",
        "八、文件清单",
    ):
        assert heading in text, heading
    cert = built.certification
    assert cert.sha256 in text and "新河街道" in text and "新河街道第十一届换届" in text
    # Both entries of the central sheet, the kept one and the one sent back, and by whom.
    assert "member_a" in text and "member_a2" in text
    assert "已退回（chair_a：主任保留第1次录入）" in text and "采用" in text
    for name in ("赵主任", "钱主任", "孙委", "李委", "周委", "吴委"):
        assert name in text, name
    assert "本职位选举完成，可以进入结果确认" in text
    # The vetting sign-offs, the corrected one too.
    assert "区公安分局" in text and "经核实不属于负面清单情形" in text and "已被更正" in text
    # The notices' own pages are merged in (the roll notice lists the filler voters).
    assert "更正公告" in text and "漏登一名选民" in text and "居民00" in text
    notice_pages = sum(n.pages for n in Notice.objects.all())
    assert len(PdfReader(io.BytesIO(data)).pages) > notice_pages + 10
    # The table of contents has page numbers (target-counter), not empty leaders.
    assert re.search(r"一、公告（每个版本）\.+3", text)
    # No full ID number, anywhere in the zip.
    issued = _issued_ids | _roll_ids
    assert len(issued) >= 22  # the roll's ID numbers really are known here
    files = members(read(built.zip))
    texts = [text] + [
        files[n].decode("utf-8") for n in files if n.endswith((".csv", ".json", ".sha256"))
    ]
    for number in issued:
        assert all(number not in t for t in texts), number
    assert all(archive.FULL_ID.search(t) is None for t in texts)


def test_the_audit_section_stops_at_the_certification(
    certified: tuple[Day, Certification],
) -> None:
    d, cert = certified
    with transaction.atomic():
        audit.record(
            d.cast.users["officer"],
            "elections.milestone.completed",
            d.election,
            data={"reason": "确认之后的一条记录"},
        )
    AuditEvent.objects.create(  # the community's previous cycle: not this archive's
        created_at=d.cast.cycle.created_at - dt.timedelta(days=1),
        action="elections.milestone.completed",
        community_id=d.election.community_id,
        street_id=d.cast.street.pk,
        object_repr="上一届的一条记录",
    )
    a = archive.build(cert)
    log = members(read(a.zip))["audit-log.csv"].decode("utf-8")
    text = pdf_text(read(a.pdf))
    assert "确认之后的一条记录" not in log and "确认之后的一条记录" not in text
    assert "上一届的一条记录" not in log
    rows = log.strip().splitlines()
    assert "ballots.result.certified" in rows[-1] and "确认选举结果" in rows[-1]
    assert "ballots.entry.kept" in log and "两次录入不一致，保留其中一次" in text
    assert archive.CERTIFIED_ACTION in {e.action for e in archive.audit_events(cert)}
    assert AuditEvent.objects.filter(data__reason="确认之后的一条记录").exists()


# -- the task ----------------------------------------------------------------------------


def test_the_task_builds_once_and_again_only_when_asked(
    certified: tuple[Day, Certification],
) -> None:
    d, cert = certified
    assert Archive.objects.get(certification=cert).status == ArchiveStatus.QUEUED
    page = d.cast.client("supervisor").get(PAGE).content.decode()
    assert "排队中" in page and "下载归档压缩包" not in page and "重新生成归档" not in page
    pk = build_archive.delay(d.election.pk).get()
    assert pk is not None
    a = Archive.objects.get(pk=pk)
    assert a.status == ArchiveStatus.READY and a.certification == cert
    page = d.cast.client("officer").get(PAGE).content.decode()
    assert "已生成" in page and "下载归档压缩包" in page and "重新生成归档" in page
    assert a.manifest.splitlines()[0] in page
    built_at = a.built_at
    assert build_archive.delay(d.election.pk).get() == pk
    a.refresh_from_db()
    assert a.built_at == built_at
    build_archive(d.election.pk, force=True)
    a.refresh_from_db()
    assert a.built_at is not None and built_at is not None and a.built_at > built_at
    assert build_archive(d.cast.election_b.pk) is None  # nothing certified there


def test_a_failed_build_is_recorded_and_can_be_retried(
    certified: tuple[Day, Certification], django_capture_on_commit_callbacks: Any
) -> None:
    d, cert = certified
    notice = Notice.objects.get(number=1)
    path = Path(notice.pdf.path)
    saved = path.read_bytes()
    path.unlink()
    build_archive(d.election.pk)
    a = Archive.objects.get(certification=cert)
    assert a.status == ArchiveStatus.FAILED
    assert a.error == "归档生成失败：公告第1号的文件找不到，无法归档"
    assert AuditEvent.objects.filter(action="ballots.archive.failed").count() == 1
    page = d.cast.client("officer").get(PAGE).content.decode()
    assert "公告第1号的文件找不到" in page and "重试生成归档" in page
    path.write_bytes(saved + b"tampered")
    build_archive(d.election.pk)
    a.refresh_from_db()
    assert a.status == ArchiveStatus.FAILED and "SHA-256 不一致" in a.error
    path.write_bytes(saved)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = d.cast.client("officer").post(PAGE, {"action": "rebuild"})
    assert len(callbacks) == 1
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == ArchiveStatus.READY and a.error == ""
    assert AuditEvent.objects.filter(action="ballots.archive.rebuilt").count() == 1


def test_an_unexpected_error_is_recorded_in_plain_chinese(
    certified: tuple[Day, Certification], monkeypatch: Any, caplog: Any
) -> None:
    d, cert = certified

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("layout broke")

    monkeypatch.setattr(archive, "render_archive_pdf", broken)
    with caplog.at_level("ERROR", logger="ballots.archive"):
        build_archive(d.election.pk)
    a = Archive.objects.get(certification=cert)
    assert a.status == ArchiveStatus.FAILED and not a.pdf and not a.zip
    assert a.error.startswith("归档生成失败：程序出错") and "layout broke" in a.error
    assert "failed" in caplog.text


def test_a_revoked_certification_is_not_archived(certified: tuple[Day, Certification]) -> None:
    d, cert = certified
    from django.utils import timezone

    Certification.objects.filter(pk=cert.pk).update(revoked_at=timezone.now())
    assert build_archive(d.election.pk) is None
    assert Archive.objects.get(certification=cert).status == ArchiveStatus.QUEUED


# -- who may see it ------------------------------------------------------------------------


def test_the_archive_answers_each_role(cast: Cast, built: Archive) -> None:
    """Every role against one built archive (a build per role cost two seconds each)."""
    pages = {
        PAGE: ARCHIVE_READERS,
        ZIP: ARCHIVE_READERS,
        PDF: ARCHIVE_READERS,
        "/c/XH02/ballots/archive/": ARCHIVE_READERS,  # nothing certified there yet
        "/c/XH02/ballots/archive/archive.zip": set(),
        "/c/QH01/ballots/archive/": {"other_officer"},
    }
    stored = {ZIP: read(built.zip), PDF: read(built.pdf)}
    for role in ROLES:
        client = client_for(cast, role)
        for url, allowed in pages.items():
            before = AuditEvent.objects.count()
            response = client.get(url)
            _check(response, role, allowed, url)
            if role in allowed:
                assert response.status_code == 200, (role, url)
            if url in stored and role in allowed:
                assert body_of(response) == stored[url], (role, url)
                assert response["Content-Disposition"].startswith("attachment")
                assert AuditEvent.objects.count() == before + 1, (role, url)
                downloaded = AuditEvent.objects.filter(action="ballots.archive.downloaded")
                assert downloaded.latest("pk").actor_id == response.wsgi_request.user.pk
            else:
                assert AuditEvent.objects.count() == before, (role, url)
            if url == PAGE and role in allowed:
                page = response.content.decode()
                assert built.manifest_sha256 in page and "archive.pdf" in page


def test_only_the_street_officer_rebuilds(cast: Cast, built: Archive) -> None:
    rebuilt = AuditEvent.objects.filter(action="ballots.archive.rebuilt")
    for role in [r for r in ROLES if r != "officer"] + ["officer"]:
        before = rebuilt.count()
        response = client_for(cast, role).post(PAGE, {"action": "rebuild"})
        _check(response, role, {"officer"}, PAGE)
        assert rebuilt.count() == before + (1 if role == "officer" else 0), role


def test_a_superuser_and_a_district_supervisor_read_it(cast: Cast, built: Archive) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from elections import services
    from elections.models import Role

    admin = Client()
    admin.force_login(cast.admin)
    assert admin.get(PAGE).status_code == 200
    response = admin.get(PDF)
    assert response.status_code == 200
    assert body_of(response).startswith(b"%PDF")
    user = get_user_model().objects.create_user("district_supervisor", password="x-test-pass")
    services.assign_role(user, Role.SUPERVISOR, cast.district, actor=cast.admin)
    client = Client()
    client.force_login(user)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, {"action": "rebuild"})
    assert response.status_code == 404


def test_another_certification_does_not_leak(cast: Cast, built: Archive) -> None:
    """XH02 certified too: its page shows its own archive, not XH01's."""
    cert_b = certify(cast.election_b, cast.users["officer"])
    b = archive.build(cert_b)
    assert b.status == ArchiveStatus.READY, b.error
    page = cast.client("officer").get("/c/XH02/ballots/archive/").content.decode()
    assert b.manifest_sha256 in page and built.manifest_sha256 not in page
    response = cast.client("officer").get("/c/XH02/ballots/archive/archive.zip")
    zip_b = body_of(response)
    assert zip_b == read(b.zip)
