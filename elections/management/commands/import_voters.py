"""python manage.py import_voters --community XH01 FILE.xlsx [--commit]

Checks a voter spreadsheet against the community's current election and prints a
summary and every error with its row number. Exit code 0 when the file is clean
(and, with --commit, imported), 1 when anything is wrong — then nothing is imported."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from elections.models import CommunityElection
from elections.registration.importing import import_directly
from elections.registration.services import VoterError
from elections.registration.xlsx.types import ImportFileError


class Command(BaseCommand):
    help = "检查（并可导入）一个社区的选民登记表 .xlsx"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="选民登记表 .xlsx")
        parser.add_argument("--community", required=True, help="社区代码，例如 XH01")
        parser.add_argument("--commit", action="store_true", help="文件没有错误时导入")
        parser.add_argument("--user", default="", help="记入操作记录的用户名（默认：系统）")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["community"]
        election = (
            CommunityElection.objects.select_related("community", "cycle")
            .filter(community__code=code)
            .order_by("-cycle__election_day")
            .first()
        )
        if election is None:
            self._fail(f"没有找到社区 {code} 的换届")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                self._fail(f"没有用户 {options['user']}")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._fail(f"无法读取文件 {path}：{exc.strerror}")
        try:
            _parsed, results, summary = import_directly(
                election, data, commit_rows=options["commit"], actor=actor, filename=path.name
            )
        except ImportFileError as exc:
            self._fail(exc.message)
        except VoterError as exc:
            self._fail(exc.message)
        out = self.stdout
        out.write(
            f"{election.community.name}（{code}）：共 {summary.total} 行；新增 {summary.new}，"
            f"更新 {summary.update}，无变化 {summary.unchanged}，"
            f"需核对 {summary.warning}，错误 {summary.error}"
        )
        for result in results:
            for message in result.messages:
                level = "错误" if message.level == "error" else "提示"
                out.write(f"第{result.row_number}行 {level} [{message.field}] {message.text}")
        if summary.error:
            self.stderr.write(f"有 {summary.error} 行错误，没有导入任何数据。")
            sys.exit(1)
        if options["commit"]:
            out.write(self.style.SUCCESS("已导入。"))
        else:
            out.write("文件没有错误。加上 --commit 即可导入。")

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(1)
