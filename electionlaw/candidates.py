"""Candidates and organisation: 差额 (R17, P5, G4), women (R18, R32) and the
party organisation type (P16)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ._base import (
    POST_LABELS_ZH,
    POSTS,
    RulesInputError,
    Violation,
    by_votes,
    require_choice,
    require_int,
    require_key,
    require_seats,
    require_tally,
)
from .params import WOMEN_REMEDIES, RuleParams

__all__ = [
    "PARTY_DIFF_ROUNDINGS",
    "PARTY_ORG_TYPES",
    "WomenRemedy",
    "formal_candidate_count_ok",
    "min_formal_candidates",
    "min_party_candidates",
    "no_woman_elected",
    "party_candidate_count_ok",
    "party_org_type",
    "persons_needing_post_choice",
    "top_unelected_women",
    "women_candidate_missing",
    "women_remedy",
]

PARTY_DIFF_ROUNDINGS = ("ceil", "floor")  # G4 (RULES §10 party_diff_rounding)
PARTY_ORG_TYPES = ("branch", "general_branch", "committee")  # P16: 支部, 总支, 党委


def min_formal_candidates(seats: int, *, extra: int = 1) -> int:
    """R17: "候选人的名额应当多于应选名额" → at least ``seats + 1`` for each post
    separately (``extra`` is the profile's ``candidates_extra_min_per_post``)."""
    require_seats(seats)
    require_int(extra, "候选人多于应选名额的人数")
    return seats + extra


def min_party_candidates(seats: int, *, pct: int = 20, rounding: str = "ceil") -> int:
    """P5, G4: at least ``seats + ceil(seats × pct / 100)`` committee candidates.

    Integer form: ``seats + (seats*pct + 99) // 100`` (3 → 4, 5 → 6, 7 → 9, 9 → 11).
    ``rounding="floor"`` rounds the 差额 down instead.
    """
    require_seats(seats)
    require_int(pct, "差额比例")
    if pct > 100:
        raise RulesInputError(f"差额比例不能超过 100%（收到 {pct}）", rule="P5")
    require_choice(rounding, PARTY_DIFF_ROUNDINGS, "差额取整方式")
    if rounding == "ceil":
        return seats + (seats * pct + 99) // 100  # G4
    return seats + seats * pct // 100


def formal_candidate_count_ok(
    seats: int, candidates: int, *, params: RuleParams, post: str = "member"
) -> tuple[Violation, ...]:
    """R17: is the number of formal candidates of one post lawful under the profile?

    - Default: ``candidates >= seats + candidates_extra_min_per_post`` (差额).
    - ``allow_equal_candidates``: ``candidates >= seats`` suffices (等额; Beijing 1991,
      Henan).
    - ``candidates_extra_max_weiyuan`` (Shanghai: 3): for ``post="member"`` at most
      ``seats + max`` candidates.

    Returns the violations; empty means lawful.
    """
    require_seats(seats)
    require_int(candidates, "正式候选人数")
    if post not in POSTS:
        raise RulesInputError(f"未知职位 {post!r}，可选：{'、'.join(POSTS)}")
    label = POST_LABELS_ZH[post]
    found: list[Violation] = []
    minimum = (
        seats if params.allow_equal_candidates else seats + params.candidates_extra_min_per_post
    )
    if candidates < minimum:
        found.append(
            Violation(
                "too_few_candidates",
                ("R17",),
                f"{label}应选 {seats} 名，正式候选人至少 {minimum} 名（现有 {candidates} 名）",
            )
        )
    cap = params.candidates_extra_max_weiyuan
    if post == "member" and cap is not None and candidates > seats + cap:
        found.append(
            Violation(
                "too_many_candidates",
                ("R17",),
                f"委员应选 {seats} 名，正式候选人最多 {seats + cap} 名（现有 {candidates} 名）",
            )
        )
    return tuple(found)


def party_candidate_count_ok(
    seats: int, candidates: int, *, pct: int = 20, rounding: str = "ceil"
) -> tuple[Violation, ...]:
    """P5, G4: the party committee needs at least :func:`min_party_candidates`."""
    minimum = min_party_candidates(seats, pct=pct, rounding=rounding)
    require_int(candidates, "候选人数")
    if candidates >= minimum:
        return ()
    return (
        Violation(
            "too_few_candidates",
            ("P5", "G4"),
            f"委员应选 {seats} 名，差额 {pct}%，候选人至少 {minimum} 名（现有 {candidates} 名）",
        ),
    )


def party_org_type(members: int, *, zongzhi_min: int = 50, dangwei_min: int = 100) -> str:
    """P16: the party organisation a membership calls for.

    ``members >= dangwei_min`` → ``"committee"`` (党委); ``members >= zongzhi_min`` →
    ``"general_branch"`` (总支); otherwise ``"branch"`` (支部). Both bounds are
    inclusive ("以上", 旗帜网); the "超过" reading is ``zongzhi_min=51,
    dangwei_min=101``. Either body may also be set up below its bound with 上级
    approval (P16), which this function does not decide.
    """
    require_int(members, "党员人数")
    require_int(zongzhi_min, "设立总支的最少党员数", minimum=1)
    require_int(dangwei_min, "设立党委的最少党员数", minimum=1)
    if zongzhi_min > dangwei_min:
        raise RulesInputError("设立总支的人数下限不能高于设立党委的人数下限", rule="P16")
    if members >= dangwei_min:
        return "committee"
    if members >= zongzhi_min:
        return "general_branch"
    return "branch"


def persons_needing_post_choice(votes_by_post: Mapping[str, Mapping[str, int]]) -> tuple[str, ...]:
    """R16: persons nominated (with at least one vote) for more than one post; each
    confirms one post in writing before the formal list is drawn up."""
    posts: dict[str, int] = {}
    for tally in votes_by_post.values():
        for key, v in require_tally(tally, ceiling=None, ceiling_label_zh="").items():
            if v > 0:
                posts[key] = posts.get(key, 0) + 1
    return tuple(sorted(key for key, n in posts.items() if n > 1))


# --- women (R18, R32) ------------------------------------------------------------------


def _key_set(keys: Iterable[str], label_zh: str) -> set[str]:
    if isinstance(keys, str):
        raise RulesInputError(f"{label_zh}必须是标识的集合，而不是单个字符串")
    return {require_key(k) for k in keys}


def women_candidate_missing(
    candidate_keys: Iterable[str], women_keys: Iterable[str], *, required: bool = True
) -> bool:
    """R18: the formal list has no woman although the profile requires one
    (``women_candidate_required``) → publication is blocked (example 38)."""
    candidates = _key_set(candidate_keys, "候选人")
    return required and not candidates & _key_set(women_keys, "女性")


def no_woman_elected(elected_keys: Iterable[str], women_keys: Iterable[str]) -> bool:
    """R32 (R3): nobody elected is a woman → certification is blocked until the
    profile's remedy has been run or a documented waiver is recorded."""
    return not _key_set(elected_keys, "当选人") & _key_set(women_keys, "女性")


@dataclass(frozen=True)
class WomenRemedy:
    """R32: what the profile's ``women_remedy`` requires when no woman is elected.

    ``reserved_seats``: seats of the 另行选举 that only a woman can take.
    ``candidate_rule``: who must be on the 另行选举 ballot.
    ``may_stay_vacant``: the seat may stay empty if the remedy still elects no woman.
    """

    code: str
    reserved_seats: int
    candidate_rule: str
    may_stay_vacant: bool
    description_zh: str
    rules: tuple[str, ...]
    blocks_certification: bool = True


_WOMEN_REMEDIES: dict[str, WomenRemedy] = {
    "dedicated_column": WomenRemedy(
        code="dedicated_column",
        reserved_seats=1,
        candidate_rule="women_column",
        may_stay_vacant=False,
        description_zh="选票设妇女委员专栏；妇女委员未选出的，在另行选举中继续选举妇女委员",
        rules=("R32", "R18"),
    ),
    "shanxi_runoff": WomenRemedy(
        code="shanxi_runoff",
        reserved_seats=0,
        candidate_rule="top_unelected_woman",
        may_stay_vacant=True,
        description_zh="未当选女性中得票最多者列为另行选举候选人；仍无女性当选的，该名额可以空缺",
        rules=("R32",),
    ),
    "reserved_seat": WomenRemedy(
        code="reserved_seat",
        reserved_seats=1,
        candidate_rule="women_only_for_reserved_seat",
        may_stay_vacant=False,
        description_zh="另行选举中保留一个委员名额，专门从女性候选人中选举",
        rules=("R32",),
    ),
}


def women_remedy(remedy: str) -> WomenRemedy:
    """R32: describe the remedy the profile's ``women_remedy`` prescribes."""
    require_choice(remedy, WOMEN_REMEDIES, "无女性当选的补救方式")
    return _WOMEN_REMEDIES[remedy]


def top_unelected_women(
    votes: Mapping[str, int], elected_keys: Iterable[str], women_keys: Iterable[str]
) -> tuple[str, ...]:
    """R32 (Shanxi): the unelected woman with most votes, who joins the 另行选举
    candidates; several when tied at the top; empty when there is none."""
    tally = require_tally(votes, ceiling=None, ceiling_label_zh="")
    elected = _key_set(elected_keys, "当选人")
    women = _key_set(women_keys, "女性")
    ranked = [(k, v) for k, v in by_votes(tally) if k in women and k not in elected]
    if not ranked:
        return ()
    top = ranked[0][1]
    return tuple(k for k, v in ranked if v == top)
