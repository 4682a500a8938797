"""The voter roll as a spreadsheet (masked ID and phone numbers), written directly or,
when it is large, by a Celery task into a stored file (elections.exports.run_job)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from elections import audit
from elections.exports import Exporter, Value, run_job
from elections.formatting import cn_date
from elections.idnumbers import mask_phone
from elections.models import CommunityElection, ExportJob
from elections.registration.forms import VoterFilterForm, is_full_id_number
from elections.registration.models import Voter, VoterCategory, VoterSource, VoterStatus
from elections.registration.public import age_on
from elections.registration.services import hash_id

VOTER_ROLL = "voter_roll"
FILTER_FIELDS = ("q", "idh", "group", "category", "status", "under_18")


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
            f"年龄（选举日{cn_date(self.election.election_day)}）",
            "民族",
            "居民小组",
            "登记类别",
            "状态",
            "身份证号",
            "联系电话",
            "来源",
        )

    def records(self) -> Iterable[Mapping[str, Any]]:
        """The voters' columns, in one streamed query."""
        return self.voters.values(*self.columns).iterator(chunk_size=2000)

    def rows(self) -> Iterator[Sequence[Value]]:
        categories = dict(VoterCategory.choices)
        statuses = dict(VoterStatus.choices)
        sources = dict(VoterSource.choices)
        day = self.election.election_day
        for number, voter in enumerate(self.records(), start=1):
            self.count = number
            phone = voter["phone"]
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
                mask_phone(phone) if phone else "",
                sources.get(voter["source"], voter["source"]),
            )


# -- the services: ask for an export, record a download -----------------------------------


def export_params(query: QueryDict) -> dict[str, list[str]]:
    """The roll filters of a request, fit to be stored: a full ID number becomes its hash.

    Each filter is a single value (the form reads the last one), so only that is kept."""
    params = {name: [str(query.get(name, ""))] for name in FILTER_FIELDS if name in query}
    searched = params.get("q", [""])[0]
    if is_full_id_number(searched):
        params.pop("q")
        params["idh"] = [hash_id(searched)]
    return params


def filter_form(params: Mapping[str, list[str]]) -> VoterFilterForm:
    data = QueryDict(mutable=True)
    for name, values in params.items():
        data.setlist(name, values)
    return VoterFilterForm(data or None)


def voter_roll_export(
    election: CommunityElection, params: Mapping[str, list[str]], *, actor: Any
) -> tuple[VoterRollExporter | None, ExportJob | None]:
    """Ask for the (filtered) roll: an exporter to write now when it is small, else a
    stored job whose task is sent on commit. Either way the request is audited."""
    form = filter_form(params)
    voters = form.filtered(election)
    total = voters.count()
    if total <= settings.EXPORT_DIRECT_MAX_ROWS:
        with transaction.atomic():
            audit.record(
                actor,
                "elections.voter.exported",
                election,
                data={"rows": total, "filters": form.description()},
            )
        return VoterRollExporter(election, voters), None
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=VOTER_ROLL,
            community_id=election.community_id,
            election=election,
            created_by=actor,
            params=dict(params),
            description=form.description(),
            total_rows=total,
        )
        audit.record(
            actor,
            "elections.voter.exported",
            election,
            data={"rows": total, "filters": job.description, "job": job.pk},
        )
        transaction.on_commit(lambda: run_voter_export.delay(job.pk))
    return None, job


def record_export_download(job: ExportJob, *, actor: Any) -> None:
    """Audit one download of a stored export."""
    with transaction.atomic():
        audit.record(
            actor,
            "elections.export.downloaded",
            job,
            community_id=job.community_id,
            data={"rows": job.rows_written, "filename": job.filename},
        )


def _build(job: ExportJob) -> VoterRollExporter:
    return VoterRollExporter(job.election, filter_form(job.params).filtered(job.election))


@shared_task(name="elections.tasks.run_voter_export")
def run_voter_export(job_id: int) -> None:
    """Write a stored voter roll export (the task of `voter_roll_export`)."""
    run_job(job_id, _build)
