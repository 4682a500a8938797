"""Fixtures of the candidates tests: the clearance test double (until vetting lands)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pytest

from candidates import clearance
from candidates.models import Candidate


class ClearanceDouble:
    """Answers like the vetting app will: pending unless told otherwise."""

    def __init__(self) -> None:
        self.cleared: set[int] = set()
        self.blocked: dict[int, str] = {}
        self.calls = 0

    def clear(self, *candidates: Candidate) -> None:
        self.cleared.update(c.pk for c in candidates)

    def block(self, candidate: Candidate, reason: str) -> None:
        self.blocked[candidate.pk] = reason

    def __call__(self, candidates: Sequence[Candidate]) -> Mapping[int, clearance.Clearance]:
        self.calls += 1
        out: dict[int, clearance.Clearance] = {}
        for c in candidates:
            if c.pk in self.blocked:
                out[c.pk] = clearance.Clearance("blocked", self.blocked[c.pk])
            elif c.pk in self.cleared:
                out[c.pk] = clearance.Clearance("cleared")
        return out


@pytest.fixture
def vetting_double() -> Iterator[ClearanceDouble]:
    double = ClearanceDouble()
    clearance.register_provider(double)
    yield double
    clearance.unregister_provider(double)
