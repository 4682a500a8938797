"""The party roll (党员台账) as a spreadsheet and the checks of one member's data.

The sheet is read by the voter import's reader (`elections.registration.xlsx.reading`)
with the party roll's own column spec; cells are read with the same helpers; the error
report is the voter import's writer (formula-safe, ID numbers masked). The field
checks here are the only ones: a typed-in member and an imported row go through
`clean_member`, so both read the same Chinese message. Pure Python: no database.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from electionlaw import adulthood_date, probation_period_ends
from elections.exports import Book
from elections.formatting import cn_date
from elections.idnumbers import IdInfo, mask_id_number
from elections.registration import voter_checks as vc
from elections.registration.xlsx.cells import (
    _MSG_FORMULA_NO_VALUE,
    _MSG_FORMULA_TEXT,
    _MSG_FORMULA_VALUE,
    _MSG_ID_AS_DATE,
    _MSG_ID_AS_NUMBER,
    _cell_text,
    _parse_date_text,
)
from elections.registration.xlsx.columns import Cell, ColumnSpec
from elections.registration.xlsx.types import FieldMessage, ParsedFile, RawRow, RowResult

COLUMNS: Final = (
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "党员类别",
    "入党时间",
    "是否直管",
    "留党察看",
    "留置",
    "逮捕",
    "备注",
)
REQUIRED: Final = ("姓名", "身份证号", "党员类别")
YES_NO_COLUMNS: Final = ("是否直管", "留党察看", "留置", "逮捕")

SPEC: Final = ColumnSpec(
    columns=COLUMNS,
    required=REQUIRED,
    aliases={
        "姓名": ("姓名", "党员姓名", "名字"),
        "身份证号": (
            "身份证号",
            "身份证号码",
            "身份证",
            "公民身份号码",
            "公民身份证号码",
            "居民身份证号码",
        ),
        "性别": ("性别",),
        "出生日期": ("出生日期", "出生年月日", "生日"),
        "党员类别": ("党员类别", "类别", "党员类型", "正式/预备", "正式或预备"),
        "入党时间": ("入党时间", "入党日期", "入党年月日"),
        "是否直管": ("是否直管", "直管", "直管党员", "是否直管党员"),
        "留党察看": ("留党察看", "是否留党察看", "留党察看期间"),
        "留置": ("留置", "是否留置", "被留置"),
        "逮捕": ("逮捕", "是否逮捕", "被逮捕"),
        "备注": ("备注",),
    },
    repeating=frozenset({"性别", "党员类别", *YES_NO_COLUMNS}),
    row_noun="党员信息",
)

#: 党员类别 label → code (candidates.models.MembershipStatus).
STATUSES: Final[Mapping[str, str]] = {"正式": "full", "预备": "probationary"}
_STATUS_INPUTS: Final[Mapping[str, str]] = {
    **STATUSES,
    "正式党员": "full",
    "预备党员": "probationary",
    "full": "full",
    "probationary": "probationary",
}
STATUS_LABELS: Final[Mapping[str, str]] = {v: k for k, v in STATUSES.items()}
_YES: Final = frozenset({"是", "√", "✓", "Y", "y", "yes", "Yes", "TRUE", "true", "1"})
_NO: Final = frozenset({"否", "×", "N", "n", "no", "No", "FALSE", "false", "0"})

#: Member field → its column (the messages of a form and of a sheet are keyed alike).
FIELD_COLUMNS: Final[Mapping[str, str]] = {
    "name": "姓名",
    "id_number": "身份证号",
    "gender": "性别",
    "birth_date": "出生日期",
    "status": "党员类别",
    "joined_on": "入党时间",
    "directly_managed": "是否直管",
    "on_probation": "留党察看",
    "detained": "留置",
    "arrested": "逮捕",
    "notes": "备注",
}
COLUMN_FIELDS: Final[Mapping[str, str]] = {v: k for k, v in FIELD_COLUMNS.items()}
#: Fields an import row compares with the member already on the roll.
COMPARED: Final = (
    "name",
    "gender",
    "birth_date",
    "status",
    "joined_on",
    "directly_managed",
    "on_probation",
    "detained",
    "arrested",
    "notes",
)


@dataclass(frozen=True)
class MemberData:
    """What a person types (or a row holds) about one party member."""

    name: str
    id_number: str
    status: str
    gender: str = ""
    birth_date: dt.date | None = None
    joined_on: dt.date | None = None
    directly_managed: bool = True
    on_probation: bool = False
    detained: bool = False
    arrested: bool = False
    notes: str = ""


@dataclass(frozen=True)
class Checked:
    """The result of :func:`clean_member`: per-field errors and warnings, the cleaned
    data (gender and birth date from the ID number) and the parsed ID number."""

    errors: dict[str, str]
    warnings: dict[str, str]
    data: MemberData
    info: IdInfo | None


def clean_member(data: MemberData, *, meeting_day: dt.date | None, today: dt.date) -> Checked:
    """Check one member's data (both ways onto the roll).

    姓名, 身份证号, 性别 and 出生日期 as for a voter (the same functions: gender and
    birth date must match the ID number). 入党时间 not in the future and not before the
    18th birthday (党章 art. 1). P1, judged on the meeting day: a 正式党员 must have
    been admitted at least a year before it (党章 art. 7, the 预备期); a 预备党员 whose
    预备期 is over by then is a warning (转正 is decided by the branch, not by date)."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    info: IdInfo | None = None
    try:
        cleaned["name"] = vc.check_name(data.name)
    except vc.FieldProblem as problem:
        errors["name"] = problem.message
    try:
        info = vc.check_id_number(data.id_number, today=today)
        cleaned["id_number"] = info.number
        if info.warnings:
            warnings["id_number"] = "；".join(info.warnings)
    except vc.FieldProblem as problem:
        errors["id_number"] = problem.message
    try:
        cleaned["gender"] = vc.check_gender(data.gender, info)
    except vc.FieldProblem as problem:
        errors["gender"] = problem.message
    try:
        cleaned["birth_date"] = vc.check_birth_date(data.birth_date, info)
    except vc.FieldProblem as problem:
        errors["birth_date"] = problem.message
    if data.status not in STATUS_LABELS:
        errors["status"] = "请选择党员类别：正式或预备"
    try:
        cleaned["notes"] = vc.check_notes(data.notes)
    except vc.FieldProblem as problem:
        errors["notes"] = problem.message
    _check_joined(data, info, meeting_day, today, errors, warnings)
    if data.on_probation and data.status == "probationary":
        errors["on_probation"] = "留党察看只适用于正式党员，预备党员请核对党员类别"
    return Checked(errors, warnings, replace(data, **cleaned), info)


def _check_joined(
    data: MemberData,
    info: IdInfo | None,
    meeting_day: dt.date | None,
    today: dt.date,
    errors: dict[str, str],
    warnings: dict[str, str],
) -> None:
    joined = data.joined_on
    if joined is None:
        return
    if joined > today:
        errors["joined_on"] = "入党时间不能晚于今天"
        return
    if info is not None and joined < adulthood_date(info.birth_date):
        errors["joined_on"] = f"入党时间 {cn_date(joined)} 早于年满18周岁，请核对"
        return
    if meeting_day is None:
        return
    ends = probation_period_ends(joined)
    if data.status == "full" and ends > meeting_day:
        errors["status"] = (
            f"按入党时间（{cn_date(joined)}），预备期到 {cn_date(ends)} 才满一年，"
            f"党员大会（{cn_date(meeting_day)}）时仍是预备党员（规则 P1）"
        )
    elif data.status == "probationary" and ends <= meeting_day:
        warnings["status"] = (
            f"预备期于 {cn_date(ends)} 届满，早于党员大会；如已按期转正，请把党员类别改为“正式”"
        )


# -- one row of the sheet -------------------------------------------------------------


def parse_status(text: str) -> str:
    label = "".join(unicodedata.normalize("NFKC", text).split())
    if not label:
        raise vc.FieldProblem(vc.required_message("党员类别"))
    code = _STATUS_INPUTS.get(label)
    if code is None:
        raise vc.FieldProblem(f"党员类别“{label[:10]}”无效，只能填写“正式”或“预备”")
    return code


def parse_yes_no(text: str, column: str, *, default: bool) -> bool:
    value = text.strip()
    if not value:
        return default
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise vc.FieldProblem(f"{column}只能填写“是”或“否”（现为“{value[:10]}”）")


def _parse_date_cell(cell: Cell, text: str) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _parse_date_text(str(int(cell))) if float(cell).is_integer() else None
    return _parse_date_text(text)


def _row_texts(raw: RawRow, messages: list[FieldMessage]) -> dict[str, str]:
    """Cell texts of a row, formulas flagged as in the voter import."""
    texts: dict[str, str] = {}
    for col, cell in raw.values.items():
        text = _cell_text(cell)
        if text[:1] == "=":
            message = _MSG_FORMULA_VALUE if col in raw.formula_fields else _MSG_FORMULA_TEXT
            messages.append(FieldMessage(col, "error", message))
            continue
        if col in raw.formula_fields:
            if not text:
                messages.append(FieldMessage(col, "error", _MSG_FORMULA_NO_VALUE))
                continue
            messages.append(FieldMessage(col, "warning", _MSG_FORMULA_VALUE))
        texts[col] = text
    return texts


def _row_data(raw: RawRow, texts: dict[str, str], messages: list[FieldMessage]) -> MemberData:
    def error(col: str, text: str) -> None:
        messages.append(FieldMessage(col, "error", text))

    id_cell = raw.values.get("身份证号", "")
    id_text = texts.get("身份证号", "")
    if isinstance(id_cell, int | float) and not isinstance(id_cell, bool):
        error("身份证号", _MSG_ID_AS_NUMBER)
        id_text = "?"  # already reported; keep clean_member from repeating "请填写"
    elif isinstance(id_cell, dt.date | dt.datetime | dt.time | dt.timedelta):
        error("身份证号", _MSG_ID_AS_DATE)
        id_text = "?"
    fields: dict[str, Any] = {}
    try:
        fields["status"] = parse_status(texts.get("党员类别", ""))
    except vc.FieldProblem as problem:
        error("党员类别", problem.message)
        fields["status"] = "?"
    for col in ("出生日期", "入党时间"):
        text = texts.get(col, "")
        if text:
            day = _parse_date_cell(raw.values[col], text)
            if day is None:
                error(col, vc.birth_date_unreadable(text).replace("出生日期", col, 1))
            fields[COLUMN_FIELDS[col]] = day
    for col in YES_NO_COLUMNS:
        try:
            fields[COLUMN_FIELDS[col]] = parse_yes_no(
                texts.get(col, ""), col, default=col == "是否直管"
            )
        except vc.FieldProblem as problem:
            error(col, problem.message)
    return MemberData(
        name=texts.get("姓名", ""),
        id_number=id_text,
        gender=texts.get("性别", ""),
        notes=texts.get("备注", ""),
        **fields,
    )


def check_rows(
    parsed: ParsedFile,
    *,
    meeting_day: dt.date | None,
    today: dt.date,
    lookup: Callable[[list[str]], Mapping[str, Mapping[str, Any]]],
) -> list[tuple[RowResult, MemberData | None]]:
    """Every row's messages and state (``new`` / ``update`` / ``unchanged`` /
    ``warning`` / ``error``), with the cleaned data of the rows without errors.

    ``lookup`` is called once with the distinct valid ID numbers and answers, for those
    already on this election's roll, the member's :data:`COMPARED` fields (a re-import
    updates the member with the same ID number)."""
    seen: dict[str, int] = {}
    checked_rows: list[tuple[RowResult, Checked]] = []
    for raw in parsed.rows:
        messages: list[FieldMessage] = []
        texts = _row_texts(raw, messages)
        data = _row_data(raw, texts, messages)
        checked = clean_member(data, meeting_day=meeting_day, today=today)
        reported = {m.field for m in messages if m.level == "error"}
        for name, text in checked.errors.items():
            col = FIELD_COLUMNS[name]
            if col not in reported:  # a cell already refused is not reported twice
                messages.append(FieldMessage(col, "error", text))
        for name, text in checked.warnings.items():
            messages.append(FieldMessage(FIELD_COLUMNS[name], "warning", text))
        number = checked.info.number if checked.info else ""
        if number:
            if number in seen:
                messages.append(
                    FieldMessage(
                        "身份证号",
                        "error",
                        f"与第{seen[number]}行的身份证号重复，同一人只能填写一次",
                    )
                )
            else:
                seen[number] = raw.row_number
        values = {col: texts.get(col, "") for col in COLUMNS}
        values["身份证号"] = number or texts.get("身份证号", "")
        checked_rows.append(
            (RowResult(raw.row_number, "new", values, messages, checked.info), checked)
        )
    existing = lookup(list(seen))
    out: list[tuple[RowResult, MemberData | None]] = []
    for result, checked in checked_rows:
        has_error = any(m.level == "error" for m in result.messages)
        number = checked.info.number if checked.info else ""
        old = existing.get(number) if number else None
        if old is not None and not has_error:
            result.changes = {
                FIELD_COLUMNS[f]: (_shown(old.get(f)), _shown(getattr(checked.data, f)))
                for f in COMPARED
                if _differs(f, old.get(f), getattr(checked.data, f))
            }
        if has_error:
            result.state = "error"
        elif result.messages:
            result.state = "warning"
        elif old is not None:
            result.state = "update" if result.changes else "unchanged"
        out.append((result, None if has_error else checked.data))
    return out


def _differs(field: str, old: Any, new: Any) -> bool:
    if field == "notes" and not new:
        return False  # a blank 备注 never clears one
    if field == "joined_on" and new is None:
        return False
    return bool(old != new)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return cn_date(value)
    if value in STATUS_LABELS:
        return STATUS_LABELS[value]
    return "" if value is None else str(value)


def masked(result: RowResult) -> str:
    """The row's ID number as a list may show it."""
    number = result.values.get("身份证号", "")
    return mask_id_number(number) if number else ""


# -- the template ---------------------------------------------------------------------

_WIDTHS: Final = (12, 22, 6, 12, 10, 12, 10, 10, 8, 8, 24)
_INSTRUCTIONS: Final = (
    ("党员台账导入模板 · 填写说明", True),
    ("", False),
    ("1. 在“党员台账”工作表第1行表头下面逐行填写，每行一名党员。不要修改表头文字。", False),
    ("2. 必填列：姓名、身份证号、党员类别（正式/预备）。", False),
    ("3. 身份证号列已设置为“文本”格式，请不要改成数字格式，否则末几位会丢失。", False),
    ("4. 性别、出生日期可以不填，按身份证号计算；如果填写，必须与身份证号一致。", False),
    (
        "5. 入党时间写成 2010-07-01 或 2010年7月1日。预备期一年，按党员大会召开日判断是否已满。",
        False,
    ),
    ("6. 是否直管、留党察看、留置、逮捕填“是”或“否”；不填时，是否直管按“是”，其余按“否”。", False),
    (
        "7. 按党员大会召开日的情况填写：留党察看期间、被留置或逮捕的党员没有选举权（规则 P1）。",
        False,
    ),
    ("8. 同一身份证号只能出现一次；已在台账中的党员再次导入时按身份证号更新。", False),
    ("9. 不要使用公式；文件不要设置密码；请保存为 .xlsx 格式。", False),
    ("", False),
    (
        "个人信息保护：本表含身份证号等个人信息，仅用于党组织换届，请妥善保管，不得外传或张贴。",
        False,
    ),
)


def write_template(rows: int = 2000) -> bytes:
    """The empty party-roll template (.xlsx) through the one writer."""
    book = Book()
    sheet = book.sheet(
        "党员台账",
        widths=list(_WIDTHS),
        text_columns=[COLUMNS.index("身份证号")],
        date_columns=[COLUMNS.index("出生日期"), COLUMNS.index("入党时间")],
    )
    required = book.row_style(bold=True, align="center", bg_color="#FCE4D6")
    optional = book.row_style(bold=True, align="center", bg_color="#DDEBF7")
    sheet.header(COLUMNS, styles=[required if c in REQUIRED else optional for c in COLUMNS])
    sheet.list_validation(
        COLUMNS.index("党员类别"), 1, rows, list(STATUSES), "党员类别只能是“正式”或“预备”"
    )
    sheet.list_validation(COLUMNS.index("性别"), 1, rows, ("男", "女"), "性别只能是“男”或“女”")
    for col in YES_NO_COLUMNS:
        sheet.list_validation(COLUMNS.index(col), 1, rows, ("是", "否"), f"{col}只能填“是”或“否”")
    notes = book.sheet("填写说明", widths=[110])
    bold = book.row_style(bold=True)
    for text, is_bold in _INSTRUCTIONS:
        notes.append([text or None], bold if is_bold else None)
    return book.close()


def summary(results: Sequence[RowResult]) -> dict[str, int]:
    counts = dict.fromkeys(("new", "update", "unchanged", "warning", "error"), 0)
    for r in results:
        counts[r.state] += 1
    counts["total"] = len(results)
    return counts
