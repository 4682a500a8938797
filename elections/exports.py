"""Spreadsheet exports (STYLE.md habit 11): the one place that writes .xlsx.

An exporter is a small class that names its file and yields a header and rows;
`write_xlsx` writes it. Everything else that makes a spreadsheet (the import
template, the import's error report) uses the same `Book` and `Sheet`, so there is
one rule for a safe cell, the way pretix's `safe_openpyxl` has it: characters that
XML (and so Excel) cannot hold are dropped, and a string that starts like a formula
(= + - @) is stored as text with Excel's quote prefix, so that neither opening nor
editing the cell can run it.

The writer is XlsxWriter in `constant_memory` mode: rows are streamed to a temporary
file as they come, so memory stays flat however long the roll. It measured about
twice as fast as openpyxl's write-only mode here (bench/voter_export.py). The hot
path (`Sheet.append`) does one class check per cell and builds no cell objects;
formats are made once per book and reused.

Large exports run off the request in a Celery task into a stored file
(`ExportJob`, `run_job`); the download is access-checked by the page that serves it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from elections.models import ExportJob, ExportStatus

log = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_ILLEGAL_CHARACTERS = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
HEADER_STYLE = {"bold": True}

Value = str | int | float | bool | dt.date | dt.datetime | None


def safe_text(value: str) -> str:
    """`value` without the characters an .xlsx file cannot hold."""
    return _ILLEGAL_CHARACTERS.sub("", value)


class Exporter:
    """One export: a file name, a sheet title, a header and rows."""

    sheet_title: ClassVar[str] = "Sheet1"
    # Column widths in characters (a CJK character counts about 2).
    column_widths: ClassVar[Sequence[int]] = ()

    def filename(self) -> str:
        raise NotImplementedError

    def header(self) -> Sequence[str]:
        raise NotImplementedError

    def rows(self) -> Iterator[Sequence[Value]]:
        raise NotImplementedError


# -- the writer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowStyle:
    """The formats one kind of row writes with: plain cells, quoted text, dates."""

    plain: Any  # None: the column's own format
    quoted: Any
    date: Any
    datetime: Any


class Book:
    """One .xlsx being written, into `output` (a path or a binary file) or into memory."""

    def __init__(self, output: str | Path | BinaryIO | None = None) -> None:
        self._buffer = io.BytesIO() if output is None else None
        target = self._buffer if output is None else output
        self.workbook = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target,
            {
                "constant_memory": True,
                # Never guess: a string is text, whatever it looks like.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}
        self._row_styles: dict[tuple[tuple[str, Any], ...], RowStyle] = {}

    def format(self, **props: Any) -> Any:
        """A cell format, made once per book."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(props)
        return self._formats[key]

    def row_style(self, **props: Any) -> RowStyle:
        """The formats of a row with `props` (e.g. bold=True, bg_color="#FFC7CE")."""
        key = tuple(sorted(props.items()))
        if key not in self._row_styles:
            self._row_styles[key] = RowStyle(
                plain=self.format(**props) if props else None,
                quoted=self.format(**props, quote_prefix=True),
                date=self.format(**props, num_format=DATE_FORMAT),
                datetime=self.format(**props, num_format=DATETIME_FORMAT),
            )
        return self._row_styles[key]

    def sheet(
        self,
        title: str,
        *,
        widths: Sequence[float] = (),
        text_columns: Iterable[int] = (),
        date_columns: Iterable[int] = (),
    ) -> Sheet:
        worksheet = self.workbook.add_worksheet(title)
        text, dates = set(text_columns), set(date_columns)
        for col in range(max([len(widths), *(c + 1 for c in text | dates)], default=0)):
            width = widths[col] if col < len(widths) else None
            fmt = None
            if col in text:
                fmt = self.format(num_format="@")
            elif col in dates:
                fmt = self.format(num_format=DATE_FORMAT)
            worksheet.set_column(col, col, width, fmt)
        return Sheet(self, worksheet)

    def close(self) -> bytes:
        """Finish the file; the bytes when writing into memory (else b"")."""
        self.workbook.close()
        return self._buffer.getvalue() if self._buffer is not None else b""


class Sheet:
    """One worksheet, written row by row (in order: constant_memory keeps no rows)."""

    def __init__(self, book: Book, worksheet: Any) -> None:
        self.book = book
        self.worksheet = worksheet
        self.row = 0
        self._default = book.row_style()

    def header(
        self,
        titles: Sequence[Value],
        *,
        styles: Sequence[RowStyle] | None = None,
        freeze: bool = True,
    ) -> None:
        self.append(titles, self.book.row_style(**HEADER_STYLE), styles=styles)
        if freeze:
            self.worksheet.freeze_panes(self.row, 0)

    def append(
        self,
        values: Iterable[Value | object],
        style: RowStyle | None = None,
        *,
        styles: Sequence[RowStyle | None] | None = None,
    ) -> None:
        """Write one row in `style`, or each cell in its own of `styles`."""
        style = style or self._default
        if styles is None:
            self._write(self.row, 0, values, style)
        else:
            for col, (value, own) in enumerate(zip(values, styles, strict=True)):
                self._write(self.row, col, (value,), own or style)
        self.row += 1

    def _write(
        self, row: int, first: int, values: Iterable[Value | object], style: RowStyle
    ) -> None:
        """The one safe-cell rule of the project (one class check per cell)."""
        ws = self.worksheet
        for col, value in enumerate(values, start=first):
            cls = value.__class__
            if cls is str:
                text: str = value  # type: ignore[assignment]
                if not text.isprintable():
                    text = safe_text(text)
                if text.startswith(FORMULA_STARTS):
                    ws.write_string(row, col, text, style.quoted)
                elif text:
                    ws.write_string(row, col, text, style.plain)
                elif style.plain is not None:
                    ws.write_blank(row, col, None, style.plain)
            elif value is None:
                if style.plain is not None:
                    ws.write_blank(row, col, None, style.plain)
            elif cls is int or cls is float:
                ws.write_number(row, col, value, style.plain)
            elif cls is dt.date:
                ws.write_datetime(row, col, value, style.date)
            else:
                self._write_other(row, col, value, style)

    def _write_other(self, row: int, col: int, value: object, style: RowStyle) -> None:
        ws = self.worksheet
        if isinstance(value, bool):
            ws.write_boolean(row, col, value, style.plain)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(row, col, float(value), style.plain)
        elif isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value)
            ws.write_datetime(row, col, value, style.datetime)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, value, style.date)
        else:  # times, durations and anything else: as the text people read
            text = safe_text(str(value))
            ws.write_string(
                row, col, text, style.quoted if text.startswith(FORMULA_STARTS) else style.plain
            )

    def list_validation(
        self, col: int, first_row: int, last_row: int, options: Sequence[str], error: str
    ) -> None:
        """A drop-down list on rows `first_row`..`last_row` (0-based) of column `col`."""
        self.worksheet.data_validation(
            first_row,
            col,
            last_row,
            col,
            {
                "validate": "list",
                "source": list(options),
                "error_title": "输入无效",
                "error_message": error,
            },
        )


def write_xlsx(
    exporter: Exporter,
    output: str | Path | BinaryIO | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> bytes:
    """Write `exporter` as one sheet; `progress(rows)` is called every `every` rows."""
    book = Book(output)
    try:
        sheet = book.sheet(exporter.sheet_title, widths=exporter.column_widths)
        sheet.header(exporter.header())
        for count, row in enumerate(exporter.rows(), start=1):
            sheet.append(row)
            if progress is not None and count % every == 0:
                progress(count)
    except BaseException:
        book.close()  # releases XlsxWriter's temporary row files; the caller drops the output
        raise
    return book.close()


def attachment(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download that no cache keeps."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or ""
    )
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(exporter: Exporter) -> HttpResponse:
    return attachment(write_xlsx(exporter), exporter.filename())


# -- stored exports (run in a task) ------------------------------------------------------

FAILED_MESSAGE = "生成文件时出错，请稍后重新导出；仍有问题请联系系统管理员。"


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(job: ExportJob) -> Path:
    return export_dir() / Path(job.stored_file).name


def run_job(job_id: int, build: Callable[[ExportJob], Exporter]) -> None:
    """The body of an export task. Safe to run twice: it claims the pending job first."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("election__community", "election__cycle").get(pk=job_id)
    name = f"{uuid.uuid4().hex}.xlsx"
    path = export_dir() / name
    try:
        exporter = build(job)
        write_xlsx(exporter, path, progress=lambda rows: _progress(job_id, rows))
    except Exception:
        log.exception("export job %s failed", job_id)
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, message=FAILED_MESSAGE, finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.DONE,
        stored_file=name,
        filename=exporter.filename(),
        size=path.stat().st_size,
        rows_written=getattr(exporter, "count", job.total_rows),
        finished_at=timezone.now(),
    )


def _progress(job_id: int, rows: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(rows_written=rows)


def delete_expired_exports(now: dt.datetime | None = None) -> int:
    """Delete the files of exports older than EXPORT_RETENTION_DAYS. Safe to run twice:
    each job is claimed by a conditional UPDATE before its file is removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    old = ExportJob.objects.filter(created_at__lt=cutoff, status=ExportStatus.DONE)
    deleted = 0
    for pk, stored in old.values_list("pk", "stored_file"):
        if ExportJob.objects.filter(pk=pk, status=ExportStatus.DONE).update(
            status=ExportStatus.EXPIRED, stored_file=""
        ):
            (export_dir() / Path(stored).name).unlink(missing_ok=True)
            deleted += 1
    return deleted
