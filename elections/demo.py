"""Demo data of the apps above the core, for `seed_demo`.

The core cannot import the candidates, vetting or ballots apps (DESIGN.md "Layout"), yet
the demo street must pass their stage checks on its way to the stages it shows. Each
app registers a seeder at start-up; `seed_demo` calls every seeder for each community
before moving its tracks, with the stages they are going to. A seeder works through
its app's services (checks and audit rows) and is safe to run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from elections.models import CommunityElection

#: seeder(election, committee_stage, party_stage, actor)
DemoSeeder = Callable[[CommunityElection, str, str, Any], None]
_SEEDERS: list[DemoSeeder] = []


def register_demo_seeder(seeder: DemoSeeder) -> DemoSeeder:
    if seeder not in _SEEDERS:
        _SEEDERS.append(seeder)
    return seeder


def seed_apps(
    election: CommunityElection, committee_stage: str, party_stage: str, actor: Any
) -> None:
    for seeder in _SEEDERS:
        seeder(election, committee_stage, party_stage, actor)
