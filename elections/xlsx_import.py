"""Voter-register import from Excel: reading, row validation, template and error report.

Pure Python (no Django import). The view/task layer does the database work:

1. ``parsed = read_rows(upload_bytes)`` — checks the container and reads the first
   visible worksheet with python-calamine. Anything wrong with the *file* raises
   :class:`ImportFileError` with a Chinese message (never another exception).
2. ``results = validate_rows(parsed, election_day=..., lookup=...)`` — one
   :class:`RowResult` per data row with a state (``new`` / ``update`` / ``unchanged`` /
   ``warning`` / ``error``) and per-field Chinese messages. ``lookup`` is called exactly
   once with every distinct valid ID number in the file; the caller answers it with one
   database query (by :func:`elections.personal.id_hash`).
3. ``write_error_report(parsed, results)`` — the uploaded sheet plus a "错误说明"
   column, to download, fix and upload again. ``write_template()`` — the empty template.

Templates and reports are written with openpyxl; reading uses python-calamine because it
is an order of magnitude faster on large registers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Final, Literal, TypeAlias

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum
from stdnum.cn import ric

from ballots.rules import latest_eligible_birth_date
from elections.personal import IdInfo, IdNumberError, mask_phone, parse_id_number

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "ERROR_COLUMN",
    "REQUIRED",
    "ROW_NUMBER_COLUMN",
    "Cell",
    "ExistingRecord",
    "FieldMessage",
    "ImportFileError",
    "ParsedFile",
    "RawRow",
    "RowResult",
    "generate_valid_id",
    "read_rows",
    "validate_rows",
    "write_error_report",
    "write_template",
]

# --------------------------------------------------------------------------------------
# Public constants
# --------------------------------------------------------------------------------------

COLUMNS: Final = (
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "民族",
    "居民小组",
    "住址",
    "联系电话",
    "登记类别",
    "备注",
)
REQUIRED: Final = ("姓名", "身份证号", "登记类别")

#: 登记类别 label → code (RULES.md R10 (a)–(d)).
CATEGORIES: Final[Mapping[str, str]] = {
    "户在人在": "resident",
    "户在人不在": "registered_absent",
    "人在户不在": "nonresident",
    "社区工作人员": "community_worker",
}
#: code → label.
CATEGORY_LABELS: Final[Mapping[str, str]] = {code: label for label, code in CATEGORIES.items()}

#: Name of the extra column in the error report (ignored, not listed, on re-upload).
ERROR_COLUMN: Final = "错误说明"
#: Original row number, in a report of problem rows only (ignored on re-upload).
ROW_NUMBER_COLUMN: Final = "原行号"

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_ROWS: Final = 200_000
#: Guard against zip bombs: sum of the declared uncompressed sizes of all parts.
DEFAULT_MAX_UNPACKED_BYTES: Final = 512 * 1024 * 1024
#: Columns beyond this are refused (a stray value in column XFD would otherwise make
#: calamine materialise 16,384 cells per row).
MAX_COLUMNS: Final = 256
#: Rows allowed above the header (title lines such as "XX社区选民登记表").
_MAX_PREAMBLE_ROWS: Final = 20

#: A cell value as python-calamine returns it (empty cells are ``""``).
Cell: TypeAlias = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta

State = Literal["new", "update", "unchanged", "warning", "error"]
Level = Literal["error", "warning"]

# --------------------------------------------------------------------------------------
# Data types
# --------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The uploaded file cannot be imported at all.

    ``str(error)`` / ``message`` is a Chinese sentence for the user. ``code`` is one of
    ``empty``, ``too_large``, ``too_many_rows``, ``too_many_columns``, ``encrypted``,
    ``xls``, ``not_xlsx``, ``corrupt``, ``no_header``, ``missing_columns``,
    ``duplicate_column``, ``no_data``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class RawRow:
    """One non-blank data row as read from the sheet."""

    row_number: int
    """Excel's 1-based row number."""
    values: dict[str, Cell]
    """Recognised column → raw cell value (``""`` for an empty cell)."""
    cells: list[Cell]
    """The whole original row, every column including ignored ones (for the report)."""
    formula_fields: frozenset[str] = frozenset()
    """Recognised columns whose cell holds a real Excel formula."""


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """Result of :func:`read_rows`."""

    sheet_name: str
    header_row: int
    """Excel's 1-based row number of the header."""
    columns: dict[str, int]
    """Recognised column (one of :data:`COLUMNS`) → 0-based column index in the sheet."""
    headers: list[str]
    """The header row as typed (text of every cell, ``""`` if empty)."""
    extra_columns: list[str]
    """Headers that were not recognised and are ignored, as typed."""
    rows: list[RawRow]
    blank_rows: int
    """Completely blank rows below the header that were skipped."""
    sheet_rows: list[list[Cell]] = field(repr=False)
    """Every row of the sheet from row 1 (for the error report)."""


@dataclass(frozen=True, slots=True)
class FieldMessage:
    """A Chinese message about one field (a :data:`COLUMNS` name) of one row."""

    field: str
    level: Level
    text: str


@dataclass(frozen=True, slots=True)
class ExistingRecord:
    """What the database already knows about an ID number (for the current election).

    ``fields`` uses the same keys and normalised forms as :attr:`RowResult.values`
    (登记类别 as its code, 出生日期 as ``YYYY-MM-DD``); a missing key compares as ``""``.
    ``community_name`` is the display name; "社区" is appended in messages if it is not
    already there.
    """

    community_code: str
    community_name: str
    same_community: bool
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RowResult:
    """Validation outcome of one data row."""

    row_number: int
    state: State
    values: dict[str, str]
    """Normalised values for every name in :data:`COLUMNS` (``""`` if absent):
    身份证号 normalised (18 chars), 性别 and 出生日期 (``YYYY-MM-DD``) taken from the ID
    number when it is valid, 登记类别 as its code (see :data:`CATEGORIES`)."""
    messages: list[FieldMessage]
    id_info: IdInfo | None
    existing: ExistingRecord | None = None
    """The matching record in the same community (for ``update``/``unchanged``)."""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Field → (old, new) for an update. A blank optional cell never clears a value."""

    @property
    def errors(self) -> list[FieldMessage]:
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[FieldMessage]:
        return [m for m in self.messages if m.level == "warning"]

    @property
    def committable(self) -> bool:
        """True unless the row has an error (warning rows can be committed)."""
        return self.state != "error"


Lookup = Callable[[list[str]], Mapping[str, ExistingRecord]]

# --------------------------------------------------------------------------------------
# Header recognition
# --------------------------------------------------------------------------------------

_HEADER_ALIASES: Final[Mapping[str, str]] = {
    alias: column
    for column, aliases in {
        "姓名": ("姓名", "名字", "选民姓名"),
        "身份证号": (
            "身份证号",
            "身份证号码",
            "身份证",
            "公民身份号码",
            "公民身份证号",
            "公民身份证号码",
            "居民身份证号",
            "居民身份证号码",
            "身份号码",
            "证件号码",
        ),
        "性别": ("性别",),
        "出生日期": ("出生日期", "出生年月日", "生日"),
        "民族": ("民族",),
        "居民小组": ("居民小组", "小组", "所在小组", "所属小组", "居民组", "组别"),
        "住址": ("住址", "地址", "家庭住址", "现住址", "居住地址", "家庭地址"),
        "联系电话": (
            "联系电话",
            "电话",
            "电话号码",
            "手机",
            "手机号",
            "手机号码",
            "联系方式",
        ),
        "登记类别": ("登记类别", "类别", "选民类别", "登记类型", "选民登记类别"),
        "备注": ("备注",),
    }.items()
    for alias in aliases
}
# Whitespace, required-markers (*) and parenthesised notes such as "(必填)" or "（18位）".
_HEADER_NOISE_RE: Final = re.compile(r"\s+|\*+|\([^)]*\)|:$")


def _header_key(cell: Cell) -> str:
    """Normalise a header cell for matching (NFKC turns full-width into half-width)."""
    if not isinstance(cell, str):
        return ""
    return _HEADER_NOISE_RE.sub("", unicodedata.normalize("NFKC", cell))


def _header_column(cell: Cell) -> str | None:
    return _HEADER_ALIASES.get(_header_key(cell))


# --------------------------------------------------------------------------------------
# File reading
# --------------------------------------------------------------------------------------

_ZIP_MAGIC: Final = b"PK\x03\x04"
_CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_MSG_EMPTY_FILE: Final = "文件是空的（0 字节），请重新选择文件"
_MSG_ENCRYPTED: Final = "文件已加密，请在 Excel 中取消密码后另存为 .xlsx 再上传"
_MSG_XLS: Final = (
    "这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（.xlsx）后再上传"
)
_MSG_NOT_XLSX: Final = (
    "文件不是 Excel 工作簿（.xlsx）。请在 Excel 或 WPS 中打开，"
    "“另存为”Excel 工作簿（.xlsx）后再上传"
)
_MSG_CORRUPT: Final = "文件已损坏，无法读取。请在 Excel 中打开确认内容后重新保存为 .xlsx 再上传"
_MSG_EMPTY_SHEET: Final = "工作表是空的，没有任何内容。请在第一个工作表中填写选民信息"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _cfb_error(data: bytes) -> ImportFileError:
    """Classify an OLE2/CFB container: encrypted OOXML, old .xls, or another file."""
    if _utf16("EncryptedPackage") in data:
        return ImportFileError(_MSG_ENCRYPTED, "encrypted")
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return ImportFileError(_MSG_XLS, "xls")
    if _utf16("WordDocument") in data or _utf16("PowerPoint Document") in data:
        return ImportFileError(_MSG_NOT_XLSX, "not_xlsx")
    # A CFB file uploaded as .xlsx is, in practice, a password-protected workbook.
    return ImportFileError(_MSG_ENCRYPTED, "encrypted")


def _check_container(data: bytes, max_bytes: int, max_unpacked_bytes: int) -> zipfile.ZipFile:
    """Reject anything that is not a plausible, reasonably sized .xlsx package."""
    if not data:
        raise ImportFileError(_MSG_EMPTY_FILE, "empty")
    if len(data) > max_bytes:
        raise ImportFileError(
            f"文件太大（{_mb(len(data))} MB），单个文件不能超过 {_mb(max_bytes)} MB。"
            "请删除无关的工作表、图片，或分成几个文件上传",
            "too_large",
        )
    if data.startswith(_CFB_MAGIC):
        raise _cfb_error(data)
    if not data.startswith(_ZIP_MAGIC):
        raise ImportFileError(_MSG_NOT_XLSX, "not_xlsx")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(_MSG_CORRUPT, "corrupt") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise ImportFileError(
                "这是 Excel 二进制工作簿（.xlsb），请“另存为”Excel 工作簿（.xlsx）后再上传",
                "not_xlsx",
            )
        if "content.xml" in names:
            raise ImportFileError(
                "这是 OpenDocument 表格（.ods），请“另存为”Excel 工作簿（.xlsx）后再上传",
                "not_xlsx",
            )
        raise ImportFileError(
            "这是一个压缩包，不是 Excel 工作簿（.xlsx）。请上传 .xlsx 文件本身", "not_xlsx"
        )
    if sum(info.file_size for info in infos) > max_unpacked_bytes:
        raise ImportFileError(
            f"文件解压后超过 {_mb(max_unpacked_bytes)} MB，内容过多。"
            "请删除无关的工作表，或分成几个文件上传",
            "too_large",
        )
    return zf


# Formula detection. calamine only returns cached values, so real formula cells are found
# in the sheet XML. <f> is the first child of <c> (ECMA-376 CT_Cell).
_FORMULA_CELL_RE: Final = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>\s*<(?:\w+:)?f[\s>/]'
)
_XML_TAG_RE: Final = re.compile(rb"<(?:\w+:)?(sheet|Relationship)\b([^>]*)>")
_XML_ATTR_RE: Final = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_CHUNK: Final = 1 << 20
_OVERLAP: Final = 4096


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xml_attrs(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _XML_ATTR_RE.findall(raw):
        name = key.decode("ascii", "replace")
        out[name] = value.decode("utf-8", "replace")
        out.setdefault(name.rsplit(":", 1)[-1], out[name])  # "r:id" also as "id"
    return out


def _sheet_part(zf: zipfile.ZipFile, sheet_index: int) -> str | None:
    """Zip path of the worksheet at ``sheet_index`` (workbook order), or None."""
    workbook = zf.read("xl/workbook.xml")
    rels = zf.read("xl/_rels/workbook.xml.rels")
    sheet_rids = [
        _xml_attrs(attrs).get("id", "")
        for tag, attrs in _XML_TAG_RE.findall(workbook)
        if tag == b"sheet"
    ]
    targets = {
        a.get("Id", ""): a.get("Target", "")
        for tag, attrs in _XML_TAG_RE.findall(rels)
        if tag == b"Relationship"
        for a in (_xml_attrs(attrs),)
    }
    if sheet_index >= len(sheet_rids):
        return None
    target = targets.get(sheet_rids[sheet_index])
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _formula_cells(zf: zipfile.ZipFile, sheet_index: int) -> set[tuple[int, int]]:
    """0-based (row, column) of every formula cell of a sheet. Best effort: {} on failure."""
    found: set[tuple[int, int]] = set()
    try:
        part = _sheet_part(zf, sheet_index)
        if part is None:
            return found
        with zf.open(part) as fh:
            tail = b""
            while chunk := fh.read(_CHUNK):
                buf = tail + chunk
                if b"<f" in buf or b":f>" in buf or b":f " in buf:
                    for m in _FORMULA_CELL_RE.finditer(buf):
                        found.add((int(m.group(2)) - 1, _col_index(m.group(1))))
                tail = buf[-_OVERLAP:]
    except Exception:  # formula hints are optional; the values were read by calamine
        return set()
    return found


def _open_sheet(data: bytes) -> tuple[CalamineWorkbook, int]:
    """Open the workbook with calamine and pick the first visible worksheet."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise ImportFileError(_MSG_ENCRYPTED, "encrypted") from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # CalamineError, and pyo3's PanicException (a BaseException)
        raise ImportFileError(_MSG_CORRUPT, "corrupt") from None
    metas = book.sheets_metadata
    if not metas:
        raise ImportFileError(_MSG_EMPTY_SHEET, "empty")
    for i, meta in enumerate(metas):
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return book, i
    return book, 0


#: Shared by every row without formulas (an empty frozenset is ~200 bytes; 100,000 rows).
_NO_FORMULAS: Final[frozenset[str]] = frozenset()


def _is_blank_row(cells: list[Cell]) -> bool:
    for c in cells:  # noqa: SIM110 - a plain loop is measurably faster on 100k rows
        if c != "" and not (c.__class__ is str and c.isspace()):  # type: ignore[union-attr]
            return False
    return True


def _is_blank(cell: Cell) -> bool:
    return cell == "" or (isinstance(cell, str) and not cell.strip())


def read_rows(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
) -> ParsedFile:
    """Read the first visible worksheet of an .xlsx upload.

    The header is the first non-empty row, or — to tolerate a title line such as
    "XX社区选民登记表" — the first of the first 20 non-empty rows that contains all
    :data:`REQUIRED` columns. Header cells are matched ignoring spaces, full-width forms,
    ``*`` markers and parenthesised notes, with common aliases (``身份证号码``,
    ``手机号`` …). Unrecognised headers are listed in ``extra_columns`` and ignored.
    Blank rows are skipped and counted.

    Raises :class:`ImportFileError` (Chinese message) for an empty, oversized,
    encrypted, old-format (.xls), non-xlsx or damaged file, a sheet without content, a
    missing header or missing required columns, a duplicated column and a header without
    data rows. ``max_rows`` limits the number of non-blank data rows.
    """
    with _check_container(data, max_bytes, max_unpacked_bytes) as zf:
        return _read(zf, data, max_rows)


def _read(zf: zipfile.ZipFile, data: bytes, max_rows: int) -> ParsedFile:
    book, sheet_index = _open_sheet(data)
    try:
        try:
            sheet = book.get_sheet_by_index(sheet_index)
            end = sheet.end
            if end is None:
                raise ImportFileError(_MSG_EMPTY_SHEET, "empty")
            if end[1] + 1 > MAX_COLUMNS:
                raise ImportFileError(
                    f"表格有 {end[1] + 1} 列，超过 {MAX_COLUMNS} 列的上限。"
                    "请删除无关的列（包括远处误填的单元格）后再上传",
                    "too_many_columns",
                )
            if end[0] + 1 > max_rows + _MAX_PREAMBLE_ROWS + 1:
                raise _too_many_rows(max_rows)
            sheet_rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
        except ImportFileError:
            raise
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            raise ImportFileError(_MSG_CORRUPT, "corrupt") from None
        sheet_name = sheet.name
        # calamine's own copy of the cells is about as large as the Python rows: let it
        # go before the rows are checked, not when this function returns.
        del sheet
    finally:
        book.close()

    header_idx, columns, extra = _find_header(sheet_rows)
    formulas = _formula_cells(zf, sheet_index)
    formula_rows: dict[int, list[int]] = {}
    for r, c in formulas:
        formula_rows.setdefault(r, []).append(c)
    col_items = list(columns.items())
    by_index = {i: name for name, i in col_items}

    rows: list[RawRow] = []
    blank = 0
    for r in range(header_idx + 1, len(sheet_rows)):
        cells = sheet_rows[r]
        if _is_blank_row(cells):
            blank += 1
            continue
        fcols = formula_rows.get(r)
        ff = frozenset(by_index[c] for c in fcols if c in by_index) if fcols else _NO_FORMULAS
        rows.append(RawRow(r + 1, {name: cells[i] for name, i in col_items}, cells, ff))
        if len(rows) > max_rows:
            raise _too_many_rows(max_rows)
    if not rows:
        raise ImportFileError(
            f"第{header_idx + 1}行是表头，但下面没有任何数据行。请在表头下面逐行填写选民信息",
            "no_data",
        )
    headers = [_cell_text(c) for c in sheet_rows[header_idx]]
    return ParsedFile(
        sheet_name=sheet_name,
        header_row=header_idx + 1,
        columns=columns,
        headers=headers,
        extra_columns=extra,
        rows=rows,
        blank_rows=blank,
        sheet_rows=sheet_rows,
    )


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        f"数据行数超过上限：一个文件最多 {max_rows:,} 行，请分成几个文件上传", "too_many_rows"
    )


def _find_header(sheet_rows: list[list[Cell]]) -> tuple[int, dict[str, int], list[str]]:
    """Return (0-based header row index, column map, extra headers)."""
    candidates: list[int] = []
    for r, cells in enumerate(sheet_rows):
        if any(not _is_blank(c) for c in cells):
            candidates.append(r)
            if len(candidates) >= _MAX_PREAMBLE_ROWS:
                break
    if not candidates:
        raise ImportFileError(_MSG_EMPTY_SHEET, "empty")
    header_idx = None
    for r in candidates:
        found = {_header_column(c) for c in sheet_rows[r]}
        if all(col in found for col in REQUIRED):
            header_idx = r
            break
    if header_idx is None:
        # Report against the row that looks most like a header (ties: the first one).
        def _score(r: int) -> int:
            found = {_header_column(c) for c in sheet_rows[r]}
            return sum(col in found for col in REQUIRED)

        first = max(candidates, key=_score)
        found = {_header_column(c) for c in sheet_rows[first]}
        missing = [col for col in REQUIRED if col not in found]
        names = "、".join(f"“{col}”" for col in missing)
        if len(missing) == len(REQUIRED):
            raise ImportFileError(
                f"没有找到表头行：第{first + 1}行应是表头，但其中没有必填列 {names}。"
                "请把表头放在第一行，或直接使用下载的模板",
                "no_header",
            )
        raise ImportFileError(
            f"表头（第{first + 1}行）缺少必填列：{names}。请补上这些列，或直接使用下载的模板",
            "missing_columns",
        )

    columns: dict[str, int] = {}
    extra: list[str] = []
    for i, cell in enumerate(sheet_rows[header_idx]):
        col = _header_column(cell)
        if col is None:
            text = _cell_text(cell)
            if text and _header_key(cell) not in (ERROR_COLUMN, ROW_NUMBER_COLUMN):
                extra.append(text)
            continue
        if col in columns:
            raise ImportFileError(
                f"表头中“{col}”出现了两次（第{get_column_letter(columns[col] + 1)}列和"
                f"第{get_column_letter(i + 1)}列），请删除多余的一列后再上传",
                "duplicate_column",
            )
        columns[col] = i
    return header_idx, columns, extra


# --------------------------------------------------------------------------------------
# Cell normalisation
# --------------------------------------------------------------------------------------

_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK_GAP_RE: Final = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SCI_RE: Final = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
_DATE_TEXT_RE: Final = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日?"
    r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2})"
)
_MIDNIGHT_RE: Final = re.compile(r"\s+0{1,2}:00(?::00)?$")
_PHONE_SEP_RE: Final = re.compile(r"[\s\-()（）—]")
_MOBILE_RE: Final = re.compile(r"(?:\+?86)?(1\d{10})")
_LANDLINE_RE: Final = re.compile(r"(?:\+?86)?0\d{9,11}(?:(?:转|ext|#)\d{1,6})?")


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


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


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


#: The 56 officially recognised ethnic groups (an unknown value is only a warning).
_ETHNIC_GROUPS: Final = frozenset(
    (
        "汉族",
        "蒙古族",
        "回族",
        "藏族",
        "维吾尔族",
        "苗族",
        "彝族",
        "壮族",
        "布依族",
        "朝鲜族",
        "满族",
        "侗族",
        "瑶族",
        "白族",
        "土家族",
        "哈尼族",
        "哈萨克族",
        "傣族",
        "黎族",
        "傈僳族",
        "佤族",
        "畲族",
        "高山族",
        "拉祜族",
        "水族",
        "东乡族",
        "纳西族",
        "景颇族",
        "柯尔克孜族",
        "土族",
        "达斡尔族",
        "仫佬族",
        "羌族",
        "布朗族",
        "撒拉族",
        "毛南族",
        "仡佬族",
        "锡伯族",
        "阿昌族",
        "普米族",
        "塔吉克族",
        "怒族",
        "乌孜别克族",
        "俄罗斯族",
        "鄂温克族",
        "德昂族",
        "保安族",
        "裕固族",
        "京族",
        "塔塔尔族",
        "独龙族",
        "鄂伦春族",
        "赫哲族",
        "门巴族",
        "珞巴族",
        "基诺族",
    )
)
_GENDERS: Final[Mapping[str, str]] = {"男": "男", "男性": "男", "女": "女", "女性": "女"}
_CATEGORY_INPUTS: Final[Mapping[str, str]] = {
    **CATEGORIES,
    "社区工作者": "community_worker",
    **{code: code for code in CATEGORIES.values()},
}
_ALLOWED_CATEGORIES: Final = "、".join(CATEGORIES)

_MSG_REQUIRED: Final = "必填项不能为空"
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
_MSG_TOO_OLD: Final = "按身份证号计算，选举日时已超过120周岁，请核对号码"
_MAX_PLAUSIBLE_AGE: Final = 120
_EMPTY_VALUES: Final[Mapping[str, str]] = dict.fromkeys(COLUMNS, "")
_MSG_FORMULA_VALUE: Final = (
    "该单元格是公式，已按 Excel 保存的计算结果导入，请核对；建议“复制→选择性粘贴→数值”"
)

# --------------------------------------------------------------------------------------
# Eligibility (G5)
# --------------------------------------------------------------------------------------


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _community_label(record: ExistingRecord) -> str:
    name = record.community_name.strip()
    return name if name.endswith("社区") else name + "社区"


@dataclass(frozen=True, slots=True)
class _RowContext:
    today: dt.date
    election_day: dt.date
    election_day_text: str
    latest_birth: dt.date
    """``latest_eligible_birth_date(election_day)``: born on or before it ⇔ ``eligible_on``."""


def _squash(text: str) -> str:
    """Collapse runs of whitespace (including full-width spaces) to one space."""
    return " ".join(text.split())


def _squash_name(text: str) -> str:
    """Like :func:`_squash`, and drop spaces between Chinese characters ("张  三")."""
    text = " ".join(text.split())
    return _CJK_GAP_RE.sub("", text) if " " in text else text


def _parse_birth_cell(cell: Cell) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, str):
        if len(cell) == 10 and cell[4] == "-" and cell[7] == "-" and cell.isascii():
            try:
                return dt.date.fromisoformat(cell)
            except ValueError:
                return None
        return _parse_date_text(cell)
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float) and float(cell).is_integer():
        return _parse_date_text(str(int(cell)))
    return None


def _check_row(raw: RawRow, ctx: _RowContext) -> RowResult:
    """Field checks of one row (everything except duplicates and the database)."""
    messages: list[FieldMessage] = []
    add = messages.append
    values = dict(_EMPTY_VALUES)
    texts: dict[str, str] = {}
    formula_fields = raw.formula_fields

    # Formulas: real ones (from the sheet XML) and formulas typed into text cells.
    for col, cell in raw.values.items():
        if cell.__class__ is str:  # the cell's text, inline (a million cells a file)
            text = cell.strip()  # type: ignore[union-attr]
            if not text.isprintable():
                text = _CONTROL_RE.sub("", text)
        else:
            text = _cell_text(cell)
        if text[:1] == "=":
            add(
                FieldMessage(
                    col,
                    "error",
                    _MSG_FORMULA_VALUE if col in formula_fields else _MSG_FORMULA_TEXT,
                )
            )
            continue
        if formula_fields and col in formula_fields:
            if not text:
                add(FieldMessage(col, "error", _MSG_FORMULA_NO_VALUE))
                continue
            add(FieldMessage(col, "warning", _MSG_FORMULA_VALUE))
        texts[col] = text

    # 身份证号
    info: IdInfo | None = None
    if "身份证号" in texts:
        id_cell = raw.values["身份证号"]
        id_text = texts["身份证号"]
        values["身份证号"] = id_text
        if id_cell.__class__ is str:
            if not id_text:
                add(FieldMessage("身份证号", "error", _MSG_REQUIRED))
            elif ("E" in id_text or "e" in id_text) and _SCI_RE.fullmatch(id_text):
                add(FieldMessage("身份证号", "error", _MSG_ID_AS_NUMBER))
            else:
                try:
                    info = parse_id_number(id_text.lstrip("'"), today=ctx.today)
                except IdNumberError as exc:
                    add(FieldMessage("身份证号", "error", exc.message))
        elif isinstance(id_cell, bool):
            add(FieldMessage("身份证号", "error", "身份证号格式不正确，请填写18位身份证号码"))
        elif isinstance(id_cell, int | float):
            add(FieldMessage("身份证号", "error", _MSG_ID_AS_NUMBER))
        else:
            add(FieldMessage("身份证号", "error", _MSG_ID_AS_DATE))
    if info is not None:
        values["身份证号"] = info.number
        values["性别"] = info.gender
        values["出生日期"] = info.birth_date.isoformat()
        for w in info.warnings:
            add(FieldMessage("身份证号", "warning", w))
        born = info.birth_date
        # G5 (ballots.rules): eligible_on(born, election_day), via its cut-off date.
        if born > ctx.latest_birth:
            add(FieldMessage("身份证号", "error", f"选举日（{ctx.election_day_text}）未满18周岁"))
        elif (
            ctx.election_day.year - born.year > _MAX_PLAUSIBLE_AGE
            and _age_on(born, ctx.election_day) > _MAX_PLAUSIBLE_AGE
        ):
            add(FieldMessage("身份证号", "warning", _MSG_TOO_OLD))

    # 姓名
    if "姓名" in texts:
        name = _squash_name(texts["姓名"])
        values["姓名"] = name
        if not name:
            add(FieldMessage("姓名", "error", _MSG_REQUIRED))

    # 登记类别
    if "登记类别" in texts:
        label = texts["登记类别"]
        code = _CATEGORY_INPUTS.get(label)
        if code is None:
            label = "".join(unicodedata.normalize("NFKC", label).split())
            code = _CATEGORY_INPUTS.get(label)
        if not label:
            add(FieldMessage("登记类别", "error", _MSG_REQUIRED))
        elif code is None:
            add(
                FieldMessage(
                    "登记类别",
                    "error",
                    f"登记类别“{label}”无效，只能填写：{_ALLOWED_CATEGORIES}",
                )
            )
        else:
            values["登记类别"] = code

    # 性别
    given_gender = texts.get("性别")
    if given_gender:
        g = _GENDERS.get(given_gender) or _GENDERS.get("".join(given_gender.split()))
        if g is None:
            add(FieldMessage("性别", "error", f"性别“{given_gender}”无效，只能填写“男”或“女”"))
        elif info is None:
            values["性别"] = g
        elif g != info.gender:
            add(
                FieldMessage(
                    "性别",
                    "error",
                    f"性别“{g}”与身份证号不一致（按身份证号应为“{info.gender}”）",
                )
            )

    # 出生日期
    birth_text = texts.get("出生日期")
    if birth_text:
        birth = _parse_birth_cell(raw.values["出生日期"])
        if birth is None:
            add(
                FieldMessage(
                    "出生日期",
                    "error",
                    f"出生日期“{birth_text}”无法识别，请填写为 1990-01-01、1990/1/1 或 "
                    "1990年1月1日 格式，或把单元格设置为日期格式",
                )
            )
        elif info is None:
            values["出生日期"] = birth.isoformat()
        elif birth != info.birth_date:
            add(
                FieldMessage(
                    "出生日期",
                    "error",
                    f"出生日期 {_cn_date(birth)} 与身份证号中的 {_cn_date(info.birth_date)} 不一致",
                )
            )

    # 民族
    ethnic = texts.get("民族")
    if ethnic:
        if ethnic not in _ETHNIC_GROUPS:
            ethnic = "".join(ethnic.split())
            if ethnic + "族" in _ETHNIC_GROUPS:
                ethnic += "族"
            elif ethnic not in _ETHNIC_GROUPS:
                add(FieldMessage("民族", "warning", f"民族“{ethnic}”不在56个民族名称中，请核对"))
        values["民族"] = ethnic

    # 联系电话
    phone = texts.get("联系电话")
    if phone:
        if not (len(phone) == 11 and phone[0] == "1" and phone.isascii() and phone.isdigit()):
            compact = _PHONE_SEP_RE.sub("", unicodedata.normalize("NFKC", phone))
            if m := _MOBILE_RE.fullmatch(compact):
                phone = m.group(1)
            elif not _LANDLINE_RE.fullmatch(compact):
                add(
                    FieldMessage(
                        "联系电话", "warning", f"联系电话“{mask_phone(phone)}”格式无法识别，请核对"
                    )
                )
        values["联系电话"] = phone

    # Free text
    for col in ("居民小组", "住址", "备注"):
        free = texts.get(col)
        if free:
            values[col] = _squash(free)

    return RowResult(
        row_number=raw.row_number,
        state="error" if messages else "new",
        values=values,
        messages=messages,
        id_info=info,
    )


def validate_rows(
    parsed: ParsedFile,
    *,
    election_day: dt.date,
    lookup: Lookup,
    today: dt.date | None = None,
) -> list[RowResult]:
    """Validate every data row; returns one :class:`RowResult` per row, in file order.

    ``lookup`` is called exactly once with the distinct valid ID numbers (normalised,
    file order) and returns, for those already registered in this election, an
    :class:`ExistingRecord`. ``today`` (default: the local date) is used to reject birth
    dates in the future.

    State: ``error`` if any field has an error; otherwise ``warning`` if any field has a
    warning (it can still be committed: see :attr:`RowResult.existing` and
    :attr:`RowResult.changes`); otherwise ``update`` / ``unchanged`` for a voter already
    registered in the same community, else ``new``.
    """
    today = today or dt.date.today()
    ctx = _RowContext(
        today, election_day, _cn_date(election_day), latest_eligible_birth_date(election_day)
    )
    first_seen: dict[str, int] = {}
    results: list[RowResult] = []
    for raw in parsed.rows:
        res = _check_row(raw, ctx)
        info = res.id_info
        if info is not None:
            first = first_seen.get(info.number)
            if first is not None:
                res.messages.append(
                    FieldMessage(
                        "身份证号", "error", f"与第{first}行的身份证号重复，同一人只能登记一次"
                    )
                )
            else:
                first_seen[info.number] = raw.row_number
        results.append(res)

    present = frozenset(parsed.columns)
    existing = lookup(list(first_seen))
    compared = [
        c for c in COLUMNS if c != "身份证号" and (c in present or c in ("性别", "出生日期"))
    ]
    for res in results:
        info = res.id_info
        record = existing.get(info.number) if info is not None else None
        if record is not None and first_seen.get(res.values["身份证号"]) == res.row_number:
            if not record.same_community:
                res.messages.append(
                    FieldMessage(
                        "身份证号",
                        "error",
                        f"已在{_community_label(record)}（{record.community_code}）登记，"
                        "同一届选举只能登记一处",
                    )
                )
            else:
                res.existing = record
                old = record.fields
                res.changes = {
                    c: (old.get(c, ""), new)
                    for c in compared
                    if (new := res.values[c]) and new != old.get(c, "")
                }
        res.state = _state(res)
    return results


def _state(res: RowResult) -> State:
    if res.messages:
        for m in res.messages:
            if m.level == "error":
                return "error"
        return "warning"
    if res.existing is not None:
        return "update" if res.changes else "unchanged"
    return "new"


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


# --------------------------------------------------------------------------------------
# Test and benchmark helper
# --------------------------------------------------------------------------------------

#: Region codes (county level) used by :func:`generate_valid_id`.
_TEST_REGIONS: Final = (
    "430105",  # 湖南省长沙市开福区
    "430102",  # 湖南省长沙市芙蓉区
    "430103",  # 湖南省长沙市天心区
    "430104",  # 湖南省长沙市岳麓区
    "430111",  # 湖南省长沙市雨花区
    "110101",  # 北京市东城区
    "310104",  # 上海市徐汇区
    "440305",  # 广东省深圳市南山区
)


def generate_valid_id(rng: Random, *, birth_date: dt.date, gender: str) -> str:
    """Return a random, checksum-valid 18-digit ID number (for tests and benchmarks only).

    ``gender`` is ``"男"`` (odd 17th digit) or ``"女"`` (even). The region is drawn from a
    small fixed list of real county codes (430105 长沙市开福区 …).
    """
    if gender not in ("男", "女"):
        raise ValueError("gender must be '男' or '女'")
    parity = 1 if gender == "男" else 0
    seq = rng.randrange(100) * 10 + rng.randrange(5) * 2 + parity
    body = f"{rng.choice(_TEST_REGIONS)}{birth_date:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")
