"""Reading an uploaded xlsx: container checks (size, zip bombs, encryption), the first visible
worksheet with python-calamine, formula cells, the header row."""

from __future__ import annotations

import io
import re
import sys
import threading
import zipfile
from collections.abc import Callable
from typing import Final, Generic, TypeVar

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from elections.registration.xlsx.cells import _cell_text
from elections.registration.xlsx.columns import (
    _MAX_PREAMBLE_ROWS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNPACKED_BYTES,
    ERROR_COLUMN,
    MAX_COLUMNS,
    ROW_NUMBER_COLUMN,
    VOTER_SPEC,
    Cell,
    ColumnSpec,
    _header_key,
)
from elections.registration.xlsx.types import ImportFileError, ParsedFile, RawRow

# --------------------------------------------------------------------------------------
# File reading
# --------------------------------------------------------------------------------------

_T = TypeVar("_T")

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
_MSG_EMPTY_SHEET: Final = "工作表是空的，没有任何内容。请在第一个工作表中填写{noun}"


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


def _open_sheet(data: bytes, spec: ColumnSpec = VOTER_SPEC) -> tuple[CalamineWorkbook, int]:
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
        raise ImportFileError(_MSG_EMPTY_SHEET.format(noun=spec.row_noun), "empty")
    for i, meta in enumerate(metas):
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return book, i
    return book, 0


#: Shared by every row without formulas (an empty frozenset is ~200 bytes; 100,000 rows).
_NO_FORMULAS: Final[frozenset[str]] = frozenset()


class _Background(Generic[_T]):
    """``func(*args)`` in a daemon thread; :meth:`result` waits for it.

    Only for work that releases the GIL or overlaps with code that does (calamine's
    parse, zlib). ``func`` must not raise: a failure would surface in :meth:`result`."""

    def __init__(self, func: Callable[..., _T], *args: object) -> None:
        self._value: list[_T] = []
        self._thread = threading.Thread(
            target=lambda: self._value.append(func(*args)), name="xlsx-formulas", daemon=True
        )
        self._thread.start()

    def result(self) -> _T:
        self._thread.join()
        if not self._value:
            raise RuntimeError("background read failed")
        return self._value[0]


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
    """Read the first visible worksheet of a voter-roll .xlsx upload.

    The header is the first non-empty row, or — to tolerate a title line such as
    "XX社区选民登记表" — the first of the first 20 non-empty rows that contains all
    required columns of ``spec``. Header cells are matched ignoring spaces, full-width forms,
    ``*`` markers and parenthesised notes, with common aliases (``身份证号码``,
    ``手机号`` …). Unrecognised headers are listed in ``extra_columns`` and ignored.
    Blank rows are skipped and counted.

    Raises :class:`ImportFileError` (Chinese message) for an empty, oversized,
    encrypted, old-format (.xls), non-xlsx or damaged file, a sheet without content, a
    missing header or missing required columns, a duplicated column and a header without
    data rows. ``max_rows`` limits the number of non-blank data rows.
    """
    return read_sheet(
        data,
        VOTER_SPEC,
        max_bytes=max_bytes,
        max_rows=max_rows,
        max_unpacked_bytes=max_unpacked_bytes,
    )


def read_sheet(
    data: bytes,
    spec: ColumnSpec,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
) -> ParsedFile:
    """:func:`read_rows` for another sheet: ``spec`` names its columns, required
    columns, header aliases and what a row holds (the party roll passes its own)."""
    with _check_container(data, max_bytes, max_unpacked_bytes) as zf:
        return _read(zf, data, max_rows, spec)


def _read(zf: zipfile.ZipFile, data: bytes, max_rows: int, spec: ColumnSpec) -> ParsedFile:
    book, sheet_index = _open_sheet(data, spec)
    # calamine parses the sheet without holding the GIL (about a second for 100,000
    # rows): scan the sheet's XML for formula cells in a thread meanwhile. The scan
    # reads its own zip handle and never raises (best effort, see _formula_cells).
    formula_scan = _Background(_formula_cells, zf, sheet_index)
    try:
        try:
            sheet = book.get_sheet_by_index(sheet_index)
            end = sheet.end
            if end is None:
                raise ImportFileError(_MSG_EMPTY_SHEET.format(noun=spec.row_noun), "empty")
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

    header_idx, columns, extra = _find_header(sheet_rows, spec)
    formulas = formula_scan.result()
    formula_rows: dict[int, list[int]] = {}
    for r, c in formulas:
        formula_rows.setdefault(r, []).append(c)
    col_items = list(columns.items())
    by_index = {i: name for name, i in col_items}

    # Columns whose few values repeat on every row: one string object each instead of
    # one per cell (about 30 MB fewer for 100,000 rows).
    shared = [i for name, i in col_items if name in spec.repeating]
    # The usual sheet has its known columns first, left to right: pair names and cells
    # with zip (in C) instead of indexing each cell.
    names = [name for name, _i in col_items]
    leading = [i for _name, i in col_items] == list(range(len(col_items)))
    rows: list[RawRow] = []
    blank = 0
    for r in range(header_idx + 1, len(sheet_rows)):
        cells = sheet_rows[r]
        if _is_blank_row(cells):
            blank += 1
            continue
        for i in shared:
            value = cells[i]
            if value.__class__ is str:
                cells[i] = sys.intern(value)  # type: ignore[arg-type]
        fcols = formula_rows.get(r)
        ff = frozenset(by_index[c] for c in fcols if c in by_index) if fcols else _NO_FORMULAS
        if leading:  # cells may run past the known columns (an extra column on the right)
            values = dict(zip(names, cells, strict=False))
        else:
            values = {name: cells[i] for name, i in col_items}
        rows.append(RawRow(r + 1, values, cells, ff))
        if len(rows) > max_rows:
            raise _too_many_rows(max_rows)
    if not rows:
        raise ImportFileError(
            f"第{header_idx + 1}行是表头，但下面没有任何数据行。请在表头下面逐行填写{spec.row_noun}",
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


def _find_header(
    sheet_rows: list[list[Cell]], spec: ColumnSpec = VOTER_SPEC
) -> tuple[int, dict[str, int], list[str]]:
    """Return (0-based header row index, column map, extra headers)."""
    required = spec.required
    column_of = spec.column_of
    candidates: list[int] = []
    for r, cells in enumerate(sheet_rows):
        if any(not _is_blank(c) for c in cells):
            candidates.append(r)
            if len(candidates) >= _MAX_PREAMBLE_ROWS:
                break
    if not candidates:
        raise ImportFileError(_MSG_EMPTY_SHEET.format(noun=spec.row_noun), "empty")
    header_idx = None
    for r in candidates:
        found = {column_of(c) for c in sheet_rows[r]}
        if all(col in found for col in required):
            header_idx = r
            break
    if header_idx is None:
        # Report against the row that looks most like a header (ties: the first one).
        def _score(r: int) -> int:
            found = {column_of(c) for c in sheet_rows[r]}
            return sum(col in found for col in required)

        first = max(candidates, key=_score)
        found = {column_of(c) for c in sheet_rows[first]}
        missing = [col for col in required if col not in found]
        names = "、".join(f"“{col}”" for col in missing)
        if len(missing) == len(required):
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
        col = column_of(cell)
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
