"""Notice kinds: a print template, a data builder reading only public data, the
milestone it is due on, who may publish it by hand. Apps register theirs at start-up
(`register_notice_kind` in their `AppConfig.ready`).

The builder gets a `PublicElection` (names, dates, the profile's parameters — never a
model object) and returns `NoticeData`. Whatever it returns passes `guard`, which
refuses anything that looks like an ID or phone number, so a builder that reached for
one fails loudly instead of posting it on a wall (RULES.md §9)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from electionlaw import RuleParams


@dataclass(frozen=True)
class PublicElection:
    """What every builder may know about the election: nothing personal."""

    pk: int
    community_code: str
    community_name: str
    street_name: str
    cycle_name: str
    election_day: dt.date
    party_meeting_day: dt.date | None
    params: RuleParams
    milestones: Mapping[str, dt.date]  # kind → effective date (done_on or planned)


def election_of(public: PublicElection) -> Any:
    """The election row, for a builder that calls an app's public view (which loads
    only public columns)."""
    from elections.models import CommunityElection

    return CommunityElection.objects.select_related("community", "cycle__rule_profile").get(
        pk=public.pk
    )


@dataclass
class NoticeData:
    """A notice's content: the body paragraphs, optional tables, and what the foot and
    the header need. `tables`: (caption, header, rows)."""

    body: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)


class NotReady(Exception):
    """The notice cannot be built yet (e.g. the formal list is not published); the
    message says why in Chinese."""


@dataclass(frozen=True)
class NoticeKind:
    code: str  # "N3"
    title: str  # "选民名单公告"
    build: Callable[[PublicElection], NoticeData]
    legal_basis: str
    posting_days: int | None  # how long it must stay posted (None: until the election)
    milestone: str | None = None  # the schedule milestone it is due on
    issuer: str = "居民选举委员会"  # the issuing body
    template: str = "notices/notice.html"
    #: who may publish by hand: "committee" (the community's committee and the street
    #: officer) or "officer" (the street officer only)
    publisher: str = "committee"


_KINDS: dict[str, NoticeKind] = {}


def register_notice_kind(kind: NoticeKind) -> NoticeKind:
    _KINDS[kind.code] = kind
    return kind


def notice_kinds() -> list[NoticeKind]:
    return sorted(_KINDS.values(), key=lambda k: int(k.code[1:]) if k.code[1:].isdigit() else 99)


def notice_kind(code: str) -> NoticeKind | None:
    return _KINDS.get(code)


# An 18-character ID number (the last may be X), a 15-digit old one, or a mainland
# mobile number: none may appear on a notice.
_ID_RE = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9]{4}[0-9Xx](?![0-9])"
)
_OLD_ID_RE = re.compile(r"(?<![0-9])[1-9][0-9]{14}(?![0-9])")
_PHONE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


class PersonalDataError(Exception):
    pass


def looks_personal(text: str) -> bool:
    return bool(_ID_RE.search(text) or _OLD_ID_RE.search(text) or _PHONE_RE.search(text))


def guard(data: NoticeData) -> NoticeData:
    """Refuse a notice holding an ID or phone number (RULES.md §9)."""

    def texts() -> Iterable[str]:
        yield from data.body
        yield from data.footnotes
        for caption, header, rows in data.tables:
            yield caption
            yield from header
            for row in rows:
                yield from (str(cell) for cell in row)

    for text in texts():
        if looks_personal(text):
            raise PersonalDataError("公告内容含有身份证号或电话号码，已拒绝生成")
    return data


def dedupe_names(names: list[str], extra: Mapping[str, list[str]] | None = None) -> list[str]:
    """RULES.md §9: names are shown in full; two people of the same name are told apart
    by what the caller gives (`extra[name]`, e.g. their 居民小组), else by （一）（二）."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    seen: dict[str, int] = {}
    out: list[str] = []
    numerals = "一二三四五六七八九十"
    for name in names:
        if counts[name] == 1:
            out.append(name)
            continue
        i = seen.get(name, 0)
        seen[name] = i + 1
        hints = (extra or {}).get(name)
        hint = hints[i] if hints and i < len(hints) else numerals[i % 10]
        out.append(f"{name}（{hint}）")
    return out


def cell(value: Any) -> str:
    return "" if value is None else str(value)
