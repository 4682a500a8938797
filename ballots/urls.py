"""The ballots app's pages (namespace "ballots")."""

from __future__ import annotations

from ballots.polling_views import urlpatterns as polling_urlpatterns
from ballots.views import urlpatterns as day_urlpatterns

app_name = "ballots"
urlpatterns = [*day_urlpatterns, *polling_urlpatterns]

__all__ = ["app_name", "urlpatterns"]
