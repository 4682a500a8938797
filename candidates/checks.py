"""Stage checks of the candidates app, registered with `elections.stages` at start-up.

Each part registers its own from its module under `candidates/checks_*.py`, imported
here (one import per part)."""

from __future__ import annotations

from importlib import import_module

for _part in ("party", "nominations", "slate", "kinship"):
    try:
        import_module(f"candidates.checks_{_part}")
    except ModuleNotFoundError as exc:
        if exc.name != f"candidates.checks_{_part}":
            raise
