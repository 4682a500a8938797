"""`make run` on a fresh clone: SQLite, no Redis. The migrations, the demo street and
the publication of the demo's due notices must work there (the in-process timer runs
the same `publish_due` as the command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_seed_and_publish_on_sqlite_without_redis(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env["HUANJIE_ENV"] = "development"

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=500,
            check=False,
        )

    for args in (("migrate", "--noinput"), ("seed_demo",)):
        done = manage(*args)
        assert done.returncode == 0, done.stderr[-2000:]
    published = manage("publish_due_notices")
    assert published.returncode == 0, published.stderr[-2000:]
    lines = [line.split("\t") for line in published.stdout.strip().splitlines()]
    assert lines, published.stderr
    assert {line[2] for line in lines} >= {"选民名单公告"}
    assert all(Path(line[3]).exists() for line in lines)
    again = manage("publish_due_notices")
    assert again.returncode == 0 and again.stdout == ""
