"""Voter registration's Celery tasks.

Each task is a thin wrapper defined beside the service it runs (so that a service can
queue its own task without an import cycle); this module names them for Celery's
autodiscovery through elections.tasks."""

from elections.registration.exports import run_voter_export
from elections.registration.importing import check_voter_import, sweep_imports

__all__ = ["check_voter_import", "run_voter_export", "sweep_imports"]
