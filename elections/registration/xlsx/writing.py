"""Writing the empty import template and the error report, through the one xlsx writer
(elections.exports.Book: the same safe-cell rule as every export)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from elections.exports import Book
from elections.idnumbers import mask_id_number, mask_phone
from elections.registration.xlsx.cells import (
    _ALLOWED_CATEGORIES,
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

_HEADER: Final = {"bold": True, "align": "center", "bg_color": "#DDEBF7"}
_REQUIRED_HEADER: Final = {**_HEADER, "bg_color": "#FCE4D6"}
_ERROR_ROW: Final = {"bg_color": "#FFC7CE"}
_WARNING_ROW: Final = {"bg_color": "#FFEB9C"}
_ERROR_TEXT: Final = {**_ERROR_ROW, "font_color": "#9C0006"}
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
_Mask = Callable[[Cell | None], str]

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
    shaded), 身份证号, 联系电话 and 居民小组 formatted as text (``@``) so that Excel keeps
    every digit, drop-down lists for 登记类别 and 性别. Sheet "填写说明": instructions.
    """
    book = Book()
    sheet = book.sheet(
        "选民登记",
        widths=[_WIDTHS[name] for name in COLUMNS],
        text_columns=[COLUMNS.index(c) for c in ("身份证号", "联系电话", "居民小组")],
        date_columns=[COLUMNS.index("出生日期")],
    )
    required, optional = book.row_style(**_REQUIRED_HEADER), book.row_style(**_HEADER)
    sheet.header(COLUMNS, styles=[required if c in REQUIRED else optional for c in COLUMNS])
    last = _TEMPLATE_ROWS - 1
    sheet.list_validation(
        COLUMNS.index("登记类别"),
        1,
        last,
        list(CATEGORIES),
        f"登记类别只能是：{_ALLOWED_CATEGORIES}",
    )
    sheet.list_validation(COLUMNS.index("性别"), 1, last, ("男", "女"), "性别只能是“男”或“女”")

    notes = book.sheet("填写说明", widths=[110])
    bold = book.row_style(bold=True)
    for text, is_bold in _INSTRUCTIONS:
        notes.append([text or None], bold if is_bold else None)
    return book.close()


def write_error_report(parsed: ParsedFile, results: list[RowResult]) -> bytes:
    """Return the rows with a problem (errors and warnings) and their messages, as .xlsx.

    Columns: "原行号" (the row's number in the uploaded sheet, so that the person can
    find it and fix it in their own file), the upload's columns as typed, and
    "错误说明" (all messages of the row, ``字段：说明`` joined by "；"). 身份证号 and
    联系电话 are masked: the report never repeats a whole number. Rows with an error
    are shaded red, rows with only warnings yellow. Every cell goes through the one
    safe-cell rule of elections.exports (formulas stay text).
    """
    width = max(len(parsed.headers), *(len(r) for r in parsed.sheet_rows[parsed.header_row :]), 0)
    headers = [*parsed.headers, *[""] * (width - len(parsed.headers))]
    masks = _masked_columns(parsed)
    book = Book()
    sheet = book.sheet(
        "错误报告",
        widths=[8, *[22 if i in masks else 14 for i in range(width)], 60],
        text_columns=[i + 1 for i in masks],
    )
    sheet.header([ROW_NUMBER_COLUMN, *headers, ERROR_COLUMN])
    styles = {"error": book.row_style(**_ERROR_ROW), "warning": book.row_style(**_WARNING_ROW)}
    message = {"error": book.row_style(**_ERROR_TEXT), "warning": None}
    for result in results:
        if not result.messages:
            continue
        cells = parsed.sheet_rows[result.row_number - 1]
        values = [*cells, *[None] * (width - len(cells))]
        for col, mask in masks.items():
            values[col] = mask(values[col])
        state = "error" if result.state == "error" else "warning"
        sheet.append(
            [result.row_number, *values, _messages(result)],
            styles[state],
            styles=[*[None] * (width + 1), message[state]],
        )
    return book.close()


def _masked_columns(parsed: ParsedFile) -> dict[int, _Mask]:
    found: dict[int, _Mask] = {}
    if "身份证号" in parsed.columns:
        found[parsed.columns["身份证号"]] = _masked_id
    if "联系电话" in parsed.columns:
        found[parsed.columns["联系电话"]] = _masked_phone
    return found


def _masked_id(value: Cell | None) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = _excel_number_text(float(value))
    return "" if value is None or value == "" else mask_id_number(_cell_text(value))


def _masked_phone(value: Cell | None) -> str:
    text = "" if value is None else _cell_text(value)
    return mask_phone(text) if text else ""


def _messages(result: RowResult) -> str:
    return "；".join(
        m.text if m.text.startswith(m.field) else f"{m.field}：{m.text}" for m in result.messages
    )
