"""Stage checks of the candidates app, registered with `elections.stages` at start-up:
each part's module registers its own (`register_check` on import)."""

from __future__ import annotations

from candidates import checks_committee, checks_nominations, checks_party, checks_slate

__all__ = ["checks_committee", "checks_nominations", "checks_party", "checks_slate"]
