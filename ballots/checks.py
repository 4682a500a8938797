"""Coded checks on a tally sheet (Kiesraad Abacus: numbered errors and warnings; EVA: a
written explanation where the numbers do not reconcile).

Errors (E) block the sheet's confirmation: the numbers cannot be right as typed, or,
if they are, the round cannot stand (E02, E07: R25 / P10 — then the round is declared
void on its page and voted again). Warnings (W) need a written explanation from the
chair before confirmation. Blank is not zero: every number must be typed (E01).

`CHECKS` lists every code with its meaning and rule; the help page shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NUMBER_FIELDS: tuple[tuple[str, str], ...] = (
    ("signed_in", "签到（领票）人数"),
    ("issued", "发出选票数"),
    ("returned", "收回选票数"),
    ("blank", "空白票（弃权）数"),
    ("invalid", "无效票数"),
)


@dataclass(frozen=True)
class CheckSpec:
    code: str
    level: str  # "error" | "warning"
    title: str
    meaning: str
    rule: str


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "E01",
        "error",
        "有数字没有填",
        "每一个数字都要照计票单填写，没有就填 0；空着的格子不当作 0。",
        "录入规范",
    ),
    CheckSpec(
        "E02",
        "error",
        "收回选票多于发出选票",
        "请先核对数字。如果确实收回的多于发出的，本轮投票无效，应当在轮次页面宣布无效并重新投票。",
        "R25、P10",
    ),
    CheckSpec(
        "E03",
        "error",
        "空白票和无效票加起来多于收回选票",
        "空白票、无效票都是收回选票的一部分，不能多于收回选票数。",
        "R26",
    ),
    CheckSpec(
        "E04",
        "error",
        "某人得票多于有效选票",
        "每张有效选票上同一个人最多得一票，得票数不能多于有效选票数（收回选票减去空白票和无效票）。",
        "R26",
    ),
    CheckSpec(
        "E05",
        "error",
        "得票总数多于有效选票数乘以应选名额",
        "每张有效选票最多选应选名额那么多人，所有人的得票加起来不能超过有效选票数乘以应选名额。",
        "R26、P9",
    ),
    CheckSpec(
        "E06",
        "error",
        "另选他人的姓名没有填或重复",
        "有得票的另选人必须填写姓名，同一个人只填一行。",
        "R23",
    ),
    CheckSpec(
        "E07",
        "error",
        "收回选票多于签到投票人数",
        "请先核对数字。如果确实如此，本轮投票无效，应当在轮次页面宣布无效并重新投票。",
        "R25、P10",
    ),
    CheckSpec(
        "W01",
        "warning",
        "发出选票数和签到人数不一致",
        "通常每位签到的选民领一张选票（委托投票的按规定另计）。请写明原因。",
        "R25",
    ),
    CheckSpec(
        "W02",
        "warning",
        "收回选票少于发出选票",
        "有选票没有投入票箱。请写明原因（例如选民领票后离开）。",
        "R25",
    ),
    CheckSpec(
        "W03",
        "warning",
        "另选他人和本轮候选人同名",
        "另选人的姓名和选票上的候选人相同，请核对是否应计入该候选人名下，或写明二人不是同一人。",
        "R23",
    ),
    CheckSpec(
        "W04",
        "warning",
        "无效票超过收回选票的十分之一",
        "无效票偏多，请再核对一次并写明原因。",
        "R26",
    ),
)

#: The party round's tally sheet (P8–P10; no proxies, P4): 实到会 comes from the
#: 党员大会, the rest is typed. Codes start with P so they never mix with the
#: committee sheet's.
PARTY_NUMBER_FIELDS: tuple[tuple[str, str], ...] = (
    ("issued", "发出选票数"),
    ("returned", "收回选票数"),
    ("invalid", "无效票数"),
)

PARTY_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "PE01", "error", "有数字没有填", "每一个数字都要照计票单填写，没有就填 0。", "录入规范"
    ),
    CheckSpec(
        "PE02",
        "error",
        "收回选票多于发出选票或实到会人数",
        "收回的选票不能多于发出的选票，也不能多于实到会有选举权的人数。如果确实如此，"
        "本轮选举无效，应当重新选举。",
        "P10",
    ),
    CheckSpec(
        "PE03",
        "error",
        "发出选票多于实到会人数",
        "党内选举不允许委托投票，每位到会的有选举权的党员领一张选票。",
        "P4",
    ),
    CheckSpec("PE04", "error", "无效票多于收回选票", "无效票是收回选票的一部分。", "P9"),
    CheckSpec(
        "PE05",
        "error",
        "某人赞成票多于有效选票",
        "每张有效选票上同一个人最多一个“○”，赞成票不能多于有效选票数（收回减无效）。",
        "P8、P9",
    ),
    CheckSpec(
        "PE06",
        "error",
        "赞成票合计多于有效选票数乘以应选名额",
        "画“○”多于应选名额的选票无效，所以有效选票上的赞成票合计不会超过有效选票数乘以应选名额。",
        "P9",
    ),
    CheckSpec(
        "PE07",
        "error",
        "另选他人的姓名没有填或重复",
        "有赞成票的另选人必须填写姓名，同一个人只填一行。",
        "P8",
    ),
    CheckSpec(
        "PW01",
        "warning",
        "发出选票少于实到会人数",
        "到会的党员每人领一张选票。请写明原因（例如有人未领票）。",
        "P4、P10",
    ),
    CheckSpec("PW02", "warning", "收回选票少于发出选票", "有选票没有投入票箱，请写明原因。", "P10"),
    CheckSpec(
        "PW03",
        "warning",
        "另选他人和候选人同名",
        "请核对是否应计入该候选人名下，或写明二人不是同一人。",
        "P8",
    ),
)
CHECK_BY_CODE = {c.code: c for c in (*CHECKS, *PARTY_CHECKS)}


@dataclass(frozen=True)
class Finding:
    code: str
    field: str  # the input it belongs beside ("" for the whole sheet)
    detail: str

    @property
    def spec(self) -> CheckSpec:
        return CHECK_BY_CODE[self.code]

    @property
    def level(self) -> str:
        return self.spec.level

    @property
    def message(self) -> str:
        return f"{self.code} {self.spec.title}：{self.detail}" if self.detail else self.spec.title


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_sheet(
    numbers: Mapping[str, Any],
    *,
    seats: int,
    candidates: Sequence[tuple[str, str]],
    returned_vs: str = "min_issued_signed",
) -> list[Finding]:
    """Every finding on `numbers` (see `ballots.tally.parse_numbers` for the shape).
    `candidates` are (key, name) of the round's ballot, in order."""
    found: list[Finding] = []
    values: dict[str, int | None] = {f: _int_or_none(numbers.get(f)) for f, _ in NUMBER_FIELDS}
    votes: dict[str, int | None] = {
        key: _int_or_none((numbers.get("votes") or {}).get(key)) for key, _name in candidates
    }
    write_ins = [(str(n).strip(), _int_or_none(v)) for n, v in numbers.get("write_ins") or []]
    for field, label in NUMBER_FIELDS:
        if values[field] is None:
            found.append(Finding("E01", field, f"请填写{label}"))
    names = dict(candidates)
    for key, value in votes.items():
        if value is None:
            found.append(Finding("E01", f"votes-{key}", f"请填写{names[key]}的得票数"))
    for i, (name, value) in enumerate(write_ins):
        if name and value is None:
            found.append(Finding("E01", f"writein-{i}", f"请填写另选人{name}的得票数"))
    signed, issued, returned = values["signed_in"], values["issued"], values["returned"]
    blank, invalid = values["blank"], values["invalid"]
    by_issued = returned_vs in ("issued", "min_issued_signed")  # R25 [新河], P10
    by_signed = returned_vs in ("signed", "min_issued_signed")  # R25 [P]
    if by_issued and issued is not None and returned is not None and returned > issued:
        found.append(Finding("E02", "returned", f"收回{returned}张，发出{issued}张"))
    if by_signed and signed is not None and returned is not None and returned > signed:
        found.append(Finding("E07", "returned", f"收回{returned}张，签到{signed}人"))
    complete = returned is not None and blank is not None and invalid is not None
    if complete and blank + invalid > returned:  # type: ignore[operator]
        found.append(Finding("E03", "invalid", f"空白{blank}张、无效{invalid}张，收回{returned}张"))
    seen: set[str] = set()
    for i, (name, value) in enumerate(write_ins):
        if not name and value:
            found.append(Finding("E06", f"writein-{i}", f"第{i + 1}行另选人有{value}票但没有姓名"))
        elif name and name in seen:
            found.append(Finding("E06", f"writein-{i}", f"另选人{name}填了两行，请合并"))
        elif name:
            seen.add(name)
            if name in names.values():
                found.append(Finding("W03", f"writein-{i}", f"另选人{name}"))
    if returned is not None and blank is not None and invalid is not None:
        valid = max(0, returned - blank - invalid)
        everyone = [(names[k], v, f"votes-{k}") for k, v in votes.items() if v is not None]
        everyone += [(n, v, f"writein-{i}") for i, (n, v) in enumerate(write_ins) if n and v]
        for name, value, field in everyone:
            if value > valid:
                found.append(Finding("E04", field, f"{name}得{value}票，有效选票{valid}张"))
        total = sum(v for _n, v, _f in everyone)
        if total > valid * seats:
            found.append(
                Finding(
                    "E05",
                    "",
                    f"得票合计{total}，有效选票{valid}张×应选{seats}名={valid * seats}",
                )
            )
        if invalid * 10 > returned and returned:
            found.append(Finding("W04", "invalid", f"无效{invalid}张，收回{returned}张"))
    if signed is not None and issued is not None and signed != issued:
        found.append(Finding("W01", "issued", f"发出{issued}张，签到{signed}人"))
    if issued is not None and returned is not None and returned < issued:
        found.append(Finding("W02", "returned", f"发出{issued}张，收回{returned}张"))
    return found


def check_party_sheet(
    numbers: Mapping[str, Any], *, seats: int, present: int, candidates: Sequence[tuple[str, str]]
) -> list[Finding]:
    """Every finding on a party round's numbers; `present` is the 党员大会's 实到会."""
    found: list[Finding] = []
    values = {f: _int_or_none(numbers.get(f)) for f, _ in PARTY_NUMBER_FIELDS}
    votes = {k: _int_or_none((numbers.get("votes") or {}).get(k)) for k, _n in candidates}
    write_ins = [(str(n).strip(), _int_or_none(v)) for n, v in numbers.get("write_ins") or []]
    names = dict(candidates)
    for field, label in PARTY_NUMBER_FIELDS:
        if values[field] is None:
            found.append(Finding("PE01", field, f"请填写{label}"))
    for key, value in votes.items():
        if value is None:
            found.append(Finding("PE01", f"votes-{key}", f"请填写{names[key]}的赞成票数"))
    for i, (name, value) in enumerate(write_ins):
        if name and value is None:
            found.append(Finding("PE01", f"writein-{i}", f"请填写另选人{name}的赞成票数"))
    issued, returned, invalid = values["issued"], values["returned"], values["invalid"]
    if issued is not None and issued > present:
        found.append(Finding("PE03", "issued", f"发出{issued}张，实到会{present}人"))
    if returned is not None and (
        (issued is not None and returned > issued) or returned > present
    ):  # P10: returned <= min(issued, present)
        found.append(
            Finding(
                "PE02",
                "returned",
                f"收回{returned}张，"
                + (f"发出{issued}张，" if issued is not None else "")
                + f"实到会{present}人",
            )
        )
    if returned is not None and invalid is not None and invalid > returned:
        found.append(Finding("PE04", "invalid", f"无效{invalid}张，收回{returned}张"))
    seen: set[str] = set()
    for i, (name, value) in enumerate(write_ins):
        if not name and value:
            found.append(Finding("PE07", f"writein-{i}", f"第{i + 1}行另选人有{value}票但没有姓名"))
        elif name and name in seen:
            found.append(Finding("PE07", f"writein-{i}", f"另选人{name}填了两行，请合并"))
        elif name:
            seen.add(name)
            if name in names.values():
                found.append(Finding("PW03", f"writein-{i}", f"另选人{name}"))
    if returned is not None and invalid is not None:
        valid = max(0, returned - invalid)
        everyone = [(names[k], v, f"votes-{k}") for k, v in votes.items() if v is not None]
        everyone += [(n, v, f"writein-{i}") for i, (n, v) in enumerate(write_ins) if n and v]
        for name, value, field in everyone:
            if value > valid:
                found.append(Finding("PE05", field, f"{name}得{value}票，有效选票{valid}张"))
        total = sum(v for _n, v, _f in everyone)
        if total > valid * seats:
            found.append(Finding("PE06", "", f"赞成票合计{total}，有效选票{valid}张×应选{seats}名"))
    if issued is not None and issued < present:
        found.append(Finding("PW01", "issued", f"发出{issued}张，实到会{present}人"))
    if issued is not None and returned is not None and returned < issued:
        found.append(Finding("PW02", "returned", f"发出{issued}张，收回{returned}张"))
    return found


def errors(found: Sequence[Finding]) -> list[Finding]:
    return [f for f in found if f.level == "error"]


def warnings(found: Sequence[Finding]) -> list[Finding]:
    return [f for f in found if f.level == "warning"]


def differences(
    a: Mapping[str, Any], b: Mapping[str, Any], *, candidates: Sequence[tuple[str, str]]
) -> list[tuple[str, Any, Any]]:
    """Field by field, where two entries differ: (label, entry 1, entry 2)."""
    out: list[tuple[str, Any, Any]] = []
    for field, label in NUMBER_FIELDS:
        if a.get(field) != b.get(field):
            out.append((label, a.get(field), b.get(field)))
    for key, name in candidates:
        va, vb = (a.get("votes") or {}).get(key), (b.get("votes") or {}).get(key)
        if va != vb:
            out.append((f"{name} 得票", va, vb))
    wa = {str(n): v for n, v in a.get("write_ins") or []}
    wb = {str(n): v for n, v in b.get("write_ins") or []}
    for name in sorted(set(wa) | set(wb)):
        if wa.get(name) != wb.get(name):
            out.append(
                (
                    f"另选 {name} 得票",
                    wa.get(name, "（没有这一行）"),
                    wb.get(name, "（没有这一行）"),
                )
            )
    return out
