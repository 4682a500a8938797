"""Structure targets of a slate or of the elected (Q3, R3): soft warnings only.

The law forbids adjusting an elected result ([P: S13 art. 3]), so nothing here ever
blocks a count or a publication; the caller shows the warnings beside the list.
Ages are whole years on election day (G5), computed by the caller with ``age_on``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._base import RulesInputError, Violation, require_int, require_key
from .params import RuleParams

__all__ = ["STRUCTURE_BODIES", "StructurePerson", "structure_warnings"]

STRUCTURE_BODIES = ("committee", "party")  # 居委会, 党组织委员会


@dataclass(frozen=True)
class StructurePerson:
    """One person on a slate (or elected): ``new`` = not a current 两委 member,
    ``secretary`` = standing for (or elected) 书记, ``college`` = 大专 or above."""

    key: str
    name: str
    gender: str  # "男" / "女"
    age: int
    new: bool = True
    secretary: bool = False
    college: bool = False

    def __post_init__(self) -> None:
        require_key(self.key)
        require_int(self.age, f"「{self.name}」的年龄")
        if self.gender not in ("男", "女"):
            raise RulesInputError(f"「{self.name}」的性别只能是男或女（收到 {self.gender!r}）")


def structure_warnings(
    people: Sequence[StructurePerson], *, body: str, params: RuleParams
) -> tuple[Violation, ...]:
    """Q3 (and R3 for the 居委会): what the list misses of the structure targets.

    ``body`` is ``"committee"`` (居委会: a woman, R3; the women's share) or
    ``"party"`` (党组织: the secretary's age). Age limits and the young graduate
    apply to both. A limit of 0 in the profile means "no such target". The 新河 plan writes
    "男55周岁以下", and "以下" includes the number (G2, 民法典 art. 1259): a new
    secretary aged exactly 55 meets it, one aged 56 is warned.
    """
    if body not in STRUCTURE_BODIES:
        raise RulesInputError(f"未知的班子类型 {body!r}")
    people = list(people)
    if not people:
        return ()
    found: list[Violation] = []
    women = [p for p in people if p.gender == "女"]
    if body == "committee":
        if not women:
            # R3: "居民委员会成员中，应当有妇女成员" (2025 law, S21 art. 5).
            found.append(
                Violation("no_woman", ("R3",), "名单中没有女性，居委会成员中应当有妇女成员")
            )
        pct = params.women_share_target_pct
        # Q3: women ≥ pct% of members, as integers: women × 100 ≥ pct × total.
        if pct and women and len(women) * 100 < pct * len(people):
            found.append(
                Violation(
                    "women_share",
                    ("Q3",),
                    f"女性 {len(women)} 名，占 {len(people)} 名的"
                    f"{len(women) * 100 // len(people)}%，低于{pct}%的结构要求",
                )
            )
    if body == "party":
        for p in people:
            if not (p.secretary and p.new):
                continue
            limit = (
                params.secretary_age_max_female
                if p.gender == "女"
                else params.secretary_age_max_male
            )
            if limit and p.age > limit:  # Q3, G2: 男55、女50周岁以下 (新河, inclusive)
                found.append(
                    Violation(
                        "secretary_age",
                        ("Q3",),
                        f"{p.name}（{p.gender}，{p.age}岁）为新提名书记人选，年龄超过{limit}周岁"
                        f"（新提名书记{'女' if p.gender == '女' else '男'}性一般在{limit}周岁以下）",
                    )
                )
    limit = params.new_member_age_max
    if limit:
        old = [p for p in people if p.new and not p.secretary and p.age > limit]  # Q3, G2
        if old:
            found.append(
                Violation(
                    "new_member_age",
                    ("Q3",),
                    "、".join(f"{p.name}（{p.age}岁）" for p in old)
                    + f"为新进人选，年龄超过{limit}周岁（新进成员一般在{limit}周岁以下）",
                )
            )
    young = params.young_member_age_max
    if young and not any(p.college and p.age <= young for p in people):  # Q3
        found.append(
            Violation(
                "young_graduate",
                ("Q3",),
                f"名单中没有{young}周岁以下、大专以上学历的人选（结构要求：一般选配一名30岁左右、大专以上学历的年轻干部）",
            )
        )
    return tuple(found)
