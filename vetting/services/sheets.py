"""A department's requests as the spreadsheet they fill in today, and that file read
back as sign-offs — with the voter import's reader (`read_sheet` with this sheet's own
column spec: formula cells, size limits, header aliases) and its discipline: checked
on upload, shown as a preview with every row's error, applied all rows or none.

The export holds full ID numbers (checking them is the department's job); it goes only
to that department's reviewer and each download is audited. The kept upload is
encrypted like the voter import's."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from django.db import transaction

from elections import audit
from elections.crypto import decrypt_bytes, decrypt_text, encrypt_bytes, encryption_key
from elections.exports import Exporter, Value, write_xlsx
from elections.models import Department
from elections.registration.xlsx.cells import _cell_text
from elections.registration.xlsx.columns import ColumnSpec
from elections.registration.xlsx.reading import read_sheet
from elections.registration.xlsx.types import ImportFileError
from vetting.models import (
    NegativeItem,
    SheetImport,
    SignOff,
    SignOffResult,
    VettingRequest,
    VettingRound,
)
from vetting.services import VettingError
from vetting.services.rounds import sign_off

AUDIT_LABELS = {
    "vetting.sheet.exported": "导出部门联审表",
    "vetting.sheet.uploaded": "上传部门联审表",
    "vetting.sheet.committed": "导入部门联审意见",
    "vetting.sheet.discarded": "放弃导入部门联审表",
}

_AAD: Final = b"huanjie:vetting-sheet"
MAX_ROWS: Final = 2000
COLUMNS: Final = (
    "编号",
    "社区",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "结论",
    "情形序号",
    "说明",
)
SPEC: Final = ColumnSpec(
    columns=COLUMNS,
    required=("编号", "姓名", "结论"),
    aliases={
        "编号": ("编号", "请求编号", "序号"),
        "身份证号": ("身份证号", "身份证号码", "公民身份号码"),
        "结论": ("结论", "审核结论", "联审结论", "意见"),
        "情形序号": ("情形序号", "负面清单情形", "情形", "问题情形"),
        "说明": ("说明", "备注", "问题说明"),
    },
    repeating=frozenset({"社区", "性别", "结论"}),
    row_noun="联审意见",
)
RESULTS: Final = {"通过": SignOffResult.PASS, "发现问题": SignOffResult.FINDING}
_NUMBER_RE: Final = re.compile(r"[0-9]+")
_CIRCLED: Final = {chr(0x2460 + i): str(i + 1) for i in range(10)}  # ①..⑩


def _requests(vround: VettingRound, department: Department) -> list[VettingRequest]:
    return list(
        VettingRequest.objects.filter(round=vround, department=department)
        .select_related("candidate__election__community")
        .order_by("candidate__election__community__code", "candidate__name", "pk")
    )


class DepartmentSheet(Exporter):
    sheet_title = "联审表"
    column_widths: ClassVar[Sequence[int]] = (8, 14, 10, 6, 12, 22, 10, 12, 40)

    def __init__(self, vround: VettingRound, department: Department) -> None:
        self.vround = vround
        self.department = department
        self.requests = _requests(vround, department)

    def filename(self) -> str:
        return f"{self.department.name}_{self.vround.label}_联审表.xlsx"

    def header(self) -> Sequence[str]:
        return COLUMNS

    def rows(self) -> Iterator[Sequence[Value]]:
        key = encryption_key()
        for r in self.requests:
            c = r.candidate
            yield (
                r.pk,
                c.election.community.name,
                c.name,
                c.gender,
                c.birth_date,
                decrypt_text(c.id_encrypted, key),
                "",
                "",
                "",
            )


def export_sheet(vround: VettingRound, department: Department, *, actor: Any) -> tuple[bytes, str]:
    sheet = DepartmentSheet(vround, department)
    with transaction.atomic():
        content = write_xlsx(sheet)
        audit.record(
            actor,
            "vetting.sheet.exported",
            vround,
            street_id=vround.cycle.street_id,
            data={"部门": department.name, "轮次": vround.number, "人数": len(sheet.requests)},
        )
    return content, sheet.filename()


@dataclass
class SheetRow:
    row_number: int
    name: str
    request: VettingRequest | None = None
    result: str = ""
    items: list[NegativeItem] = field(default_factory=list)
    note: str = ""
    errors: list[str] = field(default_factory=list)
    already: str = ""  # the current answer, when there is one

    @property
    def result_label(self) -> str:
        return {"pass": "通过", "finding": "发现问题"}.get(self.result, "")


@dataclass
class SheetPreview:
    rows: list[SheetRow]
    missing: list[VettingRequest]  # requests of the department the file does not answer

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _check(vround: VettingRound, department: Department, data: bytes) -> SheetPreview:
    parsed = read_sheet(data, SPEC, max_rows=MAX_ROWS)
    requests = {r.pk: r for r in _requests(vround, department)}
    items = {i.number: i for i in NegativeItem.objects.filter(negative_list=vround.negative_list)}
    current = {
        s.request_id: s.get_result_display()
        for s in SignOff.objects.filter(request__in=list(requests.values()), current=True)
    }
    key = encryption_key()
    seen: set[int] = set()
    rows: list[SheetRow] = []
    for raw in parsed.rows:
        text = {col: _cell_text(raw.values.get(col, "")) for col in COLUMNS}
        row = SheetRow(raw.row_number, text["姓名"])
        for col in sorted(raw.formula_fields):
            row.errors.append(f"“{col}”是公式，请改为直接填写内容")
        number = text["编号"]
        request = requests.get(int(number)) if number.isdigit() else None
        if request is None:
            row.errors.append(f"编号“{number}”不是本部门本轮的联审请求，请使用导出的表格")
        elif request.pk in seen:
            row.errors.append(f"编号 {number} 在表中出现了两次")
        else:
            seen.add(request.pk)
            row.request = request
            row.already = current.get(request.pk, "")
            candidate = request.candidate
            if text["姓名"] != candidate.name:
                row.errors.append(f"姓名与编号 {number} 的人选（{candidate.name}）不一致")
            id_text = text["身份证号"].upper()
            if id_text and id_text != decrypt_text(candidate.id_encrypted, key):
                row.errors.append("身份证号与导出时不一致，请勿修改人选信息")
        result = RESULTS.get(text["结论"].replace(" ", ""))
        if result is None:
            row.errors.append(
                "“结论”未填写，请填写“通过”或“发现问题”"
                if not text["结论"]
                else f"“结论”只能填写“通过”或“发现问题”（收到“{text['结论']}”）"
            )
        else:
            row.result = result
        raw_items = "".join(_CIRCLED.get(ch, ch) for ch in text["情形序号"])
        for n in _NUMBER_RE.findall(raw_items):
            item = items.get(int(n))
            if item is None:
                row.errors.append(f"负面清单没有第 {n} 项")
            elif item not in row.items:
                row.items.append(item)
        row.note = text["说明"]
        if result == SignOffResult.FINDING:
            if not row.items:
                row.errors.append("发现问题时请在“情形序号”填写对应的负面清单序号")
            if not row.note:
                row.errors.append("发现问题时请在“说明”写明问题")
        if result == SignOffResult.PASS and row.items:
            row.errors.append("“通过”时“情形序号”应为空")
        rows.append(row)
    missing = [r for pk, r in requests.items() if pk not in seen and pk not in current]
    return SheetPreview(rows, missing)


def upload_sheet(
    vround: VettingRound, department: Department, *, filename: str, data: bytes, actor: Any
) -> SheetImport:
    try:
        _check(vround, department, data)
    except ImportFileError as exc:
        raise VettingError(exc.message, errors={"file": exc.message}) from None
    with transaction.atomic():
        item = SheetImport.objects.create(
            round=vround,
            department=department,
            filename=filename[:200],
            data=encrypt_bytes(data, encryption_key(), aad=_AAD),
            sha256=hashlib.sha256(data).hexdigest(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor,
            "vetting.sheet.uploaded",
            item,
            street_id=vround.cycle.street_id,
            data={"部门": department.name, "文件": item.filename},
        )
    return item


def preview_of(item: SheetImport) -> SheetPreview:
    return _check(
        item.round, item.department, decrypt_bytes(bytes(item.data), encryption_key(), aad=_AAD)
    )


def commit_sheet(item: SheetImport, *, actor: Any) -> int:
    """Every row becomes a sign-off (a correction where one exists), or none does."""
    with transaction.atomic():
        locked = (
            SheetImport.objects.select_for_update()
            .select_related("round__cycle", "department")
            .get(pk=item.pk)
        )
        if locked.state != SheetImport.State.CHECKED:
            raise VettingError("这个文件已经处理过了")
        preview = preview_of(locked)
        if not preview.ok:
            raise VettingError(f"表中有 {preview.errors} 行需要修改，没有导入任何一行")
        for row in preview.rows:
            assert row.request is not None
            sign_off(
                row.request,
                row.result,
                actor=actor,
                items=row.items,
                note=row.note,
                source="xlsx",
            )
        locked.state = SheetImport.State.COMMITTED
        locked.save(update_fields=["state"])
        audit.record(
            actor,
            "vetting.sheet.committed",
            locked,
            street_id=locked.round.cycle.street_id,
            data={"部门": locked.department.name, "行数": len(preview.rows)},
        )
    return len(preview.rows)


def discard_sheet(item: SheetImport, *, actor: Any) -> None:
    with transaction.atomic():
        locked = SheetImport.objects.select_for_update().get(pk=item.pk)
        if locked.state != SheetImport.State.CHECKED:
            raise VettingError("这个文件已经处理过了")
        locked.state = SheetImport.State.DISCARDED
        locked.data = b""
        locked.save(update_fields=["state", "data"])
        audit.record(actor, "vetting.sheet.discarded", locked, data={"文件": locked.filename})
