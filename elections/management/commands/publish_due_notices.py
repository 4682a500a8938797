"""`python manage.py publish_due_notices [--today YYYY-MM-DD]`: publish every notice due
on that day (the clock defaults to today), one line per published notice — community
code, number, title, the PDF's path — and exit 0, or 1 when a render failed."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elections.notices.publishing import publish_due


class Command(BaseCommand):
    help = "发布到期的公告（按日程节点日期）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today 须为 YYYY-MM-DD 格式的日期") from None
        run = publish_due(today)
        for notice in run.published:
            self.stdout.write(
                f"{notice.election.community.code}\t第{notice.number}号\t{notice.title}\t{notice.pdf.path}"
            )
        for election, code, reason in run.waiting:
            self.stderr.write(f"{election.community.code}\t{code}\t暂不能发布：{reason}")
        for election, code, error in run.failed:
            self.stderr.write(f"{election.community.code}\t{code}\t生成失败：{error}")
        if run.failed:
            sys.exit(1)
