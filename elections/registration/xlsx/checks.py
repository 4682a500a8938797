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
import unicodedata
from dataclasses import dataclass

from electionlaw import latest_eligible_birth_date
from elections.idnumbers import IdInfo, IdNumberError, mask_phone, parse_id_number
from elections.registration.xlsx.cells import (
    _ALLOWED_CATEGORIES,
    _CATEGORY_INPUTS,
    _CJK_GAP_RE,
    _CONTROL_RE,
    _EMPTY_VALUES,
    _ETHNIC_GROUPS,
    _GENDERS,
    _LANDLINE_RE,
    _MAX_PLAUSIBLE_AGE,
    _MOBILE_RE,
    _MSG_FORMULA_NO_VALUE,
    _MSG_FORMULA_TEXT,
    _MSG_FORMULA_VALUE,
    _MSG_ID_AS_DATE,
    _MSG_ID_AS_NUMBER,
    _MSG_REQUIRED,
    _MSG_TOO_OLD,
    _PHONE_SEP_RE,
    _SCI_RE,
    _cell_text,
    _cn_date,
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
        # G5 (electionlaw): eligible_on(born, election_day), via its cut-off date.
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
