"""The ballots app's pages (namespace "ballots")."""

from __future__ import annotations

from ballots.views import urlpatterns

app_name = "ballots"

__all__ = ["app_name", "urlpatterns"]
