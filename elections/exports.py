"""Spreadsheet exports (STYLE.md habit 11).

An exporter is a small class that names its file and yields a header and rows;
`write_xlsx` (the one base that writes .xlsx) streams them through openpyxl's
write-only mode. Cell values are made safe the way pretix's `safe_openpyxl` does:
characters that XML (and so Excel) cannot hold are dropped, and a string that
starts like a formula (= + - @) is stored as text with Excel's quote prefix, so
that neither opening nor editing the cell can run it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from elections.models import CommunityElection, Voter, VoterCategory, VoterSource, VoterStatus
from elections.personal import mask_phone
from elections.public import age_on

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_ILLEGAL_CHARACTERS = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_FORMULA_STARTS = ("=", "+", "-", "@")

Value = str | int | float | bool | dt.date | dt.datetime | None


class Exporter:
    """One export: a file name, a sheet title, a header and rows."""

    sheet_title: ClassVar[str] = "Sheet1"
    # Column widths in characters (a CJK character counts about 2).
    column_widths: ClassVar[Sequence[int]] = ()

    def filename(self) -> str:
        raise NotImplementedError

    def header(self) -> Sequence[str]:
        raise NotImplementedError

    def rows(self) -> Iterator[Sequence[Value]]:
        raise NotImplementedError


def safe_cell(sheet: WriteOnlyWorksheet, value: Value, *, bold: bool = False) -> Cell:
    """A cell that Excel shows exactly as `value`: never a formula, never a broken file."""
    if isinstance(value, str):
        value = _ILLEGAL_CHARACTERS.sub("", value)
    cell = WriteOnlyCell(sheet, value=cast(Any, value))  # the stubs omit date, which works
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl takes "=..." for a formula
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(exporter: Exporter) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(exporter.sheet_title)
    for index, width in enumerate(exporter.column_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([safe_cell(sheet, title, bold=True) for title in exporter.header()])
    for row in exporter.rows():
        sheet.append([safe_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(exporter: Exporter) -> HttpResponse:
    response = HttpResponse(write_xlsx(exporter), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=exporter.filename()) or ""
    )
    response["Cache-Control"] = "private, no-store"
    return response


# -- the voter roll -----------------------------------------------------------------------


class VoterRollExporter(Exporter):
    """The (filtered) roll with masked ID and phone numbers (RULES.md §9).

    Reads the masked ID column and the phone only; the encrypted number and its
    hash are never loaded."""

    sheet_title = "选民名单"
    column_widths = (6, 12, 6, 12, 12, 8, 18, 14, 14, 22, 16, 12)
    columns = (
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "group",
        "category",
        "status",
        "id_masked",
        "phone",
        "source",
    )

    def __init__(self, election: CommunityElection, voters: QuerySet[Voter]) -> None:
        self.election = election
        self.voters = voters
        self.count = 0

    def filename(self) -> str:
        return f"{self.election.community.name}选民名单-{timezone.localdate():%Y%m%d}.xlsx"

    def header(self) -> Sequence[str]:
        return (
            "序号",
            "姓名",
            "性别",
            "出生日期",
            f"年龄（选举日{self.election.election_day:%Y-%m-%d}）",
            "民族",
            "居民小组",
            "登记类别",
            "状态",
            "身份证号",
            "联系电话",
            "来源",
        )

    def rows(self) -> Iterator[Sequence[Value]]:
        categories = dict(VoterCategory.choices)
        statuses = dict(VoterStatus.choices)
        sources = dict(VoterSource.choices)
        day = self.election.election_day
        records: Iterable[dict[str, Any]] = self.voters.values(*self.columns).iterator(
            chunk_size=2000
        )
        for number, voter in enumerate(records, start=1):
            self.count = number
            yield (
                number,
                voter["name"],
                voter["gender"],
                voter["birth_date"],
                age_on(voter["birth_date"], day),
                voter["ethnicity"],
                voter["group"],
                categories.get(voter["category"], voter["category"]),
                statuses.get(voter["status"], voter["status"]),
                voter["id_masked"],
                mask_phone(voter["phone"]) if voter["phone"] else "",
                sources.get(voter["source"], voter["source"]),
            )
