"""PDF rendering with WeasyPrint from our own templates (`<html lang="zh-CN">`), with
the fonts shipped in `static/fonts/` (Noto Serif SC / Noto Sans SC, OFL, subset to the
common CJK block; `static/fonts/README.md`) and Debian's `fonts-noto-cjk` as the
fallback for rare characters. WeasyPrint's per-page INFO logging is quieted here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

for _name in ("weasyprint", "fontTools", "fontTools.subset", "fontTools.ttLib"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class _NoHarfBuzzNotice(logging.Filter):
    """WeasyPrint warns on every render that it subsets fonts with fontTools, not
    HarfBuzz-Subset (a library Debian 12 ships apart); we know, and cut the fonts of long
    lists down ourselves (fonts.subset_font_css). Other warnings stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "HarfBuzz-Subset" not in record.getMessage()


logging.getLogger("weasyprint").addFilter(_NoHarfBuzzNotice())

# The shipped fonts' @font-face rules (their own module: longlist.py needs them too).
from elections.notices.fonts import FONT_DIR, font_css  # noqa: E402

__all__ = ["FONT_DIR", "font_css", "render_html", "render_pdf", "render_single_pdf"]


def render_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, {**context, "font_css": font_css()})


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """The PDF bytes and its page count. A notice with long tables (more than
    `longlist.LONG_LIST_ROWS` rows) is pre-paginated and rendered in chunks in parallel
    processes (`elections.notices.longlist`), calling `progress(sheets done, sheets)` as
    its chunks come back; the rest as one document."""
    from elections.notices import longlist

    if longlist.is_long(template, context):
        return longlist.render_long_pdf(template, context, progress=progress)
    return render_single_pdf(template, context)


def render_single_pdf(template: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """One WeasyPrint document, whatever its length."""
    from elections.notices.chunk_worker import weasyprint

    html = render_html(template, context)
    document = weasyprint().HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)
