"""The import sheet's columns, limits and how its header row is recognised."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from elections.registration.voter_checks import CATEGORIES

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
# Header recognition
# --------------------------------------------------------------------------------------

#: The voter sheet's header aliases: column → the headers people type for it.
VOTER_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
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
}


@dataclass(frozen=True)
class ColumnSpec:
    """What a sheet's header must and may hold: its columns in template order, the
    required ones, the headers people type for each (aliases, matched after
    :func:`_header_key`), the columns whose few values repeat on every row (interned
    while reading) and what a row holds, for messages ("选民信息", "党员信息")."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    repeating: frozenset[str] = frozenset()
    row_noun: str = "选民信息"
    lookup: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for column in self.columns:
            for alias in (column, *self.aliases.get(column, ())):
                lookup[_header_key(alias)] = column
        object.__setattr__(self, "lookup", lookup)

    def column_of(self, cell: Cell) -> str | None:
        """The column a header cell names, or None."""
        return self.lookup.get(_header_key(cell))


# Whitespace, required-markers (*) and parenthesised notes such as "(必填)" or "（18位）".
_HEADER_NOISE_RE: Final = re.compile(r"\s+|\*+|\([^)]*\)|:$")


def _header_key(cell: Cell) -> str:
    """Normalise a header cell for matching (NFKC turns full-width into half-width)."""
    if not isinstance(cell, str):
        return ""
    return _HEADER_NOISE_RE.sub("", unicodedata.normalize("NFKC", cell))


VOTER_SPEC: Final = ColumnSpec(
    columns=COLUMNS,
    required=REQUIRED,
    aliases=VOTER_ALIASES,
    repeating=frozenset({"性别", "民族", "居民小组", "登记类别"}),
    row_noun="选民信息",
)
_HEADER_ALIASES: Final[Mapping[str, str]] = VOTER_SPEC.lookup


def _header_column(cell: Cell) -> str | None:
    return _HEADER_ALIASES.get(_header_key(cell))
