"""The double-entry state machine both tracks share (issue 11 item 4; Abacus: two
independent entries by different users, differences resolved by the chair).

A committee TallySheet and a party round's sheet (PartyRound) move through the same
states: entering → matched or different (both entries in) → confirmed; the chair keeps
one of two differing entries or sends one back to be retyped. These functions are the
steps, on a sheet its caller has already locked; the caller sets its own status field,
saves, and writes its own audit row in the same transaction. Every message is the one
the user sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from ballots import checks
from ballots.errors import BallotsError

STALE = "这张计票单刚被别人处理过，页面已更新，请重新查看后再操作"


#: A TallyEntry or a PartyEntry: slot, numbers, entered_by_id, the discarded fields.
Entry = TypeVar("Entry", bound=Any)


def next_slot(entries: Mapping[int, Entry], actor: Any) -> int:
    """The slot the actor's entry takes: entry 2 must be typed by someone else."""
    if any(e.entered_by_id == actor.pk for e in entries.values()):
        raise BallotsError("您已经录入过这张计票单；第二次录入必须由另一位工作人员完成")
    return 1 if 1 not in entries else 2


def compared(entries: Mapping[int, Entry]) -> tuple[bool, Entry | None] | None:
    """With both entries in: (the same?, the entry to keep if so); else None."""
    if len(entries) < 2:
        return None
    same = entries[1].numbers == entries[2].numbers
    return same, (entries[1] if same else None)


def check_version(current: int, version: int | None) -> None:
    """A page showing an older state of the sheet may not act on it."""
    if version is not None and version != current:
        raise BallotsError(STALE)


def discard(entry: Entry, *, actor: Any, reason: str) -> None:
    """An entry the chair does not keep stays on record, marked 退回 with who and why."""
    entry.discarded, entry.discarded_by, entry.discarded_reason = True, actor, reason[:200]
    entry.save(update_fields=["discarded", "discarded_by", "discarded_reason"])


def _entry(entries: Mapping[int, Entry], slot: int) -> Entry:
    if slot not in entries:
        raise BallotsError("没有这次录入")
    return entries[slot]


def keep(entries: Mapping[int, Entry], slot: int, *, actor: Any, reason: str) -> Entry:
    """Keep one of two differing entries; the other is discarded. The kept one."""
    kept = _entry(entries, slot)
    discard(entries[3 - slot], actor=actor, reason=reason)
    return kept


def send_back(entries: Mapping[int, Entry], slot: int, *, actor: Any, reason: str) -> None:
    """Discard one entry to be retyped; the remaining one becomes entry 1."""
    discard(_entry(entries, slot), actor=actor, reason=reason)
    if slot == 1 and 2 in entries:
        remaining = entries[2]
        remaining.slot = 1
        remaining.save(update_fields=["slot"])


def explanations_to_keep(
    found: Sequence[checks.Finding], explanations: Mapping[str, str]
) -> dict[str, str]:
    """Confirmation: no error, and a written reason for every warning; the reasons to
    store (500 characters each)."""
    if checks.errors(found):
        raise BallotsError(
            "计票单有错误，不能确认：" + "；".join(f.message for f in checks.errors(found))
        )
    given = {code: str(text).strip() for code, text in explanations.items()}
    missing = {f.code: "请写明原因" for f in checks.warnings(found) if not given.get(f.code)}
    if missing:
        raise BallotsError(
            "有警告需要写明原因后才能确认", {f"explain-{c}": m for c, m in missing.items()}
        )
    return {f.code: given[f.code][:500] for f in checks.warnings(found)}
