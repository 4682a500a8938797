"""Shared building blocks of the counting engine: the error type, result types,
input checks and the one ranking routine every "most votes win" rule uses.

Pure Python over integers (STYLE habit 17, RULES G1): no Django, no floats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "POSTS",
    "POST_LABELS_ZH",
    "Decision",
    "RulesInputError",
    "Violation",
]

# R29: the residents' committee posts, highest first. "Higher post" everywhere in
# this package (R26 same person on two posts, R29 order, R30 kinship) means an
# earlier position in this tuple.
POSTS: tuple[str, ...] = ("director", "deputy_director", "member")
POST_LABELS_ZH: Mapping[str, str] = {
    "director": "主任",
    "deputy_director": "副主任",
    "member": "委员",
}


class RulesInputError(ValueError):
    """An input that cannot occur under the election law (negative counts, more
    votes than voters, fewer than one seat, an unknown profile choice...).

    ``message_zh`` is the user-facing Chinese text (STYLE habit 2); ``str(err)`` is
    the same text. ``rule`` names the RULES.md rule that makes the input impossible,
    when there is one.
    """

    def __init__(self, message_zh: str, *, rule: str | None = None) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.rule = rule


@dataclass(frozen=True)
class Decision:
    """Outcome of filling ``seats`` seats from a tally.

    ``elected``: winners' keys, most votes first (equal votes: by key).
    ``tied``: keys tied for the last seat(s); they go to a re-vote (再次投票, R28/P12).
    ``contested``: how many seats that re-vote fills (0 when nobody is tied).
    ``shortfall``: seats neither filled nor contested (另行选举, R31/P13).
    ``reasons``: RULES.md rule ids that produced the outcome.

    Invariants (checked here): ``contested < len(tied)`` whenever ``tied`` is
    non-empty, ``contested == 0`` when it is empty, nothing negative, and no key is
    both elected and tied.
    """

    elected: tuple[str, ...]
    tied: tuple[str, ...]
    contested: int
    shortfall: int
    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.contested < 0 or self.shortfall < 0:
            raise RulesInputError("待定名额和缺额不能为负数")
        if self.tied and not 0 < self.contested < len(self.tied):
            raise RulesInputError("得票相等者的人数必须多于再次投票确定的名额")
        if not self.tied and self.contested:
            raise RulesInputError("没有得票相等者时不能有再次投票名额")
        if set(self.elected) & set(self.tied):
            raise RulesInputError("同一人不能既当选又参加再次投票")
        if len(set(self.elected)) != len(self.elected) or len(set(self.tied)) != len(self.tied):
            raise RulesInputError("当选人或得票相等者名单中有重复")

    @property
    def seats(self) -> int:
        """The number of seats the decision was about."""
        return len(self.elected) + self.contested + self.shortfall

    @property
    def complete(self) -> bool:
        """True when every seat is filled: no re-vote and no 另行选举 needed."""
        return self.contested == 0 and self.shortfall == 0


@dataclass(frozen=True)
class Violation:
    """One broken rule found by a ``check_*`` function.

    ``code`` is a stable machine name (e.g. ``"proxy_cap"``), ``rules`` the RULES.md
    ids, ``message_zh`` the text shown to the user.
    """

    code: str
    rules: tuple[str, ...]
    message_zh: str


# --- input checks ----------------------------------------------------------------


def require_int(value: object, label_zh: str, *, minimum: int = 0, rule: str | None = None) -> int:
    """Return ``value`` if it is an ``int`` (not ``bool``) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesInputError(f"{label_zh}必须是整数（收到 {value!r}）", rule=rule)
    if value < minimum:
        if minimum == 0:
            raise RulesInputError(f"{label_zh}不能为负数（收到 {value}）", rule=rule)
        raise RulesInputError(f"{label_zh}必须至少为 {minimum}（收到 {value}）", rule=rule)
    return value


def require_seats(seats: object) -> int:
    """Seats are a positive integer (R1, R17, P5)."""
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise RulesInputError(f"应选名额必须是整数（收到 {seats!r}）")
    if seats < 1:
        raise RulesInputError(f"应选名额必须至少为 1（收到 {seats}）")
    return seats


def require_key(key: object) -> str:
    """Candidate keys are non-empty strings (write-ins such as ``"写:张三"`` included)."""
    if not isinstance(key, str) or key == "":
        raise RulesInputError(f"候选人标识必须是非空字符串（收到 {key!r}）")
    return key


def require_choice(value: object, choices: tuple[str, ...], label_zh: str) -> str:
    """``value`` must be one of ``choices`` (profile options, RULES §10)."""
    if not isinstance(value, str) or value not in choices:
        allowed = "、".join(choices)
        raise RulesInputError(f"{label_zh}的取值 {value!r} 无效，可选：{allowed}")
    return value


def require_tally(
    votes: Mapping[str, int],
    *,
    ceiling: int | None,
    ceiling_label_zh: str,
    vote_label_zh: str = "得票数",
    seats: int | None = None,
) -> dict[str, int]:
    """Check a tally: string keys, non-negative integer votes, none above ``ceiling``
    (``None``: no ceiling).

    With ``seats``, also check the post total: each ballot marks at most ``seats``
    names for a post (R26, P9), so the total cannot exceed ``ceiling * seats``.
    """
    if not isinstance(votes, Mapping):
        raise RulesInputError("得票必须以“候选人标识 → 票数”的映射给出")
    checked: dict[str, int] = {}
    for key, value in votes.items():
        require_key(key)
        require_int(value, f"「{key}」的{vote_label_zh}")
        if ceiling is not None and value > ceiling:
            raise RulesInputError(
                f"「{key}」的{vote_label_zh} {value} 超过{ceiling_label_zh} {ceiling}"
            )
        checked[key] = value
    if ceiling is not None and seats is not None and sum(checked.values()) > ceiling * seats:
        raise RulesInputError(
            f"{vote_label_zh}合计 {sum(checked.values())} 超过{ceiling_label_zh} {ceiling}"
            f" × 应选名额 {seats}（每张选票最多选 {seats} 人）",
            rule="R26",
        )
    return checked


def require_threshold(num: object, den: object) -> tuple[int, int]:
    """A threshold fraction ``num/den`` with ``0 <= num <= den`` and ``den >= 1``."""
    n = require_int(num, "得票比例的分子")
    d = require_int(den, "得票比例的分母", minimum=1)
    if n > d:
        raise RulesInputError(f"得票比例 {n}/{d} 不能大于 1")
    return n, d


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Items in first-seen order, duplicates dropped (used for rule-id lists)."""
    return tuple(dict.fromkeys(items))


def by_votes(tally: Mapping[str, int]) -> list[tuple[str, int]]:
    """Most votes first; equal votes by key, so results never depend on mapping order."""
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class Cut:
    """Raw result of :func:`rank_and_cut`, before rule ids are attached."""

    elected: tuple[str, ...]
    tied: tuple[str, ...]
    contested: int
    shortfall: int
    qualified: int  # how many keys met the threshold

    def excess(self, seats: int) -> bool:
        """More qualifiers than seats: ranking decided (R28, P12)."""
        return self.qualified > seats


def more_than_half_of(total: int) -> Callable[[int], bool]:
    """G1 "过半数": ``2*x > total``; exactly half fails."""
    return lambda votes: 2 * votes > total


def rank_and_cut(seats: int, tally: Mapping[str, int], qualifies: Callable[[int], bool]) -> Cut:
    """Fill ``seats`` from ``tally`` by "most votes win" among qualifying keys.

    R28 / P12: when a tie straddles the last seat, the whole tied group goes to a
    re-vote for the seats left; keys strictly above the tie are elected.
    R31 / P13: seats without a qualifier are a shortfall.
    """
    ranked = [(key, votes) for key, votes in by_votes(tally) if qualifies(votes)]
    if len(ranked) <= seats:
        elected = tuple(key for key, _ in ranked)
        return Cut(elected, (), 0, seats - len(elected), len(ranked))
    last_seat_votes = ranked[seats - 1][1]
    first_loser_votes = ranked[seats][1]
    if last_seat_votes > first_loser_votes:
        return Cut(tuple(key for key, _ in ranked[:seats]), (), 0, 0, len(ranked))
    above = tuple(key for key, votes in ranked if votes > last_seat_votes)
    tied = tuple(sorted(key for key, votes in ranked if votes == last_seat_votes))
    return Cut(above, tied, seats - len(above), 0, len(ranked))


def decision_from_cut(cut: Cut, reasons: Iterable[str]) -> Decision:
    return Decision(cut.elected, cut.tied, cut.contested, cut.shortfall, unique(reasons))
