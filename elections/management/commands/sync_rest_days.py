"""Fill RestDay from the State Council's holiday calendar (the chinesecalendar package)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from elections.services import RestDaySync, sync_rest_days


def report_line(result: RestDaySync) -> str:
    if not result.has_data:
        return (
            f"{result.year}年：暂无国务院节假日安排数据（chinesecalendar 尚未收录），未做改动；"
            "公布后请升级该软件包再运行，或在后台手工添加。"
        )
    return (
        f"{result.year}年：新增 {result.created} 天，更新 {result.updated} 天，"
        f"删除 {result.deleted} 天，保留本地设置 {result.kept_local} 天。"
    )


class Command(BaseCommand):
    help = "按国务院节假日安排更新休假日和调休上班日（默认今年和明年）。重复运行不会重复添加。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="年份，可重复，例如 2026")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        years = options.get("year") or [this_year, this_year + 1]
        for year in years:
            if not 1900 < year < 2200:
                raise CommandError(f"年份不对：{year}")
            self.stdout.write(report_line(sync_rest_days(year)))
