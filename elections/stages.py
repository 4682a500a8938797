"""Moving a track to its next stage, and the registry of checks that may block it.

Helios' "issues before freeze": before a stage moves on, every check registered
for (track, current stage) lists what still blocks it; the move is refused
while the list is not empty. Apps above the core (candidates, vetting, ballots)
register their checks at start-up, so the core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from elections.models import TRACKS

if TYPE_CHECKING:
    from elections.models import CommunityElection


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    rule_id: str = ""
    url: str = ""  # where the issue is fixed (a page of ours); shown as a link
    link_label: str = ""  # the link's text, e.g. "去选民名册"


StageCheck = Callable[["CommunityElection"], list[Issue]]
_CHECKS: dict[tuple[str, str], list[StageCheck]] = {}


def register_check(track: str, stage: str) -> Callable[[StageCheck], StageCheck]:
    """Register a check that must return no issues before `track` leaves `stage`."""
    if track not in TRACKS or stage not in dict(TRACKS[track]):
        raise ValueError(f"unknown stage {track}.{stage}")

    def decorator(check: StageCheck) -> StageCheck:
        checks = _CHECKS.setdefault((track, stage), [])
        if check not in checks:
            checks.append(check)
        return check

    return decorator


def issues_before_leaving(election: CommunityElection, track: str) -> list[Issue]:
    stage = election.stage(track)
    found: list[Issue] = []
    for check in _CHECKS.get((track, stage), []):
        found.extend(check(election))
    return found


def next_stage(track: str, stage: str) -> str | None:
    codes = [code for code, _label in TRACKS[track]]
    index = codes.index(stage)
    return codes[index + 1] if index + 1 < len(codes) else None
