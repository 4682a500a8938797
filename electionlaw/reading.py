"""Reading one paper ballot (R26, P8, P9) and one nomination ballot (R15),
and adding readings up into tallies (G6).

The clerk enters what is on the paper; these functions decide what counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ._base import RulesInputError, require_choice, require_key, require_seats, unique
from .params import BALLOT_INVALIDATIONS, SAME_PERSON_TWO_POSTS, WRITEIN_WITHOUT_MARK

__all__ = [
    "ABSTAINER_WRITE_IN_POLICIES",
    "BallotProblem",
    "BallotReading",
    "BallotSection",
    "BallotTally",
    "read_ballot",
    "read_nomination_ballot",
    "read_party_ballot",
    "tally_readings",
]

# P8 / example 29 [U]: a write-in by a voter who did not mark 不赞成 is ignored,
# or makes the whole ballot invalid.
ABSTAINER_WRITE_IN_POLICIES = ("ignore", "invalid_ballot")


def _keys(values: Iterable[str], label_zh: str, *, distinct: bool = False) -> tuple[str, ...]:
    if isinstance(values, str):
        raise RulesInputError(f"{label_zh}必须是标识的列表，而不是单个字符串")
    keys = tuple(require_key(v) for v in values)
    if distinct and len(set(keys)) != len(keys):
        raise RulesInputError(f"{label_zh}中有重复：同一候选人只有一个画票位置")
    return keys


@dataclass(frozen=True)
class BallotSection:
    """What the clerk reads in one post's column of a ballot (R22, R23).

    ``approvals``: listed candidates marked 赞成. ``write_ins``: other persons
    written in with the 赞成 mark (any key, e.g. ``"写:张三"``).
    ``unmarked_write_ins``: names written in without the mark (R26, P8: counted or
    not per ``writein_without_mark``). 反对 and 弃权 marks do not count against the
    seats. ``illegible``: the column cannot be read (R26).
    """

    post: str
    seats: int
    approvals: tuple[str, ...] = ()
    write_ins: tuple[str, ...] = ()
    unmarked_write_ins: tuple[str, ...] = ()
    illegible: bool = False

    def __post_init__(self) -> None:
        require_key(self.post)
        require_seats(self.seats)
        object.__setattr__(self, "approvals", _keys(self.approvals, "赞成的候选人", distinct=True))
        object.__setattr__(self, "write_ins", _keys(self.write_ins, "另选的人"))
        object.__setattr__(
            self, "unmarked_write_ins", _keys(self.unmarked_write_ins, "未画符号的另选人")
        )

    @property
    def has_marks(self) -> bool:
        return bool(self.approvals or self.write_ins or self.unmarked_write_ins)


@dataclass(frozen=True)
class BallotProblem:
    """Why (part of) a ballot does not count. ``post`` is None for the whole ballot."""

    post: str | None
    code: str
    rules: tuple[str, ...]
    message_zh: str


@dataclass(frozen=True)
class BallotReading:
    """What one ballot contributes to the count.

    ``valid``: False for a 废票 (whole ballot invalid); it still counts in
    ``total_ballots_cast`` and as a participant (G6). ``blank``: no marks at all, a
    valid abstention (R26). ``counted``: post → keys receiving one vote (empty for an
    invalid or abstained post). ``invalid_posts``: posts whose column is void.
    """

    valid: bool
    blank: bool
    counted: Mapping[str, tuple[str, ...]]
    invalid_posts: tuple[str, ...]
    problems: tuple[BallotProblem, ...]
    reasons: tuple[str, ...]


def _reading(
    posts: Sequence[str],
    counted: Mapping[str, Sequence[str]],
    invalid_posts: Iterable[str],
    problems: Sequence[BallotProblem],
    *,
    whole_invalid: bool,
    blank: bool,
    base_rule: str,
) -> BallotReading:
    invalid = set(invalid_posts)
    if whole_invalid:
        invalid = set(posts)
    return BallotReading(
        valid=not whole_invalid,
        blank=blank,
        counted=MappingProxyType(
            {p: () if p in invalid else tuple(counted.get(p, ())) for p in posts}
        ),
        invalid_posts=tuple(p for p in posts if p in invalid),
        problems=tuple(problems),
        reasons=unique([base_rule, *(r for problem in problems for r in problem.rules)]),
    )


def read_ballot(
    sections: Sequence[BallotSection],
    *,
    ballot_invalidation: str = "per_post",
    same_person_two_posts: str = "invalid_ballot",
    writein_without_mark: str = "invalid",
) -> BallotReading:
    """R26: decide what one residents' committee ballot counts for.

    ``sections`` are the ballot's post columns, **highest post first** (主任, 副主任,
    委员); that order decides "the higher post".

    - A column whose approvals + write-ins (distinct persons) exceed its seats is
      void (R26). ``ballot_invalidation="per_post"``: only that column; a ballot void
      in every column is a 废票. ``"whole"``: any void column makes it a 废票.
    - An illegible column is void the same way (R26).
    - A write-in without the mark (R26, P8): ``writein_without_mark="invalid"``
      ignores it; ``"approve"`` counts it as an approval (and against the seats).
    - The same person marked in two valid columns: ``same_person_two_posts=
      "invalid_ballot"`` (Zhejiang) makes it a 废票; ``"higher_post_only"`` counts the
      person for the higher post only (R26, R29).
    - No marks at all: a blank ballot, a valid abstention (R26).
    """
    require_choice(ballot_invalidation, BALLOT_INVALIDATIONS, "选票无效范围")
    require_choice(same_person_two_posts, SAME_PERSON_TWO_POSTS, "同一人被选两个职位的处理")
    require_choice(writein_without_mark, WRITEIN_WITHOUT_MARK, "另选他人未画符号的处理")
    sections = tuple(sections)
    if not sections:
        raise RulesInputError("选票至少要有一个职位栏")
    for section in sections:
        if not isinstance(section, BallotSection):
            raise RulesInputError("选票的职位栏必须是 BallotSection")
    posts = [s.post for s in sections]
    if len(set(posts)) != len(posts):
        raise RulesInputError("同一职位在选票上出现了两次")

    problems: list[BallotProblem] = []
    marks: dict[str, list[str]] = {}
    invalid: set[str] = set()
    for s in sections:
        unmarked = s.unmarked_write_ins if writein_without_mark == "approve" else ()
        if s.unmarked_write_ins and writein_without_mark == "invalid":
            problems.append(
                BallotProblem(
                    s.post, "unmarked_write_in", ("R26", "P8"), "另选他人未画赞成符号，不计票"
                )
            )
        marks[s.post] = list(dict.fromkeys([*s.approvals, *s.write_ins, *unmarked]))
        if s.illegible:
            invalid.add(s.post)
            problems.append(BallotProblem(s.post, "illegible", ("R26",), "该职位栏无法辨认，无效"))
        elif len(marks[s.post]) > s.seats:
            invalid.add(s.post)
            problems.append(
                BallotProblem(
                    s.post,
                    "overvote",
                    ("R26",),
                    f"该职位栏所选人数 {len(marks[s.post])} 多于应选名额 {s.seats}，无效",
                )
            )

    whole_invalid = False
    first_post: dict[str, str] = {}
    for s in sections:
        if s.post in invalid:
            continue
        for key in list(marks[s.post]):
            if key not in first_post:
                first_post[key] = s.post
                continue
            if same_person_two_posts == "invalid_ballot":
                whole_invalid = True
                problems.append(
                    BallotProblem(
                        None,
                        "same_person_two_posts",
                        ("R26",),
                        f"「{key}」被同时选为两个职位，选票无效",
                    )
                )
            else:
                marks[s.post].remove(key)
                problems.append(
                    BallotProblem(
                        s.post,
                        "same_person_two_posts",
                        ("R26", "R29"),
                        f"「{key}」被同时选为两个职位，只计较高职位的票",
                    )
                )

    if invalid and ballot_invalidation == "whole":
        whole_invalid = True
        problems.append(BallotProblem(None, "void_column", ("R26",), "有职位栏无效，整张选票无效"))
    elif invalid and invalid == set(posts) and not whole_invalid:
        whole_invalid = True
        problems.append(
            BallotProblem(None, "every_column_void", ("R26",), "各职位栏均无效，整张选票无效")
        )

    blank = not any(s.has_marks or s.illegible for s in sections)
    return _reading(
        posts, marks, invalid, problems, whole_invalid=whole_invalid, blank=blank, base_rule="R26"
    )


def read_party_ballot(
    *,
    seats: int,
    approvals: Sequence[str] = (),
    disapprovals: Sequence[str] = (),
    write_ins: Sequence[str] = (),
    unmarked_write_ins: Sequence[str] = (),
    illegible: bool = False,
    writein_without_mark: str = "invalid",
    abstainer_write_in: str = "ignore",
    post: str = "committee",
) -> BallotReading:
    """P8, P9: decide what one party committee ballot counts for.

    P8: marks are 赞成 (○), 不赞成 (×) or none (弃权). Only a voter who marks 不赞成
    may write in another person: write-ins beyond the number of 不赞成 marks are
    ignored (``abstainer_write_in="ignore"``, the first ones in ballot order are
    kept) or make the ballot invalid (``"invalid_ballot"``) [U, example 29]. A name
    written without ○ counts per ``writein_without_mark``.
    P9: approvals + valid write-ins above the seats → the whole ballot is invalid.
    """
    require_seats(seats)
    require_choice(writein_without_mark, WRITEIN_WITHOUT_MARK, "另选他人未画符号的处理")
    require_choice(abstainer_write_in, ABSTAINER_WRITE_IN_POLICIES, "弃权者另选他人的处理")
    yes = _keys(approvals, "赞成的候选人", distinct=True)
    no = _keys(disapprovals, "不赞成的候选人", distinct=True)
    if set(yes) & set(no):
        raise RulesInputError("同一候选人不能既赞成又不赞成；无法辨认的选票请标记为无法辨认")
    marked = list(_keys(write_ins, "另选的人"))
    unmarked = list(_keys(unmarked_write_ins, "未画符号的另选人"))
    problems: list[BallotProblem] = []
    if unmarked and writein_without_mark == "invalid":
        problems.append(
            BallotProblem(post, "unmarked_write_in", ("P8",), "另选他人未画赞成符号，不计票")
        )
        unmarked = []
    extra = marked + unmarked
    whole_invalid = False
    if illegible:
        whole_invalid = True
        problems.append(BallotProblem(None, "illegible", ("P9",), "选票无法辨认，无效"))
    if len(extra) > len(no):  # P8: only 不赞成 opens a write-in
        if abstainer_write_in == "invalid_ballot":
            whole_invalid = True
            problems.append(
                BallotProblem(
                    None, "abstainer_write_in", ("P8",), "未画不赞成符号却另选他人，选票无效"
                )
            )
        else:
            problems.append(
                BallotProblem(post, "abstainer_write_in", ("P8",), "未画不赞成符号的另选他人不计票")
            )
            extra = extra[: len(no)]
    counted = list(dict.fromkeys([*yes, *extra]))
    if not whole_invalid and len(counted) > seats:  # P9
        whole_invalid = True
        problems.append(
            BallotProblem(
                None, "overvote", ("P9",), f"所选人数 {len(counted)} 多于应选名额 {seats}，选票无效"
            )
        )
    blank = not (yes or no or write_ins or unmarked_write_ins or illegible)
    return _reading(
        [post],
        {post: counted},
        (),
        problems,
        whole_invalid=whole_invalid,
        blank=blank,
        base_rule="P9",
    )


def read_nomination_ballot(
    nominations: Mapping[str, Sequence[str]],
    seats: Mapping[str, int],
    *,
    by_proxy: bool = False,
) -> BallotReading:
    """R15: decide what one voter's nomination ballot counts for.

    - Nomination by proxy is not allowed: the whole ballot is void.
    - Each voter nominates at most ``seats`` persons per post; more → that post's
      nominations are void.
    - One person nominated for two posts → that person's nominations are void
      (in every post), the rest stands.
    """
    if not seats:
        raise RulesInputError("提名票至少要有一个职位")
    for post in nominations:
        if post not in seats:
            raise RulesInputError(f"职位 {post!r} 没有应选名额")
    posts = list(seats)
    for post in posts:
        require_key(post)
        require_seats(seats[post])
    names = {
        post: list(dict.fromkeys(_keys(nominations.get(post, ()), "被提名人"))) for post in posts
    }
    problems: list[BallotProblem] = []
    if by_proxy:
        problems.append(BallotProblem(None, "by_proxy", ("R15",), "提名不得委托他人，该提名票无效"))
        return _reading(posts, {}, (), problems, whole_invalid=True, blank=False, base_rule="R15")
    invalid: set[str] = set()
    for post in posts:
        if len(names[post]) > seats[post]:
            invalid.add(post)
            problems.append(
                BallotProblem(
                    post,
                    "overvote",
                    ("R15",),
                    f"该职位提名 {len(names[post])} 人，多于应选名额 {seats[post]}，无效",
                )
            )
    seen: dict[str, int] = {}
    for post in posts:
        if post not in invalid:
            for key in names[post]:
                seen[key] = seen.get(key, 0) + 1
    doubled = {key for key, n in seen.items() if n > 1}
    for key in sorted(doubled):
        problems.append(
            BallotProblem(
                None, "same_person_two_posts", ("R15",), f"「{key}」被提名为两个职位，提名无效"
            )
        )
    counted = {post: [k for k in names[post] if k not in doubled] for post in posts}
    blank = not any(names.values())
    whole_invalid = bool(posts) and invalid == set(posts)
    return _reading(
        posts, counted, invalid, problems, whole_invalid=whole_invalid, blank=blank, base_rule="R15"
    )


@dataclass(frozen=True)
class BallotTally:
    """Readings added up (G6).

    ``ballots_cast`` is every returned ballot — valid, blank and invalid — i.e.
    both ``participants`` (R27) and ``total_ballots_cast`` (R31).
    ``invalid_columns``: post → ballots on which that column did not count.
    """

    ballots_cast: int
    invalid_ballots: int
    blank_ballots: int
    votes: Mapping[str, Mapping[str, int]]
    invalid_columns: Mapping[str, int]
    reasons: tuple[str, ...] = ("G6",)


def tally_readings(readings: Iterable[BallotReading]) -> BallotTally:
    """G6: add ballot readings up into per-post tallies and ballot counts."""
    cast = invalid_ballots = blank = 0
    votes: dict[str, dict[str, int]] = {}
    invalid_columns: dict[str, int] = {}
    for reading in readings:
        cast += 1
        invalid_ballots += 0 if reading.valid else 1
        blank += 1 if reading.blank else 0
        for post, keys in reading.counted.items():
            post_votes = votes.setdefault(post, {})
            invalid_columns.setdefault(post, 0)
            for key in keys:
                post_votes[key] = post_votes.get(key, 0) + 1
        for post in reading.invalid_posts:
            invalid_columns[post] = invalid_columns.get(post, 0) + 1
    return BallotTally(
        ballots_cast=cast,
        invalid_ballots=invalid_ballots,
        blank_ballots=blank,
        votes=MappingProxyType({p: MappingProxyType(v) for p, v in votes.items()}),
        invalid_columns=MappingProxyType(invalid_columns),
    )
