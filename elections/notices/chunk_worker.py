"""One long-list render worker: `python chunk_worker.py <base_url>` (longlist.py starts it).

Run as a script by its path, not as a module: it imports WeasyPrint and nothing of the
project (no Django, no database connection). It reads frames from stdin — 8 bytes of
big-endian length, then that many bytes of UTF-8 HTML; length 0 ends it — and answers
each on stdout with b"K", 8 bytes of length, the PDF and 4 bytes of its page count, or
b"E", 8 bytes of length and the error text. A plain subprocess rather than a
multiprocessing child, so that a daemonic process (a Celery prefork worker) can start
it too."""

from __future__ import annotations

import logging
import struct
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

# The elements templates/notices/notice_paged.html makes, all styled by paged_ua.css.
COVERED_TAGS = frozenset(
    [
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "div",
        "h1",
        "p",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
)
PAGED_UA = Path(__file__).resolve().with_name("paged_ua.css")


def weasyprint() -> Any:
    """The weasyprint module, imported without its notice that HarfBuzz-Subset is
    missing (we subset with fontTools; longlist.py cuts the fonts down first)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        import weasyprint as module
    return module


def paged_html() -> Any:
    """WeasyPrint's HTML with the user-agent stylesheet cut to the rules for
    COVERED_TAGS (paged_ua.css): the same boxes, a cheaper cascade. If WeasyPrint's
    internals moved, plain HTML."""
    CSS, HTML = weasyprint().CSS, weasyprint().HTML

    try:
        from weasyprint.html import UA_COUNTER_STYLE

        sheet = CSS(filename=str(PAGED_UA), counter_style=UA_COUNTER_STYLE)
        HTML._ua_stylesheets  # noqa: B018 - fails loudly here if it is gone
    except Exception:  # pragma: no cover - a WeasyPrint upgrade
        return HTML

    class PagedHTML(HTML):  # type: ignore[misc,valid-type]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [sheet]

    return PagedHTML


def main() -> int:
    base_url = sys.argv[1] if len(sys.argv) > 1 else None
    for name in ("weasyprint", "fontTools", "fontTools.subset", "fontTools.ttLib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    HTML = paged_html()

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return 0
        (size,) = struct.unpack(">Q", head)
        if size == 0:
            return 0
        html = stdin.read(size).decode("utf-8")
        try:
            document = HTML(string=html, base_url=base_url).render()
            pdf = document.write_pdf()
        except Exception:  # the parent raises it with the text
            error = traceback.format_exc().encode("utf-8")
            stdout.write(b"E" + struct.pack(">Q", len(error)) + error)
        else:
            stdout.write(b"K" + struct.pack(">Q", len(pdf)) + pdf)
            stdout.write(struct.pack(">I", len(document.pages)))
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
