"""The archive (归档) of a certified community election (issue 11 item 8).

`build(certification)` renders one PDF — cover, table of contents with page numbers,
every notice version (its own pages merged in), the roll summary, candidates, vetting
sign-offs, every round and sheet with both entries and their resolution, the results
and the audit log up to and including the certification event — and a zip of every
file with `MANIFEST.sha256` (`sha256sum -c` format). Both are deterministic: the same
data gives the same bytes (WeasyPrint's dates are fixed from the certification time,
zip entries are sorted with fixed timestamps and permissions), so rebuilding gives the
same manifest. `verify_zip` checks a zip against its manifest (the page and the
`verify_archive` command use it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ballots import checks
from ballots.models import (
    Archive,
    ArchiveStatus,
    BallotRound,
    Certification,
    PollingPlace,
    RoundStatus,
    TallyEntry,
)
from ballots.services import NEXT_STEPS, VOID_LABELS
from candidates.models import Candidate
from candidates.models.choices import Post, Track
from elections import audit
from elections.formatting import cn_date
from elections.models import AuditEvent, CommunityElection, Notice
from elections.notices.fonts import font_css
from elections.registration.models import Voter, VoterStatus
from vetting.models import SignOff

logger = logging.getLogger(__name__)

ARCHIVE_AUDIT_LABELS = {
    "ballots.archive.built": "生成归档",
    "ballots.archive.failed": "归档生成失败",
    "ballots.archive.rebuilt": "重新生成归档",
    "ballots.archive.downloaded": "下载归档文件",
}

CERTIFIED_ACTION = "ballots.result.certified"
MANIFEST_NAME = "MANIFEST.sha256"
PDF_NAME = "archive.pdf"
TEMPLATE = "ballots/archive/archive.html"

# An 18-digit ID number standing alone (not inside a SHA-256 or another long number).
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


class ArchiveError(Exception):
    """A build that cannot finish; the message is shown to the street officer."""


# -- helpers ----------------------------------------------------------------------------


def _who(user: Any) -> str:
    if user is None:
        return "系统"
    full = (user.get_full_name() or "").strip()
    return f"{full}（{user.get_username()}）" if full else user.get_username()


def _when(value: Any) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _day(value: Any) -> str:
    return cn_date(value) if value else ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(field_file: Any, what: str) -> bytes:
    if not field_file:
        raise ArchiveError(f"{what}没有文件")
    try:
        with field_file.open("rb") as f:
            data: bytes = f.read()
    except (FileNotFoundError, OSError) as exc:
        raise ArchiveError(f"{what}的文件找不到，无法归档") from exc
    return data


def certification_event(certification: Certification) -> AuditEvent | None:
    """The audit row of the certification (the audit section ends with it)."""
    return (
        AuditEvent.objects.filter(
            action=CERTIFIED_ACTION,
            object_type=certification._meta.label_lower,
            object_id=str(certification.pk),
        )
        .order_by("created_at", "id")
        .first()
    )


def audit_events(certification: Certification) -> list[AuditEvent]:
    """The community's audit rows of this cycle up to and including the certification's
    (later rows are not part of this archive; a rebuild's own rows never change it)."""
    election = certification.election
    event = certification_event(certification)
    # From the cycle's start: an earlier cycle's rows of the community are not this one's.
    qs = AuditEvent.objects.filter(
        community_id=election.community_id, created_at__gte=election.cycle.created_at
    )
    if event is not None:
        qs = qs.filter(
            Q(created_at__lt=event.created_at) | Q(created_at=event.created_at, id__lte=event.pk)
        )
    else:
        qs = qs.filter(created_at__lte=certification.certified_at)
    return list(qs.order_by("created_at", "id"))


# -- the data ---------------------------------------------------------------------------


@dataclass
class Collected:
    context: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # zip path → bytes (not the PDF)
    notice_pdfs: list[tuple[str, bytes]] = field(default_factory=list)  # slot id → PDF


def _notices(election: CommunityElection, collected: Collected) -> list[dict[str, Any]]:
    from pypdf import PdfReader

    rows = []
    for n in Notice.objects.filter(election=election).order_by("number"):
        data = _read(n.pdf, f"公告第{n.number}号")
        if _sha(data) != n.sha256:
            raise ArchiveError(
                f"公告第{n.number}号的文件与发布时登记的 SHA-256 不一致，请先核查文件是否被改动"
            )
        path = f"notices/notice-{n.number:03d}-{n.kind}-v{n.version}.pdf"
        collected.files[path] = data
        pages = len(PdfReader(io.BytesIO(data)).pages)
        slots = []
        for k in range(pages):
            slot = f"slot-notice-{n.number}-{k}"
            slots.append(slot)
            collected.notice_pdfs.append((slot, data))
        rows.append(
            {
                "id": f"notice-{n.number}",
                "number": n.number,
                "kind": n.kind,
                "version": n.version,
                "title": n.heading,
                "issuer": n.issuer,
                "issued_on": _day(n.issued_on),
                "replaces": n.replaces.number if n.replaces else None,
                "reason": n.correction_reason,
                "sha256": n.sha256,
                "pages": pages,
                "path": path,
                "slots": slots,
                "published_by": _who(n.published_by),
                "published_at": _when(n.published_at),
                "postings": [
                    f"{_day(p.posted_on)} {p.place}"
                    for p in n.postings.all().order_by("posted_on", "pk")
                ],
            }
        )
    return rows


def _roll(election: CommunityElection) -> dict[str, Any]:
    voters = Voter.objects.filter(election=election)
    by_status = Counter(voters.values_list("status", flat=True))
    labels = dict(VoterStatus.choices)
    groups: dict[str, Counter[str]] = {}
    for group, status, gender in voters.values_list("group", "status", "gender"):
        c = groups.setdefault(group or "（未填居民小组）", Counter())
        c[status] += 1
        if status == VoterStatus.REGISTERED:
            c[f"g{gender}"] += 1
    return {
        "total": voters.count(),
        "by_status": [(labels.get(s, s), by_status.get(s, 0)) for s in VoterStatus.values],
        "deprived": voters.filter(rights_deprived=True).count(),
        "groups": [
            {
                "name": name,
                "registered": c[VoterStatus.REGISTERED],
                "pending": c[VoterStatus.PENDING_APPROVAL],
                "removed": c[VoterStatus.REMOVED],
                "men": c["g男"],
                "women": c["g女"],
            }
            for name, c in sorted(groups.items())
        ],
    }


def _candidates(election: CommunityElection) -> list[dict[str, Any]]:
    post_order = {p: i for i, p in enumerate(Post.values)}
    out: list[dict[str, Any]] = []
    all_c = list(Candidate.objects.filter(election=election).select_related("replaces"))
    for track, track_label in Track.choices:
        mine = [c for c in all_c if c.track == track]
        posts = sorted({c.post for c in mine}, key=lambda p: post_order.get(p, 99))
        for post in posts:
            people = sorted(
                (c for c in mine if c.post == post),
                key=lambda c: (c.ballot_order is None, c.ballot_order or 0, c.name, c.pk),
            )
            out.append(
                {
                    "title": f"{track_label} · {Post(post).label}",
                    "people": [
                        {
                            "order": c.ballot_order or "",
                            "name": c.name,
                            "gender": c.gender,
                            "birth_year": c.birth_date.year if c.birth_date else "",
                            "status": c.get_status_display(),
                            "source": c.get_source_display(),
                            "left": "；".join(
                                x
                                for x in (
                                    _day(c.left_on),
                                    c.left_reason,
                                    f"递补{c.replaces.name}" if c.replaces else "",
                                )
                                if x
                            ),
                        }
                        for c in people
                    ],
                }
            )
    return out


def _vetting(election: CommunityElection) -> list[dict[str, Any]]:
    rows = (
        SignOff.objects.filter(request__candidate__election=election)
        .select_related("request__candidate", "request__department", "request__round", "signed_by")
        .prefetch_related("items")
        .order_by("request__candidate__name", "request__department__name", "signed_at", "pk")
    )
    return [
        {
            "candidate": s.request.candidate.name,
            "department": s.request.department.name,
            "round": s.request.round.number,
            "result": s.get_result_display(),
            "items": "；".join(
                f"第{i.number}项" for i in sorted(s.items.all(), key=lambda i: i.number)
            ),
            "note": s.note,
            "signed_by": _who(s.signed_by),
            "signed_at": _when(s.signed_at),
            "current": s.current,
        }
        for s in rows
    ]


def _entry_status(entry: TallyEntry, chosen: TallyEntry | None) -> str:
    if entry.discarded:
        return f"已退回（{_who(entry.discarded_by)}：{entry.discarded_reason}）"
    if chosen is not None and entry.pk == chosen.pk:
        return "采用"
    if chosen is not None and entry.numbers == chosen.numbers:
        return "与采用的录入一致"
    return "未采用"


def _rounds(election: CommunityElection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rounds = list(
        BallotRound.objects.filter(election=election)
        .select_related("parent", "closed_by")
        .prefetch_related("candidates")
        .order_by("number")
    )
    out = []
    results = []
    for r in rounds:
        keys = [(f"c{rc.pk}", rc.name) for rc in r.candidates.all()]
        sheets = []
        for sheet in r.sheets.select_related("place", "confirmed_by", "chosen").order_by(
            "place_id"
        ):
            entries = list(
                sheet.entries.select_related("entered_by", "discarded_by").order_by("id")
            )
            rows: list[dict[str, Any]] = []
            for f, label in checks.NUMBER_FIELDS:
                rows.append({"label": label, "values": [e.numbers.get(f, "") for e in entries]})
            for key, name in keys:
                rows.append(
                    {
                        "label": f"{name} 得票",
                        "values": [(e.numbers.get("votes") or {}).get(key, "") for e in entries],
                    }
                )
            write_ins = max((len(e.numbers.get("write_ins") or []) for e in entries), default=0)
            for i in range(write_ins):
                rows.append(
                    {
                        "label": f"另选人第{i + 1}行",
                        "values": [
                            " ".join(str(x) for x in (e.numbers.get("write_ins") or [])[i])
                            if i < len(e.numbers.get("write_ins") or [])
                            else ""
                            for e in entries
                        ],
                    }
                )
            sheets.append(
                {
                    "place": sheet.place.name,
                    "status": sheet.get_status_display(),
                    "entries": [
                        {
                            "head": f"第{e.slot}次录入",
                            "by": _who(e.entered_by),
                            "at": _when(e.entered_at),
                            "status": _entry_status(e, sheet.chosen),
                        }
                        for e in entries
                    ],
                    "rows": rows,
                    "explanations": sorted(sheet.explanations.items()),
                    "confirmed_by": _who(sheet.confirmed_by) if sheet.confirmed_by_id else "",
                    "confirmed_at": _when(sheet.confirmed_at),
                }
            )
        result = r.result or {}
        labels = result.get("labels", {})
        table = sorted(
            (
                (labels.get(k, k), v, k in result.get("elected", []), k in result.get("tied", []))
                for k, v in result.get("votes", {}).items()
            ),
            key=lambda row: (-row[1], row[0]),
        )
        item = {
            "id": f"round-{r.number}",
            "label": r.label,
            "number": r.number,
            "kind": r.get_kind_display(),
            "post": r.get_post_display(),
            "seats": r.seats,
            "held_on": _day(r.held_on),
            "status": r.get_status_display(),
            "parent": r.parent.label if r.parent else "",
            "candidates": [
                (rc.order, rc.name, rc.gender, rc.earlier_votes) for rc in r.candidates.all()
            ],
            "sheets": sheets,
            "table": table,
            "registered": result.get("registered", ""),
            "participants": result.get("participants", ""),
            "elected": [labels.get(k, k) for k in result.get("elected", [])],
            "next": NEXT_STEPS.get(result.get("next", ""), ""),
            "void": [VOID_LABELS.get(g, g) for g in r.void_grounds],
            "void_note": r.void_note,
            "closed_by": _who(r.closed_by) if r.closed_by_id else "",
            "closed_at": _when(r.closed_at),
        }
        out.append(item)
        if r.status != RoundStatus.OPEN:
            results.append(
                {
                    "round": r.number,
                    "label": r.label,
                    "track": r.track,
                    "post": r.post,
                    "kind": r.kind,
                    "status": r.status,
                    "seats": r.seats,
                    "held_on": r.held_on.isoformat(),
                    "result": result,
                    "next_step": item["next"],
                    "void_grounds": list(r.void_grounds),
                }
            )
    return out, results


def _audit_rows(events: list[AuditEvent]) -> list[dict[str, Any]]:
    return [
        {
            "at": _when(e.created_at),
            "actor": e.actor_name,
            "action": audit.action_label(e.action),
            "code": e.action,
            "object": e.object_repr,
            "data": "；".join(f"{k}：{v}" for k, v in audit.describe_data(audit.mask_data(e.data))),
        }
        for e in events
    ]


def _audit_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["时间", "操作人", "操作", "操作代码", "对象", "内容"])
    for r in rows:
        writer.writerow([r["at"], r["actor"], r["action"], r["code"], r["object"], r["data"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _results_csv(results: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["轮次", "投票", "应选名额", "投票日期", "姓名", "得票", "当选", "下一步"])
    for r in results:
        res = r["result"]
        labels = res.get("labels", {})
        for key, votes in sorted(
            res.get("votes", {}).items(), key=lambda kv: (-kv[1], labels.get(kv[0], kv[0]))
        ):
            writer.writerow(
                [
                    r["round"],
                    r["label"],
                    r["seats"],
                    r["held_on"],
                    labels.get(key, key),
                    votes,
                    "是" if key in res.get("elected", []) else "否",
                    r["next_step"],
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def collect(certification: Certification) -> Collected:
    election = (
        CommunityElection.objects.select_related("community__street__district", "cycle")
        .filter(pk=certification.election_id)
        .get()
    )
    community, street, cycle = election.community, election.community.street, election.cycle
    collected = Collected(context={})
    notices = _notices(election, collected)
    certificates = []
    for c in certification.certificates.all().order_by("number"):
        data = _read(c.pdf, f"当选证书第{c.number}号")
        if _sha(data) != c.sha256:
            raise ArchiveError(f"当选证书第{c.number}号的文件与登记的 SHA-256 不一致")
        path = f"certificates/certificate-{c.number:03d}.pdf"
        collected.files[path] = data
        certificates.append(
            {"number": c.number, "name": c.name, "post": c.post_label, "sha256": c.sha256}
        )
    rounds, results = _rounds(election)
    events = audit_events(certification)
    if not any(e.action == CERTIFIED_ACTION for e in events):
        raise ArchiveError("操作记录中没有找到这次结果确认，无法确定归档的截止点")
    audit_rows = _audit_rows(events)
    places = [
        {
            "kind": p.get_kind_display(),
            "name": p.name,
            "place": p.place,
            "hours": f"{p.opens_at:%H:%M}—{p.closes_at:%H:%M}",
            "staff": "；".join(
                f"{s.get_role_display()} {s.name}" for s in p.staff.all().order_by("role", "pk")
            ),
        }
        for p in PollingPlace.objects.filter(election=election).order_by("id")
    ]
    results_doc = {
        "community": {"code": community.code, "name": community.name},
        "street": {"code": street.code, "name": street.name},
        "cycle": {"term": cycle.term, "name": cycle.name},
        "certification": {
            "id": certification.pk,
            "sha256": certification.sha256,
            "certified_at": certification.certified_at.isoformat(),
            "certified_by": _who(certification.certified_by),
            "content": certification.content,
        },
        "rounds": results,
        "certificates": certificates,
    }
    collected.files["results.json"] = (
        json.dumps(results_doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    ).encode("utf-8")
    collected.files["results.csv"] = _results_csv(results)
    collected.files["audit-log.csv"] = _audit_csv(audit_rows)
    stamp = timezone.localtime(certification.certified_at).strftime("%Y-%m-%dT%H:%M:%S%z")
    collected.context = {
        "title": f"{community.name}“两委”换届选举归档",
        "community": community,
        "street": street,
        "district": street.district,
        "cycle": cycle,
        "election": election,
        "certification": certification,
        "certified_by": _who(certification.certified_by),
        "certified_at": _when(certification.certified_at),
        "stamp": stamp[:-2] + ":" + stamp[-2:],
        "notices": notices,
        "roll": _roll(election),
        "candidates": _candidates(election),
        "vetting": _vetting(election),
        "places": places,
        "rounds": rounds,
        "certificates": certificates,
        "audit": audit_rows,
        "files": sorted(collected.files),
    }
    return collected


# -- rendering --------------------------------------------------------------------------


def render_archive_pdf(collected: Collected) -> tuple[bytes, int]:
    """The archive PDF: WeasyPrint lays out every section, with one empty placeholder
    page for each page of each notice (so the table of contents counts them); pypdf
    then puts the notice's own pages in the placeholders' places."""
    from pypdf import PdfReader, PdfWriter

    from elections.notices.chunk_worker import weasyprint

    html = render_to_string(TEMPLATE, {**collected.context, "font_css": font_css()})
    if FULL_ID.search(html):
        raise ArchiveError("归档内容中出现了完整的身份证号，已停止生成")
    from django.conf import settings

    document = weasyprint().HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    slot_pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("slot-"):
                slot_pages[anchor] = index
    body = document.write_pdf()
    if not collected.notice_pdfs:
        return body, len(document.pages)
    replacements: dict[int, Any] = {}
    readers: dict[bytes, PdfReader] = {}
    for slot, data in collected.notice_pdfs:
        if slot not in slot_pages:
            raise ArchiveError("公告页面的位置没有排出来，无法合并公告文件")
        reader = readers.setdefault(data, PdfReader(io.BytesIO(data)))
        k = int(slot.rsplit("-", 1)[1])
        replacements[slot_pages[slot]] = reader.pages[k]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    for index in sorted(replacements, reverse=True):
        writer.insert_page(replacements[index], index)
        writer.remove_page(index + 1, clean=False)
    writer.add_metadata({"/Producer": "换届通"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _zip_time(certification: Certification) -> tuple[int, int, int, int, int, int]:
    t = timezone.localtime(certification.certified_at)
    if t.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second - t.second % 2)


def manifest_of(files: dict[str, bytes]) -> str:
    return "".join(f"{_sha(files[p])}  {p}\n" for p in sorted(files))


def make_zip(
    files: dict[str, bytes], manifest: str, date_time: tuple[int, int, int, int, int, int]
) -> bytes:
    everything = {**files, MANIFEST_NAME: manifest.encode("utf-8")}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for path in sorted(everything):
            info = zipfile.ZipInfo(path, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, everything[path], compresslevel=6)
    return out.getvalue()


@dataclass
class Built:
    pdf: bytes
    zip: bytes
    manifest: str
    pages: int


def render(certification: Certification) -> Built:
    collected = collect(certification)
    pdf, pages = render_archive_pdf(collected)
    files = {**collected.files, PDF_NAME: pdf}
    for path, data in files.items():
        if path.endswith((".csv", ".json")) and FULL_ID.search(data.decode("utf-8")):
            raise ArchiveError(f"{path}中出现了完整的身份证号，已停止生成")
    manifest = manifest_of(files)
    return Built(pdf, make_zip(files, manifest, _zip_time(certification)), manifest, pages)


def _file_stem(certification: Certification) -> str:
    e = certification.election
    return f"archive-{e.community.code}-{e.cycle.term}-{certification.pk}"


def build(certification: Certification) -> Archive:
    """Render and store the archive of `certification` (READY), or record why it
    failed (FAILED, with the message); a failed build can be run again."""
    certification = Certification.objects.select_related(
        "election__community__street", "election__cycle", "certified_by"
    ).get(pk=certification.pk)
    with transaction.atomic():
        archive, _ = Archive.objects.select_for_update().get_or_create(certification=certification)
        archive.status, archive.error = ArchiveStatus.BUILDING, ""
        archive.save(update_fields=["status", "error"])
    try:
        built = render(certification)
    except (OperationalError, InterfaceError):
        raise
    except ArchiveError as exc:
        return _fail(archive, f"归档生成失败：{exc}")
    except Exception as exc:
        logger.exception("archive of certification %s failed", certification.pk)
        return _fail(
            archive, f"归档生成失败：程序出错（{type(exc).__name__}: {exc}），请联系系统管理员"
        )
    election = certification.election
    with transaction.atomic():
        archive = Archive.objects.select_for_update().get(pk=archive.pk)
        old = [f for f in (archive.pdf, archive.zip) if f]
        for f in old:
            f.delete(save=False)
        stem = _file_stem(certification)
        archive.pdf.save(f"{stem}.pdf", ContentFile(built.pdf), save=False)
        archive.zip.save(f"{stem}.zip", ContentFile(built.zip), save=False)
        archive.manifest = built.manifest
        archive.manifest_sha256 = _sha(built.manifest.encode("utf-8"))
        archive.status, archive.error = ArchiveStatus.READY, ""
        archive.built_at = timezone.now()
        archive.save()
        audit.record(
            None,
            "ballots.archive.built",
            archive,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={
                "清单 SHA-256": archive.manifest_sha256,
                "页数": built.pages,
                "大小（字节）": len(built.zip),
            },
        )
    return archive


def _fail(archive: Archive, message: str) -> Archive:
    election = archive.certification.election
    with transaction.atomic():
        archive = Archive.objects.select_for_update().get(pk=archive.pk)
        archive.status, archive.error = ArchiveStatus.FAILED, message[:2000]
        archive.save(update_fields=["status", "error"])
        audit.record(
            None,
            "ballots.archive.failed",
            archive,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"说明": message[:300]},
        )
    return archive


# -- verification -----------------------------------------------------------------------


@dataclass
class Verification:
    readable: bool = True
    has_manifest: bool = False
    manifest_sha256: str = ""
    stored_match: bool | None = None  # None: nothing stored to compare with
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, what is wrong)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.readable
            and self.has_manifest
            and not self.problems
            and self.stored_match is not False
        )


_LINE = re.compile(r"^([0-9a-f]{64})  (.+)$")


def verify_zip(
    source: IO[bytes] | bytes, stored_manifest_sha256: str | None = None
) -> Verification:
    """Every file of the zip against its MANIFEST.sha256, and the manifest against the
    stored sum (when given)."""
    v = Verification()
    try:
        z = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        names = [n for n in z.namelist() if not n.endswith("/")]
        if MANIFEST_NAME not in names:
            v.problems.append((MANIFEST_NAME, "压缩包里没有清单文件"))
            return v
        manifest_bytes = z.read(MANIFEST_NAME)
        v.has_manifest = True
        v.manifest_sha256 = _sha(manifest_bytes)
        if stored_manifest_sha256:
            v.stored_match = v.manifest_sha256 == stored_manifest_sha256
        listed: dict[str, str] = {}
        for number, line in enumerate(manifest_bytes.decode("utf-8").splitlines(), start=1):
            m = _LINE.match(line)
            if m is None:
                v.problems.append((MANIFEST_NAME, f"清单第{number}行格式不对"))
                continue
            listed[m.group(2)] = m.group(1)
        present = set(names) - {MANIFEST_NAME}
        for path in sorted(listed):
            if path not in present:
                v.problems.append((path, "清单中有这个文件，压缩包里没有"))
                continue
            v.checked += 1
            if _sha(z.read(path)) != listed[path]:
                v.problems.append((path, "文件内容与清单中的 SHA-256 不一致（文件被改动过）"))
        for path in sorted(present - set(listed)):
            v.problems.append((path, "压缩包里有清单没有列出的文件"))
    except (zipfile.BadZipFile, UnicodeDecodeError, KeyError, OSError, EOFError):
        v.readable = False
        v.problems.append(("", "无法读取这个文件：不是完整的归档压缩包"))
    return v
