"""The Done-when of the notices: on the demo street, `publish_due_notices --today` run on
each milestone date publishes every due notice exactly once, and no PDF holds an ID or
phone number."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from elections.models import Milestone, Notice
from elections.registration.models import Voter
from elections.registration.services import reveal_id_number

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.mark.django_db
def test_each_milestone_date_publishes_its_notices_once(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--election-day", "2027-01-28", stdout=StringIO())
    dates = sorted({m.done_on or m.date for m in Milestone.objects.all()})
    printed: list[str] = []
    for day in dates:
        out = StringIO()
        call_command(
            "publish_due_notices", "--today", day.isoformat(), stdout=out, stderr=StringIO()
        )
        printed += out.getvalue().strip().splitlines()
    notices = list(Notice.objects.select_related("election__community"))
    assert len(printed) == len(notices) > 0
    keys = [(n.election_id, n.kind) for n in notices]
    assert len(keys) == len(set(keys))  # exactly once each
    assert {n.kind for n in notices} >= {"N3", "N4"}
    for election_id in {n.election_id for n in notices}:
        numbers = sorted(n.number for n in notices if n.election_id == election_id)
        assert numbers == list(range(1, len(numbers) + 1))
    secrets = set()
    for voter in Voter.objects.all():
        secrets.add(reveal_id_number(voter))
        if voter.phone:
            secrets.add(voter.phone)
    for notice in notices:
        text = subprocess.run(  # noqa: S603 - a fixed tool on our own file
            [PDFTOTEXT, notice.pdf.path, "-"], capture_output=True, check=True, text=True
        ).stdout
        flat = re.sub(r"\s+", "", text)
        assert notice.title in flat
        assert not re.search(r"\d{15,18}|1[3-9]\d{9}", flat), notice
        assert not any(secret in flat for secret in secrets), notice
