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
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, cast

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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
