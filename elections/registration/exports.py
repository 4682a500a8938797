"""The voter roll as a spreadsheet (masked ID and phone numbers)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from elections.exports import Exporter, Value
from elections.idnumbers import mask_phone
from elections.models import CommunityElection
from elections.registration.models import Voter, VoterCategory, VoterSource, VoterStatus
from elections.registration.public import age_on


class VoterRollExporter(Exporter):
    """The (filtered) roll with masked ID and phone numbers (RULES.md §9).

    Reads the masked ID column and the phone only; the encrypted number and its
    hash are never loaded."""

    sheet_title = "选民名单"
    column_widths = (6, 12, 6, 12, 12, 8, 18, 14, 14, 22, 16, 12)
    columns = (
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "group",
        "category",
        "status",
        "id_masked",
        "phone",
        "source",
    )

    def __init__(self, election: CommunityElection, voters: QuerySet[Voter]) -> None:
        self.election = election
        self.voters = voters
        self.count = 0

    def filename(self) -> str:
        return f"{self.election.community.name}选民名单-{timezone.localdate():%Y%m%d}.xlsx"

    def header(self) -> Sequence[str]:
        return (
            "序号",
            "姓名",
            "性别",
            "出生日期",
            f"年龄（选举日{self.election.election_day:%Y-%m-%d}）",
            "民族",
            "居民小组",
            "登记类别",
            "状态",
            "身份证号",
            "联系电话",
            "来源",
        )

    def rows(self) -> Iterator[Sequence[Value]]:
        categories = dict(VoterCategory.choices)
        statuses = dict(VoterStatus.choices)
        sources = dict(VoterSource.choices)
        day = self.election.election_day
        records: Iterable[dict[str, Any]] = self.voters.values(*self.columns).iterator(
            chunk_size=2000
        )
        for number, voter in enumerate(records, start=1):
            self.count = number
            yield (
                number,
                voter["name"],
                voter["gender"],
                voter["birth_date"],
                age_on(voter["birth_date"], day),
                voter["ethnicity"],
                voter["group"],
                categories.get(voter["category"], voter["category"]),
                statuses.get(voter["status"], voter["status"]),
                voter["id_masked"],
                mask_phone(voter["phone"]) if voter["phone"] else "",
                sources.get(voter["source"], voter["source"]),
            )
