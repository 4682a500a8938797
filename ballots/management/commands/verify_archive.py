"""`python manage.py verify_archive <zip> [--manifest-sha256 HEX]`: check every file of
an archive zip against its MANIFEST.sha256 (and the manifest against the given sum, or
the one stored for it); print each mismatch and exit 1, or exit 0 when all match."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ballots.archive import verify_zip


class Command(BaseCommand):
    help = "核对归档压缩包中的每个文件是否与清单 MANIFEST.sha256 一致"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("zip", help="归档压缩包（.zip）的路径")
        parser.add_argument(
            "--manifest-sha256", default="", help="清单应有的 SHA-256（归档页面上显示的）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["zip"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        expected = options.get("manifest_sha256") or ""
        with path.open("rb") as f:
            v = verify_zip(f, expected or None)
        if v.has_manifest and not expected:
            from ballots.models import Archive

            if Archive.objects.filter(manifest_sha256=v.manifest_sha256).exists():
                self.stdout.write("清单与系统中登记的一份归档一致")
            else:
                self.stdout.write("系统中没有登记这份清单（只核对了压缩包内部是否一致）")
        for where, problem in v.problems:
            self.stderr.write(f"不一致\t{where}\t{problem}" if where else f"不一致\t{problem}")
        if v.stored_match is False:
            self.stderr.write(
                f"不一致\t{'MANIFEST.sha256'}\t清单的 SHA-256 是 {v.manifest_sha256}，与给出的不同"
            )
        if not v.ok:
            sys.exit(1)
        self.stdout.write(
            f"核对通过：{v.checked} 个文件都与清单一致（清单 SHA-256 {v.manifest_sha256}）"
        )
