"""Is a candidate cleared to stand? The question the formal list asks of joint vetting.

The vetting app (above this one) answers it by registering a provider at start-up;
until one is registered every candidate reads 待联审 (pending). A provider takes the
candidates of one election and returns a `Clearance` for each pk — one call per
list, never one per candidate (no queries in loops).

    from candidates.clearance import register_provider
    register_provider(my_provider)   # vetting.apps.VettingConfig.ready()
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from candidates.models import Candidate

State = Literal["pending", "cleared", "blocked"]
STATE_LABELS: Mapping[str, str] = {
    "pending": "待联审",
    "cleared": "联审通过",
    "blocked": "联审未通过",
}


@dataclass(frozen=True)
class Clearance:
    state: State
    reason: str = ""  # Chinese, shown beside the candidate ("公安：……")

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


Provider = Callable[[Sequence[Candidate]], Mapping[int, Clearance]]

PENDING = Clearance("pending", "资格联审尚未完成")
_providers: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Make `provider` the answer (the last registered wins; tests swap it in and out)."""
    if provider in _providers:
        _providers.remove(provider)
    _providers.append(provider)
    return provider


def unregister_provider(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def clearance_of(candidates: Sequence[Candidate]) -> dict[int, Clearance]:
    """The clearance of each candidate (pk → Clearance); 待联审 without a provider."""
    if not candidates:
        return {}
    if not _providers:
        return {c.pk: PENDING for c in candidates}
    answer = _providers[-1](candidates)
    return {c.pk: answer.get(c.pk, PENDING) for c in candidates}
