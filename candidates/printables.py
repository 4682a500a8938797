"""Printables of the candidates app (issue 10 item 5): ballot papers per post in the
profile's order with write-in lines, the women column where the profile wants one, and
the marking instructions; blank nomination and 两推 tally forms matching the entry
pages. Names only — no ID number, nothing personal beyond what a ballot shows."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from candidates.models import CandidateStatus
from candidates.services import CandidateError, params_of
from candidates.services.nominations import post_label
from candidates.services.slate import slate_of
from elections import audit
from elections.formatting import cn_date, cn_number
from elections.models import CommunityElection
from elections.notices.rendering import render_pdf

AUDIT_LABELS = {
    "candidates.print.ballots": "打印选票样张",
    "candidates.print.tally_forms": "打印计票表",
}
BLANK_ROWS = 12  # one A4 page per form with its totals and signatures


def term_in_numerals(election: CommunityElection) -> str:
    """The election's term as the papers write it: 第十二届 → ``十二``."""
    return cn_number(election.cycle.term)


def ballot_pdf(election: CommunityElection, *, actor: Any) -> bytes:
    """One ballot sheet per post of the published formal list, in ballot order (R19,
    P7), with as many write-in lines as seats; under the 妇女委员专栏 remedy (R32) the
    委员 sheet carries a women's column."""
    params = params_of(election)
    slate = slate_of(election)
    sheets = []
    for post in slate.posts.values():
        names = [
            r.candidate.name for r in post.rows if r.candidate.status == CandidateStatus.FORMAL
        ]
        if not names:
            continue
        women = [
            r.candidate.name
            for r in post.rows
            if r.candidate.status == CandidateStatus.FORMAL and r.candidate.gender == "女"
        ]
        women_column = params.women_remedy == "dedicated_column" and post.post == "member"
        # R32 妇女委员专栏: one of the 委员 seats is elected in the women's column.
        seats = (post.seats or 1) - (1 if women_column and (post.seats or 1) > 1 else 0)
        sheets.append(
            {
                "label": post_label(post.post),
                "seats": seats,
                "names": [n for n in names if not (women_column and n in women)],
                "women": women,
                "women_column": women_column,
                "write_ins": range(seats),
            }
        )
    if not sheets:
        raise CandidateError("正式候选人名单公布后才能打印选票")
    pdf, _ = render_pdf(
        "printables/ballot.html",
        {
            "title": "选票",
            "community": election.community.name,
            "term": term_in_numerals(election),
            "election_day": cn_date(election.election_day),
            "sheets": sheets,
            "writein_invalid": params.writein_without_mark == "invalid",
            "same_person_invalid": params.same_person_two_posts == "invalid_ballot",
        },
    )
    with transaction.atomic():
        audit.record(
            actor,
            "candidates.print.ballots",
            election,
            data={"职位": [s["label"] for s in sheets]},
        )
    return pdf


def tally_forms_pdf(election: CommunityElection, *, actor: Any) -> bytes:
    """Blank forms for counting at the meeting: one per 居委会 post (nominations, R15)
    and the party's 党员推荐 and 群众推荐 (P5), with the same fields as the entry pages."""
    sheets = []
    for post in ("director", "deputy_director", "member"):
        sheets.append(
            {
                "title": f"{post_label(post)}候选人提名计票表",
                "subtitle": "每位选民提名人数不得多于应选人数；票数相等不能确定的，对票数相等的人再次投票",
                "header": ["序号", "被提名人姓名", "计票（画“正”字）", "得票数"],
                "rows": [[str(i), "", "", ""] for i in range(1, BLANK_ROWS + 1)],
                "totals": ["参加提名的选民人数", "发出提名票", "收回提名票", "无效提名票"],
            }
        )
    for kind in ("党员推荐", "群众推荐"):
        sheets.append(
            {
                "title": f"社区党组织委员会委员候选人初步人选{kind}计票表",
                "subtitle": "推荐人数不得多于应选人数",
                "header": ["序号", "被推荐人姓名", "计票（画“正”字）", "得票数"],
                "rows": [[str(i), "", "", ""] for i in range(1, BLANK_ROWS + 1)],
                "totals": [
                    "应到会人数" if kind == "党员推荐" else "参加推荐人数",
                    "实到会人数" if kind == "党员推荐" else "发出推荐票",
                    "收回推荐票",
                    "无效推荐票",
                ],
            }
        )
    pdf, _ = render_pdf(
        "printables/tally.html",
        {"title": "计票表", "community": election.community.name, "sheets": sheets},
    )
    with transaction.atomic():
        audit.record(actor, "candidates.print.tally_forms", election, data={"表数": len(sheets)})
    return pdf
