"""Voter-register import from Excel: reading, row validation, template and error report.

Pure Python (no Django import). The view/task layer does the database work:

1. ``parsed = read_rows(upload_bytes)`` — checks the container and reads the first
   visible worksheet with python-calamine. Anything wrong with the *file* raises
   :class:`ImportFileError` with a Chinese message (never another exception).
2. ``results = validate_rows(parsed, election_day=..., lookup=...)`` — one
   :class:`RowResult` per data row with a state (``new`` / ``update`` / ``unchanged`` /
   ``warning`` / ``error``) and per-field Chinese messages. ``lookup`` is called exactly
   once with every distinct valid ID number in the file; the caller answers it with one
   database query (by :func:`elections.idnumbers.id_hash`).
3. ``write_error_report(parsed, results)`` — the uploaded sheet plus a "错误说明"
   column, to download, fix and upload again. ``write_template()`` — the empty template.

Templates and reports are written with openpyxl; reading uses python-calamine because it
is an order of magnitude faster on large registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from elections.idnumbers import IdInfo
from elections.registration import voter_checks as vc
from elections.registration.xlsx.cells import (
    _EMPTY_VALUES,
    _MSG_FORMULA_NO_VALUE,
    _MSG_FORMULA_TEXT,
    _MSG_FORMULA_VALUE,
    _MSG_ID_AS_DATE,
    _MSG_ID_AS_NUMBER,
    _SCI_RE,
    _cell_text,
    _parse_date_text,
)
from elections.registration.xlsx.columns import COLUMNS, Cell, State
from elections.registration.xlsx.types import (
    ExistingRecord,
    FieldMessage,
    Lookup,
    ParsedFile,
    RawRow,
    RowResult,
)

#: What decides, per 登记类别 code, whether a new row waits for a meeting's approval
#: (R10, from the rule profile: ``electionlaw.needs_approval``). Default: (c) and (d).
NeedsApproval = Callable[[str], bool]


def _default_needs_approval(category: str) -> bool:
    return category in ("nonresident", "community_worker")


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


class _Row:
    """One row being checked: its texts, normalised values and messages."""

    __slots__ = ("info", "messages", "raw", "texts", "values")

    def __init__(self, raw: RawRow) -> None:
        self.raw = raw
        self.values = dict(_EMPTY_VALUES)
        self.texts: dict[str, str] = {}
        self.messages: list[FieldMessage] = []
        self.info: IdInfo | None = None

    def error(self, col: str, text: str) -> None:
        self.messages.append(FieldMessage(col, "error", text))

    def warning(self, col: str, text: str) -> None:
        self.messages.append(FieldMessage(col, "warning", text))

    def apply(self, col: str, check: Callable[[str], str]) -> None:
        """Store ``check(text)`` for a column present in the sheet, or its message."""
        if col in self.texts:
            try:
                self.values[col] = check(self.texts[col])
            except vc.FieldProblem as problem:
                self.error(col, problem.message)


def _read_texts(row: _Row) -> None:
    """Cell texts, with formulas (real ones and formulas typed into text cells) flagged."""
    formula_fields = row.raw.formula_fields
    values = row.raw.values
    if not formula_fields:
        # The common row: every cell text, no formula. One pass in a comprehension, then
        # the slow path only if some cell is not text or starts like a formula.
        try:  # str.strip over the cells, in C; a cell that is not text raises TypeError
            texts = dict(zip(values, map(str.strip, values.values()), strict=False))  # type: ignore[arg-type]
        except TypeError:
            texts = None
        # No "=" anywhere in the row (one scan in C) is the usual case; a row with one
        # somewhere is looked at cell by cell.
        if texts is not None and (
            "=" not in "".join(texts.values())
            or not any(text[:1] == "=" for text in texts.values())
        ):
            row.texts = texts
            return
    for col, cell in values.items():
        # A text cell inline (a million cells a file), any other through _cell_text.
        text = cell.strip() if cell.__class__ is str else _cell_text(cell)  # type: ignore[union-attr]
        if text[:1] == "=":
            row.error(col, _MSG_FORMULA_VALUE if col in formula_fields else _MSG_FORMULA_TEXT)
            continue
        if formula_fields and col in formula_fields:
            if not text:
                row.error(col, _MSG_FORMULA_NO_VALUE)
                continue
            row.warning(col, _MSG_FORMULA_VALUE)
        row.texts[col] = text


def _check_id_number(row: _Row, ctx: _RowContext) -> None:
    if "身份证号" not in row.texts:
        return
    id_cell = row.raw.values["身份证号"]
    id_text = row.texts["身份证号"]
    row.values["身份证号"] = id_text
    if id_cell.__class__ is str:
        if ("E" in id_text or "e" in id_text) and _SCI_RE.fullmatch(id_text):
            row.error("身份证号", _MSG_ID_AS_NUMBER)
            return
        try:
            row.info = vc.check_id_number(id_text, today=ctx.today)
        except vc.FieldProblem as problem:
            row.error("身份证号", problem.message)
    elif isinstance(id_cell, bool):
        row.error("身份证号", "身份证号格式不正确，请填写18位身份证号码")
    elif isinstance(id_cell, int | float):
        row.error("身份证号", _MSG_ID_AS_NUMBER)
    else:
        row.error("身份证号", _MSG_ID_AS_DATE)


def _check_eligibility(row: _Row, ctx: _RowContext) -> None:
    info = row.info
    if info is None:
        return
    row.values["身份证号"] = info.number
    row.values["性别"] = info.gender
    row.values["出生日期"] = info.birth_date.isoformat()
    for w in info.warnings:
        row.warning("身份证号", w)
    try:
        vc.check_age(info, ctx.election_day)  # G5
    except vc.FieldProblem as problem:
        row.error("身份证号", problem.message)
        return
    if ctx.election_day.year - info.birth_date.year > vc.MAX_PLAUSIBLE_AGE:
        old = vc.too_old_warning(info, ctx.election_day)
        if old:
            row.warning("身份证号", old)


def _check_gender(row: _Row) -> None:
    given = row.texts.get("性别")
    if given:
        try:
            row.values["性别"] = vc.check_gender(given, row.info)
        except vc.FieldProblem as problem:
            row.error("性别", problem.message)


def _check_birth_date(row: _Row) -> None:
    text = row.texts.get("出生日期")
    if not text:
        return
    birth = _parse_birth_cell(row.raw.values["出生日期"])
    if birth is None:
        row.error("出生日期", vc.birth_date_unreadable(text))
        return
    try:
        day = vc.check_birth_date(birth, row.info)
    except vc.FieldProblem as problem:
        row.error("出生日期", problem.message)
        return
    if day is not None:
        row.values["出生日期"] = day.isoformat()


def _check_ethnicity(row: _Row) -> None:
    text = row.texts.get("民族")
    if not text:
        return
    try:
        value, warning = vc.check_ethnicity(text)
    except vc.FieldProblem as problem:
        row.error("民族", problem.message)
        return
    row.values["民族"] = value
    if warning:
        row.warning("民族", warning)


def _check_row(raw: RawRow, ctx: _RowContext) -> RowResult:
    """Field checks of one row (everything except duplicates and the database)."""
    row = _Row(raw)
    _read_texts(row)
    _check_id_number(row, ctx)
    _check_eligibility(row, ctx)
    row.apply("姓名", vc.check_name)
    row.apply("登记类别", vc.check_category)
    _check_gender(row)
    _check_birth_date(row)
    _check_ethnicity(row)
    if row.texts.get("联系电话"):
        row.apply("联系电话", vc.check_phone)
    row.apply("居民小组", vc.check_group)
    row.apply("住址", vc.check_address)
    row.apply("备注", vc.check_notes)
    return RowResult(
        row_number=raw.row_number,
        state="error" if row.messages else "new",
        values=row.values,
        messages=row.messages,
        id_info=row.info,
    )


def validate_rows(
    parsed: ParsedFile,
    *,
    election_day: dt.date,
    lookup: Lookup,
    today: dt.date | None = None,
    needs_approval: NeedsApproval = _default_needs_approval,
) -> list[RowResult]:
    """Validate every data row; returns one :class:`RowResult` per row, in file order.

    ``lookup`` is called exactly once with the distinct valid ID numbers (normalised,
    file order) and returns, for those already registered in this election, an
    :class:`ExistingRecord`. ``today`` (default: the local date) is used to reject birth
    dates in the future.

    State: ``error`` if any field has an error; otherwise ``warning`` if any field has a
    warning (it can still be committed: see :attr:`RowResult.existing` and
    :attr:`RowResult.changes`); otherwise ``update`` / ``unchanged`` for a voter already
    registered in the same community, else ``new``. ``needs_approval`` (R10, from the
    rule profile) marks the new rows that will wait for a meeting's approval
    (:attr:`RowResult.awaits_approval`).
    """
    today = today or dt.date.today()
    ctx = _RowContext(today, election_day)
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
    approval: dict[str, bool] = {}
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
        res.state = state = _state(res)
        if state != "error" and res.existing is None:
            category = res.values["登记类别"]
            waits = approval.get(category)
            if waits is None:  # a handful of categories: ask the profile once for each
                waits = approval[category] = needs_approval(category)
            res.awaits_approval = waits
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
