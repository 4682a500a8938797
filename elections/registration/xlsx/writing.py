"""Writing the empty import template and the error report."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from elections.registration.xlsx.cells import (
    _ALLOWED_CATEGORIES,
    _CONTROL_RE,
    _cell_text,
    _excel_number_text,
)
from elections.registration.xlsx.columns import (
    CATEGORIES,
    COLUMNS,
    DEFAULT_MAX_ROWS,
    ERROR_COLUMN,
    REQUIRED,
    ROW_NUMBER_COLUMN,
    Cell,
)
from elections.registration.xlsx.types import ParsedFile, RowResult

# --------------------------------------------------------------------------------------
# Writing: template and error report
# --------------------------------------------------------------------------------------

_BOLD: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL: Final = PatternFill("solid", fgColor="FCE4D6")
_ERROR_FILL: Final = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL: Final = PatternFill("solid", fgColor="FFEB9C")
_ERROR_FONT: Final = Font(color="9C0006")
_WIDTHS: Final[Mapping[str, int]] = {
    "姓名": 12,
    "身份证号": 22,
    "性别": 6,
    "出生日期": 12,
    "民族": 8,
    "居民小组": 10,
    "住址": 32,
    "联系电话": 15,
    "登记类别": 14,
    "备注": 24,
}
_TEMPLATE_ROWS: Final = DEFAULT_MAX_ROWS + 1

_INSTRUCTIONS: Final = (
    ("选民登记导入模板 · 填写说明", True),
    ("", False),
    ("1. 在“选民登记”工作表第1行表头下面逐行填写，每行一位选民。不要修改表头文字。", False),
    ("2. 必填列：姓名、身份证号、登记类别。其余列可以不填，也可以删除。", False),
    ("3. 表头顺序可以调整；模板以外的列会被忽略，并在导入预览中列出。", False),
    (
        "4. 身份证号：填写18位号码，最后一位是X的请填写大写或小写X均可。"
        "该列已设置为“文本”格式，请不要改成数字格式，否则末几位会丢失。",
        False,
    ),
    (
        "   从其他表格粘贴时，请使用“选择性粘贴→数值”，并确认号码没有变成 4.30105E+17 这样的形式。",
        False,
    ),
    ("5. 性别、出生日期可以不填，系统按身份证号自动计算；如果填写，必须与身份证号一致。", False),
    ("   出生日期可写成 1990-01-01、1990/1/1、1990年1月1日 或 19900101。", False),
    ("6. 登记类别只能从下拉列表中选择：户在人在、户在人不在、人在户不在、社区工作人员。", False),
    ("7. 年龄按选举日计算，选举日未满18周岁的不能登记。", False),
    ("8. 同一身份证号在文件中只能出现一次；已在其他社区登记的不能重复登记。", False),
    ("9. 联系电话填写手机号或带区号的固定电话。", False),
    ("10. 不要使用公式；文件不要设置密码；请保存为 .xlsx 格式。", False),
    ("", False),
    ("填写示例（请勿复制到“选民登记”表中）：", True),
    (
        "姓名：张三　身份证号：430105199001011234　登记类别：户在人在　居民小组：第三居民小组",
        False,
    ),
    ("", False),
    (
        "个人信息保护：本表含身份证号、联系电话等个人信息，仅用于选民登记，"
        "请妥善保管，不得外传或张贴。",
        False,
    ),
)


def write_template() -> bytes:
    """Return the empty import template (.xlsx) as bytes.

    Sheet "选民登记": the ten :data:`COLUMNS` as a bold, frozen header (required columns
    shaded), 身份证号 and 联系电话 formatted as text (``@``) so that Excel keeps every
    digit, drop-down lists for 登记类别 and 性别. Sheet "填写说明": instructions.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "选民登记"
    ws.append(list(COLUMNS))
    for i, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = _BOLD
        cell.fill = _REQUIRED_FILL if name in REQUIRED else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = _WIDTHS[name]
        if name in ("身份证号", "联系电话", "居民小组"):
            dim.number_format = "@"
        elif name == "出生日期":
            dim.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"

    def _list_validation(column: str, options: Iterable[str], prompt: str) -> None:
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(options) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="输入无效",
            error=prompt,
        )
        letter = get_column_letter(COLUMNS.index(column) + 1)
        dv.add(f"{letter}2:{letter}{_TEMPLATE_ROWS}")
        ws.add_data_validation(dv)

    _list_validation("登记类别", CATEGORIES, f"登记类别只能是：{_ALLOWED_CATEGORIES}")
    _list_validation("性别", ("男", "女"), "性别只能是“男”或“女”")

    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 110
    for text, bold in _INSTRUCTIONS:
        notes.append([text])
        if bold:
            notes.cell(row=notes.max_row, column=1).font = _BOLD
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_error_report(
    parsed: ParsedFile, results: list[RowResult], *, only_problem_rows: bool = False
) -> bytes:
    """Return the uploaded sheet with an extra last column "错误说明" as .xlsx bytes.

    Every row keeps its original row number (title lines and blank rows included), so
    "与第N行重复" still points at the right row. The new column holds all messages of the
    row, ``字段：说明`` joined by "；". Rows with an error are shaded red, rows with only
    warnings yellow. Text that looks like a formula (``= + - @``) is stored as a string
    with Excel's quote prefix, so nothing in the report is ever evaluated. The 身份证号
    and 联系电话 columns are written as text; an ID number Excel had stored as a number
    is shown as Excel showed it (15 significant digits), so the loss stays visible.

    ``only_problem_rows=True`` writes only the header and the rows that have a message
    (much faster for a large register: openpyxl needs ~10 s per 100,000 rows), with a
    further column "原行号" giving each row's number in the uploaded file. Both extra
    columns are ignored (and not listed) when the report is uploaded again.
    """
    by_row = {r.row_number: r for r in results}
    width = max((len(r) for r in parsed.sheet_rows), default=0)
    width = max(width, len(parsed.headers))
    text_cols = {parsed.columns[c] for c in ("身份证号", "联系电话") if c in parsed.columns}
    id_col = parsed.columns.get("身份证号")

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    for i in range(width):
        dim = ws.column_dimensions[get_column_letter(i + 1)]
        if i in text_cols:
            dim.number_format = "@"
            dim.width = 22
        else:
            dim.width = 14
    ws.column_dimensions[get_column_letter(width + 1)].width = 60
    header_idx = parsed.header_row - 1
    row_indices: Iterable[int]
    if only_problem_rows:
        ws.freeze_panes = "A2"
        row_indices = [header_idx] + [r.row_number - 1 for r in results if r.messages]
    else:
        ws.freeze_panes = f"A{parsed.header_row + 1}"
        row_indices = range(len(parsed.sheet_rows))

    for r in row_indices:
        cells = parsed.sheet_rows[r]
        res = by_row.get(r + 1) if r > header_idx else None
        fill = None
        if res is not None and res.messages:
            fill = _ERROR_FILL if res.state == "error" else _WARNING_FILL
        bold = r == header_idx
        styled = fill is not None or bold
        out: list[object] = []
        for i, value in enumerate(cells):
            if value.__class__ is str:
                if not value:
                    out.append(_report_cell(ws, None, fill=fill) if fill else None)
                    continue
            elif (
                r > header_idx
                and i in text_cols
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                value = _excel_number_text(float(value)) if i == id_col else _cell_text(value)
            if styled or not _plain_safe(value):
                out.append(_report_cell(ws, value, fill=fill, bold=bold))
            else:
                out.append(value)
        out.extend([None] * (width - len(cells)))
        if r == header_idx:
            out.append(_report_cell(ws, ERROR_COLUMN, bold=True))
            if only_problem_rows:
                out.append(_report_cell(ws, ROW_NUMBER_COLUMN, bold=True))
        elif res is not None and res.messages:
            text = "；".join(
                m.text if m.text.startswith(m.field) else f"{m.field}：{m.text}"
                for m in res.messages
            )
            cell = _report_cell(ws, text, fill=fill)
            if res.state == "error":
                cell.font = _ERROR_FONT
            out.append(cell)
            if only_problem_rows:
                out.append(r + 1)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_RISKY_PREFIX: Final = ("=", "+", "-", "@")


def _plain_safe(value: Cell) -> bool:
    """True if openpyxl can write ``value`` as-is (no formula, no illegal character)."""
    if value.__class__ is str:
        return not value.startswith(_RISKY_PREFIX) and value.isprintable()  # type: ignore[union-attr]
    return not isinstance(value, dt.time | dt.timedelta)


_FORMAT_DATE: Final = "yyyy-mm-dd"
_FORMAT_DATETIME: Final = "yyyy-mm-dd hh:mm:ss"


def _report_cell(
    ws: object, value: Cell | None, *, fill: PatternFill | None = None, bold: bool = False
) -> XlCell:
    """A write-only cell that never becomes a formula and never holds illegal characters."""
    if isinstance(value, dt.time | dt.timedelta):
        value = str(value)
    elif isinstance(value, str) and value and not value.isprintable():
        value = _CONTROL_RE.sub("", value)
    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if value.startswith(_RISKY_PREFIX):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    elif isinstance(value, dt.datetime):
        cell.number_format = _FORMAT_DATETIME
    elif isinstance(value, dt.date):
        cell.number_format = _FORMAT_DATE
    if fill is not None:
        cell.fill = fill
    if bold:
        cell.font = _BOLD
    return cell
