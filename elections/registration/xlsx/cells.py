"""Turning a spreadsheet cell into the text or date a person meant."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from elections.registration.voter_checks import ALLOWED_CATEGORIES
from elections.registration.xlsx.columns import COLUMNS, Cell

# --------------------------------------------------------------------------------------
# Cell normalisation
# --------------------------------------------------------------------------------------

_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCI_RE: Final = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
_DATE_TEXT_RE: Final = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日?"
    r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2})"
)
_MIDNIGHT_RE: Final = re.compile(r"\s+0{1,2}:00(?::00)?$")


def _cell_text(cell: Cell) -> str:
    """Text of a cell as a person would read it: numbers without ".0", dates as ISO."""
    if isinstance(cell, str):
        text = cell.strip()
        return _CONTROL_RE.sub("", text) if text and not text.isprintable() else text
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return f"{cell:.15g}"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time(0):
            return cell.date().isoformat()
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _excel_number_text(value: float) -> str:
    """How Excel shows a number it stored: 15 significant digits, no exponent."""
    return format(Decimal(f"{value:.15g}"), "f")


def _parse_date_text(text: str) -> dt.date | None:
    text = _MIDNIGHT_RE.sub("", unicodedata.normalize("NFKC", text).strip()).replace(" ", "")
    m = _DATE_TEXT_RE.fullmatch(text)
    if m is None:
        return None
    if m.group("y"):
        y, mo, d = m.group("y", "m", "d")
    elif m.group("y2"):
        y, mo, d = m.group("y2", "m2", "d2")
    else:
        y, mo, d = m.group("y3", "m3", "d3")
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None


_ALLOWED_CATEGORIES: Final = ALLOWED_CATEGORIES

_MSG_ID_AS_NUMBER: Final = (
    "身份证号被 Excel 存成了数字，末几位已经丢失。请把该列设置为“文本”格式后重新输入这些号码"
)
_MSG_FORMULA_TEXT: Final = (
    "内容以“=”开头，是被当作文字保存的公式（单元格格式为“文本”时输入的公式不会计算）。"
    "请直接填写实际内容"
)
_MSG_FORMULA_NO_VALUE: Final = (
    "该单元格是公式，但文件里没有保存计算结果。请在 Excel 中打开并保存后再上传，"
    "或“复制→选择性粘贴→数值”"
)
_MSG_ID_AS_DATE: Final = (
    "身份证号被 Excel 识别成了日期或时间。请把该列设置为“文本”格式后重新输入这些号码"
)
_EMPTY_VALUES: Final[Mapping[str, str]] = dict.fromkeys(COLUMNS, "")
_MSG_FORMULA_VALUE: Final = (
    "该单元格是公式，已按 Excel 保存的计算结果导入，请核对；建议“复制→选择性粘贴→数值”"
)
