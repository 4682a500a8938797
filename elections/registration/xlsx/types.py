"""What reading and checking a voter spreadsheet produce."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from elections.idnumbers import IdInfo
from elections.registration.xlsx.columns import Cell, Level, State

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
    awaits_approval: bool = False
    """A new row whose category waits for the meeting's approval (R10) under the profile."""

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
