"""Where each candidate stands with each department, and whether they are cleared
(Q1, Q2): the one answer the candidates' formal-list checks read (registered as the
clearance provider at start-up). A fixed number of queries for any number of
candidates.

Per (candidate, department), the latest round that asked decides: its current
sign-off (pass, finding, or stale when the vetted data changed since), or, while
unanswered, waiting / overdue — unless an earlier round's finding still stands.

A candidate is cleared when every department asked has passed, no tip-off is open
and no 不宜 finding waits for a decision; or when the organisation reviewer decided to
clear with a reason. A 不能 finding blocks and no decision lifts it (Q1); a later
correction by the department does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from candidates.clearance import Clearance
from candidates.models import Candidate
from elections.models import Department
from vetting.models import (
    Decision,
    DecisionKind,
    NegativeItem,
    Severity,
    SignOff,
    SignOffResult,
    TipOff,
    TipOutcome,
    VettingRequest,
)
from vetting.services import data_hashes

STATE_LABELS: Mapping[str, str] = {
    "waiting": "待反馈",
    "pass": "通过",
    "finding": "发现问题",
    "stale": "数据已变更，须重新审核",
    "overdue": "逾期未反馈",
}


@dataclass
class Cell:
    state: str  # waiting / pass / finding / stale / overdue
    request: VettingRequest
    signoff: SignOff | None = None
    items: list[NegativeItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def cannot(self) -> bool:
        return self.state == "finding" and any(i.severity == Severity.CANNOT for i in self.items)

    @property
    def unsuitable(self) -> bool:
        return self.state == "finding" and not self.cannot


@dataclass
class CandidateVetting:
    candidate: Candidate
    cells: dict[int, Cell] = field(default_factory=dict)  # department pk → cell
    open_tips: list[TipOff] = field(default_factory=list)
    decision: Decision | None = None
    departments: dict[int, Department] = field(default_factory=dict)

    def _names(self, test: str) -> list[str]:
        return [self.departments[pk].name for pk, cell in self.cells.items() if cell.state == test]

    @property
    def clearance(self) -> Clearance:
        cells = self.cells.values()
        if self.decision is not None and self.decision.kind in (
            DecisionKind.BLOCK,
            DecisionKind.VOID,
        ):
            return Clearance(
                "blocked", f"组织部{self.decision.get_kind_display()}：{self.decision.reason}"
            )
        cannot = [c for c in cells if c.cannot]
        if cannot:
            return Clearance(
                "blocked",
                "；".join(
                    f"{self.departments[c.request.department_id].name}："
                    + "、".join(i.label for i in c.items)
                    + "（不能确定为候选人）"
                    for c in cannot
                ),
            )
        if self.open_tips:
            return Clearance("pending", f"有{len(self.open_tips)}条举报线索正在核实")
        if self.decision is not None and self.decision.kind == DecisionKind.CLEAR:
            return Clearance("cleared", f"组织部认定：{self.decision.reason}")
        if not self.cells:
            return Clearance("pending", "尚未提交资格联审")
        if any(c.unsuitable for c in cells):
            return Clearance("pending", "有不宜情形，待组织部认定")
        waiting = [self.departments[pk].name for pk, c in self.cells.items() if c.state != "pass"]
        if waiting:
            return Clearance("pending", f"待{'、'.join(waiting)}反馈")
        return Clearance("cleared")

    @property
    def stale(self) -> list[str]:
        return self._names("stale")

    @property
    def overdue(self) -> list[str]:
        return self._names("overdue")


def vetting_of(
    candidates: Sequence[Candidate], *, today: dt.date | None = None
) -> dict[int, CandidateVetting]:
    """Each candidate's cells, open tip-offs and latest decision (6 queries in all)."""
    today = today or timezone.localdate()
    out = {c.pk: CandidateVetting(c) for c in candidates}
    if not out:
        return out
    requests = list(
        VettingRequest.objects.filter(candidate_id__in=out)
        .select_related("round", "department")
        .order_by("round__number", "pk")
    )
    signoffs = {
        s.request_id: s
        for s in SignOff.objects.filter(request__in=requests, current=True).prefetch_related(
            "items"
        )
    }
    hashes = data_hashes(list(out)) if requests else {}
    # Earlier rounds' findings stand while a later round of the same department waits.
    standing_finding: dict[tuple[int, int], Cell] = {}
    for request in requests:
        entry = out[request.candidate_id]
        entry.departments[request.department_id] = request.department
        signoff = signoffs.get(request.pk)
        key = (request.candidate_id, request.department_id)
        if signoff is not None:
            stale = signoff.data_hash != hashes[request.candidate_id]
            state = "stale" if stale else signoff.result
            cell = Cell(state, request, signoff, list(signoff.items.all()))
            if state == SignOffResult.FINDING:
                standing_finding[key] = cell
            else:
                standing_finding.pop(key, None)
        elif key in standing_finding:
            cell = standing_finding[key]
        else:
            overdue = request.overdue_on is not None or request.round.deadline < today
            cell = Cell("overdue" if overdue else "waiting", request)
        entry.cells[request.department_id] = cell
    for tip in TipOff.objects.filter(candidate_id__in=out, outcome=TipOutcome.OPEN):
        out[tip.candidate_id].open_tips.append(tip)
    for decision in Decision.objects.filter(candidate_id__in=out).order_by("decided_at", "pk"):
        out[decision.candidate_id].decision = decision  # the latest counts
    return out


def clearance_provider(candidates: Sequence[Candidate]) -> Mapping[int, Clearance]:
    """`candidates.clearance` asks this for a whole list at once."""
    return {pk: v.clearance for pk, v in vetting_of(candidates).items()}
